// Manifests of a proxy-cache repository. By digest: the cache, else one upstream GET, verified and
// recorded through the index's ordinary putManifest (so pulls, events and the dashboard see it).
// By tag: the cached resolution while younger than the TTL, else one upstream HEAD, and a GET (by
// digest) only when the tag moved. An index is cached as is; its children come when pulled.
import type { RegistryContext, RequestContext } from '../context'
import { RegistryError } from '../errors'
import { digestAlgorithm, isSupportedDigest, type ManifestReference as Reference } from '../grammar'
import { computeDigest, parseManifest } from '../manifest'
import { UpstreamError, type Digest, type StoredManifest, type UpstreamSource } from '../ports'
import { callUpstream, isOutage, logUpstreamFailure, upstreamFailureError } from './upstream-calls'

export interface ProxiedManifest {
  manifest: StoredManifest
  /** Served from the cache because the upstream could not be asked. */
  stale: boolean
}

export async function proxiedManifest(ctx: RegistryContext, rc: RequestContext, source: UpstreamSource, name: string, ref: Reference): Promise<ProxiedManifest> {
  const notFound = () => new RegistryError('MANIFEST_UNKNOWN', { detail: 'tag' in ref ? { tag: ref.tag } : { digest: ref.digest } })
  try {
    if ('digest' in ref) return { manifest: await manifestByDigest(ctx, rc, source, name, ref.digest), stale: false }
    return await manifestByTag(ctx, rc, source, name, ref.tag)
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error
    logUpstreamFailure(ctx, source, error, { repository: name, reference: 'tag' in ref ? ref.tag : ref.digest, served: 'error' })
    throw upstreamFailureError(error, source, notFound)
  }
}

async function manifestByDigest(ctx: RegistryContext, rc: RequestContext, source: UpstreamSource, name: string, digest: Digest): Promise<StoredManifest> {
  const cached = await ctx.index.getManifest(name, { digest })
  if (cached) return cached
  const key = `manifest:${name}@${digest}`
  return ctx.flights.run(key, async () => (await ctx.index.getManifest(name, { digest })) ?? (await fetchManifest(ctx, rc, source, name, digest)))
}

/** GETs a manifest by digest, verifies it, records it (tagged `tag` when given) and reads it back. */
async function fetchManifest(ctx: RegistryContext, rc: RequestContext, source: UpstreamSource, name: string, digest: Digest, tag?: string): Promise<StoredManifest> {
  const fetched = await callUpstream(ctx, source, (signal) => source.getManifest(digest, signal))
  if (fetched.bytes.length > ctx.limits.maxManifestBytes) {
    throw new UpstreamError(
      'invalid',
      `upstream ${source.name} sent manifest ${digest} of ${fetched.bytes.length} bytes, over this registry's limit of ${ctx.limits.maxManifestBytes}`,
    )
  }
  const algorithm = digestAlgorithm(digest)
  const actual = computeDigest(fetched.bytes, algorithm)
  if (actual !== digest) throw new UpstreamError('invalid', `upstream ${source.name} sent a manifest with digest ${actual} for ${digest}`)
  let record
  try {
    record = parseManifest(fetched.bytes, fetched.mediaType, algorithm)
  } catch (error) {
    throw new UpstreamError('invalid', `upstream ${source.name} sent an invalid manifest ${digest}: ${error instanceof Error ? error.message : String(error)}`)
  }
  await ctx.index.putManifest(name, record, tag, rc.actor, { cached: true })
  return { digest: record.digest, mediaType: record.mediaType, content: record.content }
}

async function manifestByTag(ctx: RegistryContext, rc: RequestContext, source: UpstreamSource, name: string, tag: string): Promise<ProxiedManifest> {
  const fresh = await freshTag(ctx, source, name, tag)
  if (fresh.manifest && fresh.fresh) return { manifest: fresh.manifest, stale: false }
  const key = `tag:${name}:${tag}`
  return ctx.flights.run(key, () => revalidateTag(ctx, rc, source, name, tag))
}

/** The cached resolution of the tag, and whether it was confirmed upstream less than the TTL ago. */
async function freshTag(ctx: RegistryContext, source: UpstreamSource, name: string, tag: string): Promise<{ manifest: StoredManifest | null; fresh: boolean }> {
  const manifest = await ctx.index.getManifest(name, { tag })
  if (!manifest) return { manifest, fresh: false }
  const checkedAt = await ctx.tagChecks.checkedAt(name, tag)
  return { manifest, fresh: checkedAt !== null && Date.now() - checkedAt.getTime() < source.tagTtlMs }
}

async function revalidateTag(ctx: RegistryContext, rc: RequestContext, source: UpstreamSource, name: string, tag: string): Promise<ProxiedManifest> {
  // Another replica may have checked the tag while this one waited for the lock.
  const { manifest: cached, fresh } = await freshTag(ctx, source, name, tag)
  if (cached && fresh) return { manifest: cached, stale: false }
  try {
    return { manifest: await resolveTag(ctx, rc, source, name, tag, cached), stale: false }
  } catch (error) {
    if (!(error instanceof UpstreamError) || !cached || !isOutage(error.kind)) throw error
    logUpstreamFailure(ctx, source, error, { repository: name, reference: tag, served: 'stale' })
    return { manifest: cached, stale: true }
  }
}

/** One HEAD upstream; the tag re-pointed (and the manifest fetched by digest when not cached) when it moved. */
async function resolveTag(ctx: RegistryContext, rc: RequestContext, source: UpstreamSource, name: string, tag: string, cached: StoredManifest | null): Promise<StoredManifest> {
  const head = await callUpstream(ctx, source, (signal) => source.headManifest(tag, signal))
  if (!isSupportedDigest(head.digest)) throw new UpstreamError('invalid', `upstream ${source.name} resolved tag ${tag} to an unusable digest`)
  const checkedAt = new Date()
  if (cached?.digest === head.digest) {
    await ctx.tagChecks.mark(name, tag, checkedAt)
    return cached
  }
  const known = await ctx.index.getManifest(name, { digest: head.digest })
  let manifest: StoredManifest
  if (known) {
    const record = parseManifest(known.content, known.mediaType, digestAlgorithm(known.digest))
    await ctx.index.putManifest(name, record, tag, rc.actor, { cached: true })
    manifest = known
  } else {
    manifest = await fetchManifest(ctx, rc, source, name, head.digest, tag)
  }
  await ctx.tagChecks.mark(name, tag, checkedAt)
  return manifest
}
