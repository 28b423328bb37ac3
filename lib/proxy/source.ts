// One upstream repository behind a proxy-cache repository, as the engine's UpstreamSource: the
// endpoint's client (lib/upstream) bound to the repository name upstream.
import { MediaTypes, UpstreamError, type Digest, type UpstreamSource } from '@registry-core'
import type { UpstreamClient } from '../upstream'
import { countUpstreamCall } from '../metrics/upstream'

/** Every manifest type the cache stores; the upstream picks its best (an index for a multi-platform image). */
const MANIFEST_TYPES = [MediaTypes.ociIndex, MediaTypes.dockerManifestList, MediaTypes.ociManifest, MediaTypes.dockerManifest]

export interface SourceOptions {
  /** Names the upstream in logs and in the errors pullers get (the endpoint's name, not its URL). */
  name: string
  /** Built on the first upstream call (content served from the cache never needs it). */
  client: Promise<UpstreamClient>
  /** The repository's name upstream (after Docker Hub's `library/` mapping). */
  repository: string
  tagTtlMs: number
}

export function upstreamSource({ name, client, repository, tagTtlMs }: SourceOptions): UpstreamSource {
  // Every call is counted (lib/metrics): a request whose source was never called was a cache hit.
  const source: UpstreamSource = {
    name,
    tagTtlMs,
    headManifest: (reference) =>
      countUpstreamCall(
        source,
        'head_manifest',
        (async () => {
          const head = await (await client).headManifest(repository, reference, MANIFEST_TYPES)
          if (!head) throw new UpstreamError('not_found', `upstream ${name} has no manifest ${repository}:${reference}`, { upstream: name, status: 404 })
          return head
        })(),
      ),
    getManifest: (reference) => countUpstreamCall(source, 'get_manifest', (async () => (await client).getManifest(repository, reference, MANIFEST_TYPES))()),
    getBlob: (digest: Digest, signal) => countUpstreamCall(source, 'get_blob', (async () => (await client).getBlob(repository, digest, { signal }))()),
    getReferrers: (digest: Digest) => countUpstreamCall(source, 'get_referrers', (async () => (await client).getReferrers(repository, digest))()),
  }
  return source
}
