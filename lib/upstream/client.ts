// The client the pull-through cache uses to read from an upstream registry: manifests (HEAD and
// GET), blobs (streamed as they arrive; the caller verifies them) and referrers, with anonymous, Basic and
// Docker-token authentication. Everything that goes wrong is an UpstreamError with a kind.
//
// Authentication follows what the upstream asks for, as docker does: the first request goes out
// without credentials (or with the endpoint's static token); a `401 WWW-Authenticate: Basic`
// makes this client send Basic from then on, a `Bearer realm=…` makes it fetch a token from the
// realm (with the endpoint's Basic credentials, if any) and retry once. Tokens are cached per
// scope until shortly before they expire and fetched ahead of the request once the realm is known.
import type http from 'node:http'
import { hexDigest, isSupportedDigest, isValidName, isValidTag, type HashAlgorithm } from '@registry-core'
import { TokenCache, parseChallenge, readTokenResponse, type Challenge } from './auth'
import { registryBaseUrl } from './names'
import { UpstreamTransport } from './transport'
import { UpstreamError, type FetchedBlob, type FetchedManifest, type FetchedReferrers, type ManifestHead, type PingResult, type UpstreamEndpoint } from './types'

export interface UpstreamClientOptions {
  /** Private networks (CIDRs) upstreams may be in: the config's `upstream.allowedNetworks`. */
  allowedNetworks: string[]
  connectTimeoutMs?: number
  headersTimeoutMs?: number
  bodyIdleTimeoutMs?: number
  /** Manifests and referrer indexes larger than this are refused as `invalid`. Default 4 MiB. */
  maxManifestBytes?: number
  /** The clock token lifetimes are measured on (ms since the epoch). */
  now?: () => number
}

const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024
const MAX_REDIRECTS = 5
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'

interface Call {
  method: 'GET' | 'HEAD'
  /** After the registry base, e.g. `/v2/library/alpine/manifests/latest`. */
  path: string
  accept?: string[]
  /** Token scope, e.g. `repository:library/alpine:pull`; empty for `/v2/`. */
  scope: string
  signal?: AbortSignal
}

interface Answer {
  res: http.IncomingMessage
  /** The URL that answered (after redirects). */
  url: URL
}

export class UpstreamClient {
  private readonly transport: UpstreamTransport
  private readonly base: string
  private readonly tokens = new TokenCache()
  private readonly pendingTokens = new Map<string, Promise<string>>()
  private readonly now: () => number
  private readonly maxManifestBytes: number
  /** Learned from the first challenge: how this upstream wants to be authenticated. */
  private scheme: 'none' | 'basic' | 'bearer' = 'none'
  private bearerChallenge: Challenge | undefined

  constructor(
    private readonly endpoint: UpstreamEndpoint,
    options: UpstreamClientOptions,
  ) {
    this.base = registryBaseUrl(endpoint)
    this.transport = new UpstreamTransport({
      allowedNetworks: options.allowedNetworks,
      insecure: endpoint.insecure,
      upstream: this.base,
      connectTimeoutMs: options.connectTimeoutMs,
      headersTimeoutMs: options.headersTimeoutMs,
      bodyIdleTimeoutMs: options.bodyIdleTimeoutMs,
    })
    this.now = options.now ?? Date.now
    this.maxManifestBytes = options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES
  }

  /** The manifest's digest, media type and size by one HEAD (Docker Hub does not count HEADs); null when it does not exist. */
  async headManifest(repository: string, reference: string, accept: string[]): Promise<ManifestHead | null> {
    this.checkReference(repository, reference)
    const { res } = await this.call({ method: 'HEAD', path: `/v2/${repository}/manifests/${reference}`, accept, scope: pullScope(repository) })
    await this.transport.discard(res)
    if (res.statusCode === 404) return null
    await this.expectSuccess(res, `manifest ${repository}:${reference}`)
    const digest = header(res, 'docker-content-digest') ?? (isDigest(reference) ? reference : undefined)
    if (!digest || !isSupportedDigest(digest)) throw this.transport.error('invalid', `HEAD of manifest ${repository}:${reference} gave no usable Docker-Content-Digest`)
    if (isDigest(reference) && digest !== reference) throw this.transport.error('invalid', `HEAD of manifest ${repository}@${reference} answered digest ${digest}`)
    const size = Number(header(res, 'content-length'))
    if (!Number.isSafeInteger(size) || size < 0) throw this.transport.error('invalid', `HEAD of manifest ${repository}:${reference} gave no Content-Length`)
    const mediaType = bareMediaType(header(res, 'content-type'))
    if (!mediaType) throw this.transport.error('invalid', `HEAD of manifest ${repository}:${reference} gave no Content-Type`)
    return { digest, mediaType, size }
  }

  /**
   * The manifest's bytes, verified: against the requested digest, and against Docker-Content-Digest
   * when the upstream sends one; the digest returned is that verified digest (sha256 of the bytes
   * when the upstream names none).
   */
  async getManifest(repository: string, reference: string, accept: string[]): Promise<FetchedManifest> {
    this.checkReference(repository, reference)
    const what = `manifest ${repository}${isDigest(reference) ? '@' : ':'}${reference}`
    const { res } = await this.call({ method: 'GET', path: `/v2/${repository}/manifests/${reference}`, accept, scope: pullScope(repository) })
    await this.expectSuccess(res, what)
    const bytes = await this.readBody(res, what)
    const parsed = this.parseJson(bytes, what)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw this.transport.error('invalid', `${what} is not a JSON object`)
    const declared = header(res, 'docker-content-digest')
    const expected = [isDigest(reference) ? reference : undefined, declared && isSupportedDigest(declared) ? declared : undefined].filter((d): d is string => !!d)
    for (const digest of expected) {
      const actual = digestOf(bytes, digest)
      if (actual !== digest) throw this.transport.error('invalid', `${what} does not match its digest: expected ${digest}, got ${actual}`)
    }
    const fromBody = (parsed as { mediaType?: unknown }).mediaType
    const contentType = bareMediaType(header(res, 'content-type'))
    const mediaType =
      contentType && contentType !== 'application/json' && contentType !== 'application/octet-stream' ? contentType : typeof fromBody === 'string' ? fromBody : undefined
    if (!mediaType) throw this.transport.error('invalid', `${what} has no media type (neither Content-Type nor mediaType)`)
    return { bytes, mediaType, digest: expected[0] ?? `sha256:${hexDigest(bytes)}` }
  }

  /**
   * The blob as a stream, as it arrives (never buffered) and unverified: the consumer hashes it
   * against `digest` before it trusts it (the proxy's blob store does as it writes). Redirects (blob storage behind a
   * CDN) are followed, without our credentials when they leave the upstream's origin. When
   * `signal` aborts, the call rejects (or the stream errors) with the signal's reason.
   */
  async getBlob(repository: string, digest: string, options: { signal?: AbortSignal } = {}): Promise<FetchedBlob> {
    if (!isValidName(repository)) throw this.transport.error('invalid', `"${repository}" is not a repository name`)
    if (!isSupportedDigest(digest)) throw this.transport.error('invalid', `"${digest}" is not a supported digest`)
    const what = `blob ${digest} in ${repository}`
    const { res } = await this.call({ method: 'GET', path: `/v2/${repository}/blobs/${digest}`, scope: pullScope(repository), signal: options.signal })
    await this.expectSuccess(res, what)
    const declared = Number(header(res, 'content-length'))
    // A signal that fires mid-body ends the stream with its reason, as it ends the call before.
    const signal = options.signal
    if (signal) {
      const abort = () => res.destroy(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)))
      signal.addEventListener('abort', abort, { once: true })
      res.once('close', () => signal.removeEventListener('abort', abort))
    }
    // Not hashed here too: that was a second pass over every byte the store hashes anyway.
    return { size: Number.isSafeInteger(declared) && declared >= 0 ? declared : null, stream: res }
  }

  private parseJson(bytes: Buffer, what: string): unknown {
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown
    } catch {
      throw this.transport.error('invalid', `${what} is not JSON`)
    }
  }

  /** The referrers index of a manifest; `{ supported: false }` when the upstream has no referrers API (404). */
  async getReferrers(repository: string, digest: string): Promise<FetchedReferrers> {
    this.checkReference(repository, digest)
    const what = `referrers of ${repository}@${digest}`
    const { res } = await this.call({ method: 'GET', path: `/v2/${repository}/referrers/${digest}`, accept: [OCI_INDEX], scope: pullScope(repository) })
    if (res.statusCode === 404) {
      await this.transport.discard(res)
      return { supported: false }
    }
    await this.expectSuccess(res, what)
    const bytes = await this.readBody(res, what)
    const parsed = this.parseJson(bytes, what)
    if (!Array.isArray((parsed as { manifests?: unknown } | null)?.manifests)) throw this.transport.error('invalid', `${what} is not an image index`)
    return { supported: true, bytes, mediaType: bareMediaType(header(res, 'content-type')) ?? OCI_INDEX }
  }

  /** `GET /v2/` with the endpoint's credentials, through the token flow when the upstream asks for it. */
  async ping(): Promise<void> {
    const { res } = await this.call({ method: 'GET', path: '/v2/', scope: '' })
    if (res.statusCode === 404) {
      await this.transport.discard(res)
      throw this.transport.error('not_found', `no registry API at ${this.base}/v2/ (404)`)
    }
    await this.expectSuccess(res, 'the registry API (/v2/)')
    await this.transport.discard(res)
  }

  /** Closes pooled connections. */
  close(): void {
    this.transport.close()
  }

  private checkReference(repository: string, reference: string): void {
    if (!isValidName(repository)) throw this.transport.error('invalid', `"${repository}" is not a repository name`)
    if (isDigest(reference) ? !isSupportedDigest(reference) : !isValidTag(reference)) {
      throw this.transport.error('invalid', `"${reference}" is not a tag or supported digest`)
    }
  }

  private readBody(res: http.IncomingMessage, what: string): Promise<Buffer> {
    return this.transport.readAll(res, this.maxManifestBytes, what).catch((error: unknown) => {
      throw this.transport.classify(error, new URL(this.base))
    })
  }

  /** Sends the call with whatever authentication the upstream wants; answers anything but a 401. */
  private async call(call: Call): Promise<Answer> {
    const credentials = this.endpoint.credentials
    const first = await this.authorization(call.scope)
    const answer = await this.follow(call, first)
    if (answer.res.statusCode !== 401) return answer
    const challenge = parseChallenge(header(answer.res, 'www-authenticate'))
    await this.transport.discard(answer.res)
    if (credentials.kind === 'token') throw this.refused('refused the endpoint token')
    if (!challenge) throw this.refused('answered 401 without a Basic or Bearer challenge')
    let retry: string
    const basicRefused = credentials.kind === 'basic' ? `refused the username and password of ${credentials.username}` : ''
    if (challenge.scheme === 'basic') {
      if (credentials.kind !== 'basic') throw this.refused('requires a username and password (Basic), and the endpoint has none')
      if (this.scheme === 'basic') throw this.refused(basicRefused)
      this.scheme = 'basic'
      retry = basicAuthorization(credentials.username, credentials.password)
    } else {
      this.scheme = 'bearer'
      this.bearerChallenge = challenge
      // The token we sent was refused (revoked, or expired early): one fresh token, one retry.
      this.tokens.delete(call.scope)
      retry = `Bearer ${await this.token(challenge, call.scope)}`
    }
    const second = await this.follow(call, retry)
    if (second.res.statusCode === 401) {
      await this.transport.discard(second.res)
      if (challenge.scheme === 'basic') throw this.refused(basicRefused)
      throw this.refused(
        credentials.kind === 'basic'
          ? `refused the token issued for ${credentials.username}: no pull access to ${call.scope || '/v2/'}`
          : 'requires credentials, and the endpoint has none',
      )
    }
    return second
  }

  private async authorization(scope: string): Promise<string | undefined> {
    const credentials = this.endpoint.credentials
    if (credentials.kind === 'token') return `Bearer ${credentials.token}`
    if (this.scheme === 'basic' && credentials.kind === 'basic') return basicAuthorization(credentials.username, credentials.password)
    if (this.scheme === 'bearer' && this.bearerChallenge) return `Bearer ${await this.token(this.bearerChallenge, scope)}`
    return undefined
  }

  /** A token for `scope` from the cache, or from the realm (one request per scope at a time). */
  private token(challenge: Challenge, scope: string): Promise<string> {
    const cached = this.tokens.get(scope, this.now())
    if (cached) return Promise.resolve(cached)
    let pending = this.pendingTokens.get(scope)
    if (!pending) {
      pending = this.fetchToken(challenge, scope).finally(() => this.pendingTokens.delete(scope))
      this.pendingTokens.set(scope, pending)
    }
    return pending
  }

  private async fetchToken(challenge: Challenge, scope: string): Promise<string> {
    const { realm, service } = challenge.params
    if (!realm) throw this.refused('sent a Bearer challenge without a realm')
    let url: URL
    try {
      url = new URL(realm)
    } catch {
      throw this.transport.error('upstream_error', `the token realm "${realm}" is not a URL`)
    }
    if (service) url.searchParams.set('service', service)
    const wanted = scope || challenge.params.scope
    if (wanted) url.searchParams.set('scope', wanted)
    const credentials = this.endpoint.credentials
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (credentials.kind === 'basic') headers.Authorization = basicAuthorization(credentials.username, credentials.password)
    const res = await this.transport.send({ method: 'GET', url: url.href, headers })
    const status = res.statusCode ?? 0
    if (status === 401 || status === 403) {
      await this.transport.discard(res)
      throw this.refused(
        credentials.kind === 'basic'
          ? `its token service ${url.origin}${url.pathname} refused the credentials of ${credentials.username} (${status})`
          : `its token service ${url.origin}${url.pathname} refused an anonymous token (${status}); the endpoint needs credentials`,
      )
    }
    await this.expectSuccess(res, `the token service ${url.origin}${url.pathname}`)
    const body = await this.transport.readAll(res, MAX_TOKEN_RESPONSE_BYTES, 'the token response').catch((error: unknown) => {
      throw this.transport.classify(error, url)
    })
    let parsed: unknown
    try {
      parsed = JSON.parse(body.toString('utf8'))
    } catch {
      parsed = null
    }
    const token = readTokenResponse(parsed, this.now())
    if (!token) throw this.transport.error('upstream_error', `the token service ${url.origin}${url.pathname} answered without a token`)
    this.tokens.set(scope, token)
    return token.token
  }

  /** Sends the call, following redirects (each through the guard), without credentials off the upstream's origin. */
  private async follow(call: Call, authorization: string | undefined): Promise<Answer> {
    let url = new URL(`${this.base}${call.path}`)
    const origin = url.origin
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = {}
      if (call.accept && call.accept.length > 0) headers.Accept = call.accept.join(', ')
      if (authorization && url.origin === origin) headers.Authorization = authorization
      const res = await this.transport.send({ method: call.method, url: url.href, headers, signal: call.signal })
      const status = res.statusCode ?? 0
      const location = header(res, 'location')
      if (![301, 302, 303, 307, 308].includes(status) || !location) return { res, url }
      await this.transport.discard(res)
      if (hop === MAX_REDIRECTS) throw this.transport.error('upstream_error', `more than ${MAX_REDIRECTS} redirects for ${call.path}`)
      url = new URL(location, url)
    }
  }

  /** Throws the UpstreamError for a status other than 2xx (reading the error body's message). */
  private async expectSuccess(res: http.IncomingMessage, what: string): Promise<void> {
    const status = res.statusCode ?? 0
    if (status >= 200 && status < 300) return
    const detail = ociMessage(await this.transport.readSnippet(res))
    const suffix = detail ? `: ${detail}` : ''
    if (status === 404) throw this.transport.error('not_found', `${what} not found (404)${suffix}`, { status })
    if (status === 401 || status === 403) throw this.transport.error('unauthorized', `access to ${what} denied (${status})${suffix}`, { status })
    if (status === 429) {
      const retryAfterSeconds = parseRetryAfter(header(res, 'retry-after'), this.now())
      const when = retryAfterSeconds === undefined ? '' : ` (retry after ${retryAfterSeconds} s)`
      throw this.transport.error('rate_limited', `rate limited on ${what} (429)${when}${suffix}`, { status, retryAfterSeconds })
    }
    throw this.transport.error('upstream_error', `${what} answered ${status}${suffix}`, { status })
  }

  private refused(message: string): UpstreamError {
    return this.transport.error('unauthorized', message, { status: 401 })
  }
}

export function createUpstreamClient(endpoint: UpstreamEndpoint, options: UpstreamClientOptions): UpstreamClient {
  return new UpstreamClient(endpoint, options)
}

/** Checks reachability and credentials: what the admin's ping button shows. Never throws. */
export async function pingUpstream(endpoint: UpstreamEndpoint, options: UpstreamClientOptions): Promise<PingResult> {
  let client: UpstreamClient
  try {
    client = new UpstreamClient(endpoint, options)
  } catch (error) {
    return { ok: false, kind: 'invalid', message: `"${endpoint.url}" is not a usable URL: ${(error as Error).message}` }
  }
  try {
    await client.ping()
    return { ok: true }
  } catch (error) {
    if (error instanceof UpstreamError) return { ok: false, kind: error.kind, message: error.message }
    return { ok: false, kind: 'unreachable', message: `upstream ${endpoint.url}: ${(error as Error).message}` }
  } finally {
    client.close()
  }
}

function pullScope(repository: string): string {
  return `repository:${repository}:pull`
}

function isDigest(reference: string): boolean {
  return reference.includes(':')
}

function digestOf(bytes: Buffer, like: string): string {
  const algorithm = like.slice(0, like.indexOf(':')) as HashAlgorithm
  return `${algorithm}:${hexDigest(bytes, algorithm)}`
}

function header(res: http.IncomingMessage, name: string): string | undefined {
  const value = res.headers[name]
  return Array.isArray(value) ? value[0] : value
}

function bareMediaType(contentType: string | undefined): string | undefined {
  const bare = contentType?.split(';')[0].trim()
  return bare ? bare : undefined
}

function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
}

/** Seconds to wait, from `Retry-After: 120` or an HTTP date. */
function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim())
  const date = Date.parse(value)
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - now) / 1000)) : undefined
}

/** The first message of an OCI error body, or a short plain-text body. */
function ociMessage(body: string): string {
  try {
    const first = (JSON.parse(body) as { errors?: Array<{ code?: string; message?: string }> }).errors?.[0]
    if (first) return [first.code, first.message].filter(Boolean).join(' ')
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 200)
}
