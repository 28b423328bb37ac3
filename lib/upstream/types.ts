// The shapes the upstream registry client (lib/upstream) takes and gives. An endpoint comes from
// lib/registries (stored, credentials decrypted); errors are typed so the pull-through cache can
// decide between serving stale content, answering the puller, and telling the administrator.
import type { Readable } from 'node:stream'
import type { UpstreamErrorKind } from '@registry-core'

export type UpstreamType = 'docker-hub' | 'distribution' | 'harbor'

export type UpstreamCredentials =
  | { kind: 'anonymous' }
  /** Sent as HTTP Basic to a Basic upstream, and to the token realm of a Bearer upstream. */
  | { kind: 'basic'; username: string; password: string }
  /** A bearer token for the registry itself, sent as `Authorization: Bearer` on every request. */
  | { kind: 'token'; token: string }

export interface UpstreamEndpoint {
  url: string
  type: UpstreamType
  /** Skip TLS certificate verification (self-signed upstreams). */
  insecure: boolean
  credentials: UpstreamCredentials
}

// One error type for the client and the pull-through cache: the engine (registry-core) tells an
// upstream's failure from its own by this class, including when a blob stream errors mid-way.
export { UpstreamError, type UpstreamErrorKind } from '@registry-core'

export interface ManifestHead {
  digest: string
  mediaType: string
  size: number
}

export interface FetchedManifest {
  bytes: Buffer
  mediaType: string
  digest: string
}

export interface FetchedBlob {
  /** From Content-Length; null when the upstream did not say. */
  size: number | null
  /** The body as it arrives, unverified: the consumer checks it against the digest. */
  stream: Readable
}

export type FetchedReferrers = { supported: true; bytes: Buffer; mediaType: string } | { supported: false }

export type PingResult = { ok: true } | { ok: false; kind: UpstreamErrorKind; message: string }
