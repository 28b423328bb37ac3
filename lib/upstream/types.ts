// The shapes the upstream registry client (lib/upstream) takes and gives. An endpoint comes from
// lib/registries (stored, credentials decrypted); errors are typed so the pull-through cache can
// decide between serving stale content, answering the puller, and telling the administrator.
import type { Readable } from 'node:stream'

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

export type UpstreamErrorKind =
  /** The repository, manifest or blob does not exist upstream (404). */
  | 'not_found'
  /** The upstream or its token service refused the credentials (or their absence): 401/403. */
  | 'unauthorized'
  /** 429; `retryAfterSeconds` from Retry-After when given. */
  | 'rate_limited'
  /** 5xx, or an answer the protocol does not allow here. */
  | 'upstream_error'
  /** DNS failure, connection refused or reset, TLS failure, or refused by the SSRF guard. */
  | 'unreachable'
  /** No connection, no response head, or no body bytes within the configured time. */
  | 'timeout'
  /** Content that fails verification: digest mismatch, size over the cap, not a manifest. */
  | 'invalid'

export class UpstreamError extends Error {
  constructor(
    readonly kind: UpstreamErrorKind,
    message: string,
    readonly details: { upstream: string; status?: number; retryAfterSeconds?: number } = { upstream: '' },
  ) {
    super(message)
    this.name = 'UpstreamError'
  }
}

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
  /** The body as it arrives; it errors with an UpstreamError (`invalid`) instead of ending when the bytes do not match the digest. */
  stream: Readable
}

export type FetchedReferrers = { supported: true; bytes: Buffer; mediaType: string } | { supported: false }

export type PingResult = { ok: true } | { ok: false; kind: UpstreamErrorKind; message: string }
