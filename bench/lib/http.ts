// A tiny HTTP/1.1 client on node:http with a keep-alive agent per scenario, the same for both
// registries. Authenticates as docker/podman/skopeo do (the Docker token flow: anonymous request,
// 401 with a Bearer challenge, a token from the realm per repository and scope, cached until it
// expires), or with preemptive Basic on writes (`basic`).
import http from 'node:http'
import { once } from 'node:events'

export interface Credentials {
  user: string
  password: string
}

/** `token`: the Docker token flow (what docker, podman and skopeo do); `basic`: preemptive Basic on writes. */
export type AuthMode = 'basic' | 'token'

/** What a request does, for authorization: `ping` is GET /v2/, `catalog` is /v2/_catalog. */
export type Kind = 'ping' | 'pull' | 'push' | 'delete' | 'catalog'

export type Body = Buffer | (() => AsyncIterable<Buffer>)

export interface Req {
  method: string
  /** A path (`/v2/...`) relative to the target, or an absolute URL (an upload Location). */
  url: string
  kind: Kind
  headers?: Record<string, string>
  body?: Body
  /** For an iterable body: the Content-Length to announce (omit for chunked). */
  contentLength?: number
  /** Send the body with Transfer-Encoding: chunked (no Content-Length), like containers/image PATCHes layers. */
  chunked?: boolean
  /** Statuses that count as success; anything else throws HttpError. */
  expect?: number[]
  /** Count the response body's bytes but do not keep them (blob pulls). */
  discard?: boolean
  timeoutMs?: number
}

export interface Res {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  bytes: number
  /** Milliseconds from sending the request to the first body byte (to the headers for an empty body). */
  firstByteMs: number
  url: string
}

/** A failed request, with everything needed to reproduce it. */
export class HttpError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly requestHeaders: Record<string, string>,
    readonly status: number | null,
    readonly responseHeaders: http.IncomingHttpHeaders | null,
    readonly responseBody: string,
    cause?: string,
  ) {
    super(
      [
        `${method} ${url} -> ${status ?? 'no response'}${cause ? ` (${cause})` : ''}`,
        `    request headers: ${JSON.stringify(requestHeaders)}`,
        ...(responseHeaders ? [`    response headers: ${JSON.stringify(responseHeaders)}`] : []),
        ...(responseBody ? [`    response body: ${responseBody}`] : []),
      ].join('\n'),
    )
    this.name = 'HttpError'
  }
  toJSON(): Record<string, unknown> {
    return {
      method: this.method,
      url: this.url,
      requestHeaders: this.requestHeaders,
      status: this.status,
      responseHeaders: this.responseHeaders,
      responseBody: this.responseBody,
      message: this.message,
    }
  }
}

/** A token from the realm, cached per repository and scope until it expires (as containers/image does). */
interface CachedToken {
  token: Promise<string>
  /** performance.now() after which it is no longer sent; Infinity until the response says. */
  expiresAt: number
}

/** Where a Bearer challenge sends clients for tokens: learned from the first 401. */
interface Realm {
  realm: string
  service?: string
}

/** One registry under test, with its auth state (shared by all clients of a run). */
export class Target {
  readonly base: URL
  /** Switched on when an anonymous pull was refused with 401 (basic mode only). */
  pullWithCreds = false
  readonly notes = new Set<string>()
  private readonly tokens = new Map<string, CachedToken>()
  private realm: Realm | undefined
  requests = 0
  /** 401 answers to requests that were not pings. */
  challenges = 0
  /** Token requests sent to the realm (`/service/token`). */
  tokenFetches = 0

  constructor(
    readonly label: string,
    base: string,
    readonly creds: Credentials | undefined,
    public authMode: AuthMode,
  ) {
    this.base = new URL(base)
  }

  basicHeader(): string | undefined {
    if (!this.creds) return undefined
    return 'Basic ' + Buffer.from(`${this.creds.user}:${this.creds.password}`).toString('base64')
  }

  /**
   * The scope a client asks for: containers/image asks `pull` for reads and `pull,push` for writes,
   * one token per repository and scope; `registry:catalog:*` for the catalog.
   */
  scopeFor(kind: Kind, url: URL): string | undefined {
    if (kind === 'catalog') return 'registry:catalog:*'
    if (kind === 'ping') return undefined
    const m = /^\/v2\/(.+?)\/(blobs|manifests|tags|referrers)\//.exec(url.pathname)
    const repo = m ? m[1] : url.pathname
    return `repository:${repo}:${kind === 'pull' ? 'pull' : kind === 'push' ? 'pull,push' : 'delete'}`
  }

  /** Remembers the realm of a Bearer challenge (also from the anonymous `GET /v2/`, as clients do). */
  learnChallenge(header: string | undefined): void {
    const ch = parseChallenge(header)
    if (ch?.scheme === 'bearer' && ch.params.realm) this.realm = { realm: ch.params.realm, service: ch.params.service }
  }

  knowsRealm(): boolean {
    return this.realm !== undefined
  }

  /** A token for `scope` that has not expired, if one is cached or being fetched. */
  cachedToken(scope: string): Promise<string> | undefined {
    const t = this.tokens.get(scope)
    if (!t) return undefined
    if (performance.now() >= t.expiresAt) {
      this.tokens.delete(scope)
      return undefined
    }
    return t.token
  }

  /** GET <realm>?service=…&scope=… with Basic credentials; concurrent callers for one scope share it. */
  fetchToken(scope: string, agent: http.Agent): Promise<string> {
    const pending = this.cachedToken(scope)
    if (pending) return pending
    if (!this.realm) throw new Error(`${this.label}: no Bearer challenge seen yet, so no realm to ask for a token`)
    const realm = new URL(this.realm.realm)
    if (this.realm.service) realm.searchParams.set('service', this.realm.service)
    realm.searchParams.append('scope', scope)
    if (this.creds) realm.searchParams.set('account', this.creds.user)
    const entry: CachedToken = { token: Promise.resolve(''), expiresAt: Infinity }
    entry.token = (async () => {
      const headers: Record<string, string> = {}
      const basic = this.basicHeader()
      if (basic) headers.authorization = basic
      this.tokenFetches++
      const started = performance.now()
      const res = await rawRequest(agent, { method: 'GET', url: realm.toString(), kind: 'ping', headers }, headers, 30_000)
      if (res.status !== 200) {
        throw new HttpError('GET', realm.toString(), redact(headers), res.status, res.headers, res.body.toString('utf8', 0, 2000), 'token request failed')
      }
      const json = JSON.parse(res.body.toString('utf8')) as { token?: string; access_token?: string; expires_in?: number }
      const token = json.token ?? json.access_token
      if (!token) throw new Error(`token endpoint ${realm} answered without token/access_token`)
      // The spec's default lifetime is 60 s; stop using a token a little before it expires, as clients do.
      const lifetimeMs = (json.expires_in && json.expires_in > 0 ? json.expires_in : 60) * 1000
      entry.expiresAt = started + lifetimeMs - Math.min(5000, lifetimeMs / 10)
      return token
    })()
    this.tokens.set(scope, entry)
    entry.token.catch(() => this.dropToken(scope, entry))
    return entry.token
  }

  /** Forgets a token the server refused (only if it is still the cached one). */
  dropToken(scope: string, entry?: CachedToken): void {
    if (!entry || this.tokens.get(scope) === entry) this.tokens.delete(scope)
  }
}

/** Parses `Bearer realm="…",service="…",scope="…"` (or Basic realm=…). */
export function parseChallenge(h: string | undefined): { scheme: string; params: Record<string, string> } | null {
  if (!h) return null
  const m = /^\s*(\w+)\s*(.*)$/.exec(h)
  if (!m) return null
  const params: Record<string, string> = {}
  const re = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g
  let x: RegExpExecArray | null
  while ((x = re.exec(m[2])) !== null) params[x[1].toLowerCase()] = x[2] ?? x[3] ?? ''
  return { scheme: m[1].toLowerCase(), params }
}

function redact(h: Record<string, string>): Record<string, string> {
  const out = { ...h }
  if (out.authorization) out.authorization = out.authorization.replace(/ .*/, ' <redacted>')
  return out
}

async function rawRequest(agent: http.Agent, r: Req, headers: Record<string, string>, timeoutMs: number, retryStale = true): Promise<Res> {
  const started = performance.now()
  const url = new URL(r.url)
  const hdrs: Record<string, string> = { ...headers }
  const body = r.body
  if (body === undefined) {
    if (r.method === 'PUT' || r.method === 'POST' || r.method === 'PATCH') hdrs['content-length'] = '0'
  } else if (r.chunked) {
    hdrs['transfer-encoding'] = 'chunked'
  } else if (Buffer.isBuffer(body)) {
    hdrs['content-length'] = String(body.length)
  } else if (r.contentLength !== undefined) {
    hdrs['content-length'] = String(r.contentLength)
  }
  const req = http.request({
    agent,
    method: r.method,
    host: url.hostname,
    port: url.port,
    path: url.pathname + url.search,
    headers: hdrs,
  })
  let responded = false
  let stoppedEarly = false
  let reqError: Error | null = null
  const resP = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.once('response', (m) => {
      responded = true
      resolve(m)
    })
    req.once('error', (e) => {
      reqError = e
      reject(e)
    })
  })
  resP.catch(() => undefined)
  req.setTimeout(timeoutMs, () => req.destroy(new Error(`no progress for ${timeoutMs} ms`)))
  const fail = (e: unknown, status: number | null = null, resHeaders: http.IncomingHttpHeaders | null = null): never => {
    throw new HttpError(r.method, r.url, redact(hdrs), status, resHeaders, '', e instanceof Error ? e.message : String(e))
  }
  try {
    if (body === undefined) {
      req.end()
    } else if (Buffer.isBuffer(body)) {
      if (r.chunked) req.write(body)
      req.end(r.chunked ? undefined : body)
    } else {
      for await (const chunk of body()) {
        if (responded || reqError) {
          stoppedEarly = true // the server answered before taking the whole body: stop sending
          break
        }
        if (!req.write(chunk)) {
          await Promise.race([
            once(req, 'drain'),
            resP.then(
              () => undefined,
              () => undefined,
            ),
          ])
        }
      }
      if (!reqError && !stoppedEarly) req.end()
    }
  } catch (e) {
    fail(e)
  }
  let msg: http.IncomingMessage
  try {
    msg = await resP
  } catch (e) {
    // A kept-alive socket the server closed while it was idle: resend once, as Go's and curl's clients do
    // (only bodies that can be sent again).
    if (req.reusedSocket && retryStale && (body === undefined || Buffer.isBuffer(body))) return rawRequest(agent, r, headers, timeoutMs, false)
    return fail(e)
  }
  const chunks: Buffer[] = []
  let bytes = 0
  let firstByteMs = performance.now() - started
  try {
    for await (const c of msg as AsyncIterable<Buffer>) {
      if (bytes === 0) firstByteMs = performance.now() - started
      bytes += c.length
      if (!r.discard) chunks.push(c)
    }
  } catch (e) {
    fail(e, msg.statusCode ?? null, msg.headers)
  }
  if (stoppedEarly) req.destroy() // the connection is in an unknown state: do not reuse it
  return { status: msg.statusCode ?? 0, headers: msg.headers, body: Buffer.concat(chunks), bytes, firstByteMs, url: r.url }
}

/** A keep-alive client for one target, sized for one scenario's concurrency. */
export class Client {
  readonly agent: http.Agent

  constructor(
    readonly target: Target,
    concurrency: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency })
  }

  close(): void {
    this.agent.destroy()
  }

  resolve(url: string): string {
    return new URL(url, this.target.base).toString()
  }

  private async authFor(kind: Kind, url: URL): Promise<string | undefined> {
    const t = this.target
    if (!t.creds || kind === 'ping') return undefined
    if (t.authMode === 'token') {
      // Before the first challenge the request goes anonymous; after it, a token per repository and scope.
      const scope = t.scopeFor(kind, url)
      if (!scope || !t.knowsRealm()) return undefined
      return 'Bearer ' + (await t.fetchToken(scope, this.agent))
    }
    if (kind === 'pull' && !t.pullWithCreds) return undefined
    return t.basicHeader()
  }

  async request(r: Req): Promise<Res> {
    const t = this.target
    const url = new URL(r.url, t.base)
    const full: Req = { ...r, url: url.toString() }
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { ...(r.headers ?? {}) }
      const auth = await this.authFor(r.kind, url)
      if (auth) headers.authorization = auth
      t.requests++
      const res = await rawRequest(this.agent, full, headers, r.timeoutMs ?? 120_000)
      // A ping (GET /v2/) is an anonymous probe whose 401 is expected: it only tells where tokens come from.
      if (res.status === 401 && r.kind === 'ping') t.learnChallenge(res.headers['www-authenticate'] as string | undefined)
      if (res.status === 401 && t.creds && r.kind !== 'ping' && attempt < 3 && this.on401(r.kind, url, res, auth)) continue
      if (r.expect && !r.expect.includes(res.status)) {
        throw new HttpError(r.method, full.url, redact(headers), res.status, res.headers, res.body.toString('utf8', 0, 4000))
      }
      return res
    }
  }

  /** Decides whether a 401 can be answered with credentials; true means retry. */
  private on401(kind: Kind, url: URL, res: Res, sent: string | undefined): boolean {
    const t = this.target
    t.challenges++
    const header = res.headers['www-authenticate'] as string | undefined
    const ch = parseChallenge(header)
    if (ch?.scheme === 'bearer' && ch.params.realm) {
      if (t.authMode === 'basic') {
        t.authMode = 'token'
        t.notes.add('the server answered Basic credentials with a Bearer challenge: switched to the token flow')
      }
      t.learnChallenge(header)
      // A refused token is fetched again once; the retry asks the realm (authFor).
      const scope = t.scopeFor(kind, url)
      if (sent?.startsWith('Bearer ') && scope) t.dropToken(scope)
      return true
    }
    if (ch?.scheme === 'basic' && t.authMode === 'token') {
      t.authMode = 'basic'
      t.notes.add('the server challenged with Basic, not Bearer: switched to preemptive Basic')
      return true
    }
    if (t.authMode === 'basic' && !sent) {
      if (kind === 'pull' && !t.pullWithCreds) {
        t.pullWithCreds = true
        t.notes.add('anonymous pulls were refused with 401: pulls sent with Basic credentials')
      }
      return true
    }
    return false
  }
}
