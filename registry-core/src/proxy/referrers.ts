// Referrers of a cached artifact in a proxy-cache repository: the upstream's (when it offers the
// referrers API) merged after the local ones. The referrer manifests themselves are cached when pulled.
import type { RegistryContext } from '../context'
import { parseDescriptor } from '../manifest'
import { UpstreamError, type Descriptor, type Digest, type UpstreamSource } from '../ports'
import { callUpstream, logUpstreamFailure } from './upstream-calls'

export interface MergedReferrers {
  manifests: Descriptor[]
  /** The upstream could not be asked: only the local referrers are listed. */
  stale: boolean
}

export async function mergedReferrers(
  ctx: RegistryContext,
  source: UpstreamSource,
  name: string,
  digest: Digest,
  local: Descriptor[],
  artifactType?: string,
): Promise<MergedReferrers> {
  // Only artifacts this cache holds: a digest nobody pulled through it costs the upstream nothing.
  if (!(await ctx.index.getManifest(name, { digest }))) return { manifests: local, stale: false }
  let remote: Descriptor[]
  try {
    const answer = await callUpstream(ctx, source, (signal) => source.getReferrers(digest, artifactType, signal))
    if (!answer.supported) return { manifests: local, stale: false }
    remote = parseReferrers(answer.bytes, source)
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error
    logUpstreamFailure(ctx, source, error, { repository: name, digest, served: error.kind === 'not_found' ? 'local' : 'stale' })
    return { manifests: local, stale: error.kind !== 'not_found' }
  }
  const seen = new Set(local.map((d) => d.digest))
  const added = remote.filter((d) => !seen.has(d.digest) && (artifactType === undefined || d.artifactType === artifactType))
  return { manifests: [...local, ...added], stale: false }
}

function parseReferrers(bytes: Buffer, source: UpstreamSource): Descriptor[] {
  try {
    const body: unknown = JSON.parse(bytes.toString('utf8'))
    const manifests = typeof body === 'object' && body !== null ? (body as { manifests?: unknown }).manifests : undefined
    if (!Array.isArray(manifests)) throw new Error('no manifests array')
    return manifests.map((entry, i) => parseDescriptor(entry, `manifests[${i}]`))
  } catch (error) {
    throw new UpstreamError('invalid', `upstream ${source.name} sent an invalid referrers index: ${error instanceof Error ? error.message : String(error)}`)
  }
}
