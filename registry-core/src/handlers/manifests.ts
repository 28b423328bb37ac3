// GET/HEAD/PUT/DELETE /v2/<name>/manifests/<reference>
import type { RegistryContext, RequestContext } from '../context'
import { RegistryError, errorEntry } from '../errors'
import { digestAlgorithm, parseReference } from '../grammar'
import { readBody, sendEmpty } from '../http'
import { parseManifest } from '../manifest'
import { proxiedManifest } from '../proxy/manifests'
import { STALE_WARNING } from '../proxy/upstream-calls'

export async function getManifest(ctx: RegistryContext, rc: RequestContext, name: string, reference: string): Promise<void> {
  const ref = parseReference(reference)
  const { manifest, stale } = rc.upstream ? await proxiedManifest(ctx, rc, rc.upstream, name, ref) : { manifest: await ctx.index.getManifest(name, ref), stale: false }
  if (!manifest) throw new RegistryError('MANIFEST_UNKNOWN', { detail: 'tag' in ref ? { tag: ref.tag } : { digest: ref.digest } })
  rc.res.writeHead(200, {
    'Content-Type': manifest.mediaType,
    'Content-Length': String(manifest.content.length),
    'Docker-Content-Digest': manifest.digest,
    ETag: `"${manifest.digest}"`,
    ...(stale ? { Warning: STALE_WARNING } : {}),
  })
  if (rc.req.method === 'HEAD') {
    rc.res.end()
    return
  }
  rc.res.end(manifest.content)
  ctx.events.emit({
    type: 'manifest.pulled',
    repository: name,
    digest: manifest.digest,
    tag: 'tag' in ref ? ref.tag : undefined,
    mediaType: manifest.mediaType,
    size: manifest.content.length,
    actor: rc.actor,
    remoteAddress: rc.info.remoteAddress,
    at: new Date(),
  })
}

export async function putManifest(ctx: RegistryContext, rc: RequestContext, name: string, reference: string): Promise<void> {
  const ref = parseReference(reference, 'write')
  const limit = ctx.limits.maxManifestBytes
  const content = await readBody(rc.req, limit, () => new RegistryError('SIZE_INVALID', { status: 413, message: `manifest exceeds the limit of ${limit} bytes` }))
  const record = parseManifest(content, rc.req.headers['content-type'], 'digest' in ref ? digestAlgorithm(ref.digest) : 'sha256')
  if ('digest' in ref && record.digest !== ref.digest) {
    throw new RegistryError('DIGEST_INVALID', {
      message: 'manifest digest does not match the reference',
      detail: { expected: ref.digest, actual: record.digest },
    })
  }
  const tag = 'tag' in ref ? ref.tag : undefined
  const result = await ctx.index.putManifest(name, record, tag, rc.actor)
  if (!result.ok) {
    const [first, ...rest] = result.missing.map((digest) => errorEntry('MANIFEST_BLOB_UNKNOWN', { digest }))
    throw new RegistryError('MANIFEST_BLOB_UNKNOWN', { detail: first?.detail, more: rest })
  }
  const headers: Record<string, string> = {
    Location: `${ctx.publicUrl}/v2/${name}/manifests/${record.digest}`,
    'Docker-Content-Digest': record.digest,
  }
  if (record.subject) headers['OCI-Subject'] = record.subject.digest
  sendEmpty(rc.res, 201, headers)
  ctx.events.emit({
    type: 'manifest.pushed',
    repository: name,
    digest: record.digest,
    tag,
    mediaType: record.mediaType,
    size: content.length,
    actor: rc.actor,
    remoteAddress: rc.info.remoteAddress,
    at: new Date(),
  })
}

export async function deleteManifest(ctx: RegistryContext, rc: RequestContext, name: string, reference: string): Promise<void> {
  const ref = parseReference(reference)
  const base = { repository: name, actor: rc.actor, remoteAddress: rc.info.remoteAddress, at: new Date() }
  if ('tag' in ref) {
    const deleted = await ctx.index.deleteTag(name, ref.tag, rc.actor)
    if (!deleted) throw new RegistryError('MANIFEST_UNKNOWN', { detail: { tag: ref.tag } })
    sendEmpty(rc.res, 202)
    ctx.events.emit({ ...base, type: 'tag.deleted', digest: deleted.digest, tag: ref.tag })
    return
  }
  const deleted = await ctx.index.deleteManifest(name, ref.digest, rc.actor)
  if (!deleted) throw new RegistryError('MANIFEST_UNKNOWN', { detail: { digest: ref.digest } })
  // 409 DENIED, not 405: deletion is supported, this manifest just cannot go before the index that
  // needs it (zot answers 405 DENIED, Harbor 412; a conflict says best that the caller can resolve it).
  if (!deleted.ok) {
    throw new RegistryError('DENIED', {
      status: 409,
      message: `manifest is referenced by index ${deleted.referencedBy.join(', ')}; delete the index first`,
      detail: { digest: ref.digest, referencedBy: deleted.referencedBy },
    })
  }
  sendEmpty(rc.res, 202)
  ctx.events.emit({ ...base, type: 'manifest.deleted', digest: ref.digest, mediaType: deleted.mediaType })
  for (const tag of deleted.tags) ctx.events.emit({ ...base, type: 'tag.deleted', digest: ref.digest, tag })
  for (const child of deleted.children) ctx.events.emit({ ...base, type: 'manifest.deleted', digest: child.digest, mediaType: child.mediaType })
}
