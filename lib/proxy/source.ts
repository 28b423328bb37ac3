// One upstream repository behind a proxy-cache repository, as the engine's UpstreamSource: the
// endpoint's client (lib/upstream) bound to the repository name upstream.
import { MediaTypes, UpstreamError, type Digest, type UpstreamSource } from '@registry-core'
import type { UpstreamClient } from '../upstream'

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
  return {
    name,
    tagTtlMs,
    async headManifest(reference) {
      const head = await (await client).headManifest(repository, reference, MANIFEST_TYPES)
      if (!head) throw new UpstreamError('not_found', `upstream ${name} has no manifest ${repository}:${reference}`, { upstream: name, status: 404 })
      return head
    },
    getManifest: async (reference) => (await client).getManifest(repository, reference, MANIFEST_TYPES),
    getBlob: async (digest: Digest, signal) => (await client).getBlob(repository, digest, { signal }),
    getReferrers: async (digest: Digest) => (await client).getReferrers(repository, digest),
  }
}
