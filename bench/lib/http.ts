// A tiny HTTP/1.1 client on node:http with a keep-alive agent per scenario, the same for both
// registries. Handles Basic auth (preemptive) and, when the server asks for it, the Docker token
// flow (Bearer), the way docker/podman do.
import http from 'node:http'
import { once } from 'node:events'

export interface Credentials {
  user: string
  password: string
}

export type AuthMode = 'basic' | 'bearer'

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

/** One registry under test, with its auth state (shared by all clients of a run). */
export class Target {
  readonly base: URL
  /** Switched on when an anonymous pull was refused with 401 (basic mode only). */
  pullWithCreds = false
  readonly notes = new Set<string>()
  private readonly tokens = new Map<string, Promise<string>>()
  requests = 0
  challenges = 0

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

  tokenKey(kind: Kind, url: URL): string {
    if (kind === 'catalog') return 'catalog'
    const m = /^\/v2\/(.+?)\/(blobs|manifests|tags|referrers)\//.exec(url.pathname)
    return `${kind}:${m ? m[1] : url.pathname}`
  }

  cachedToken(key: string): Promise<string> | undefined {
    return this.tokens.get(key)
  }

  fetchToken(key: string, challenge: Record<string, string>, agent: http.Agent): Promise<string> {
    const p = (async () => {
      const realm = new URL(challenge.realm)
      if (challenge.service) realm.searchParams.set('service', challenge.service)
      if (challenge.scope) for (const s of challenge.scope.split(' ')) realm.searchParams.append('scope', s)
      if (this.creds) realm.searchParams.set('account', this.creds.user)
      const headers: Record<string, string> = {}
      const basic = this.basicHeader()
      if (basic) headers.authorization = basic
      const res = await rawRequest(agent, { method: 'GET', url: realm.toString(), kind: 'ping', headers }, headers, 30_000)
      if (res.status !== 200) {
        throw new HttpError('GET', realm.toString(), redact(headers), res.status, res.headers, res.body.toString('utf8', 0, 2000), 'token request failed')
      }
      const json = JSON.parse(res.body.toString('utf8')) as { token?: string; access_token?: string }
      const token = json.token ?? json.access_token
      if (!token) throw new Error(`token endpoint ${realm} answered without token/access_token`)
      return token
    })()
    this.tokens.set(key, p)
    p.catch(() => this.tokens.delete(key))
    return p
  }

  dropToken(key: string): void {
    this.tokens.delete(key)
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

async function rawRequest(agent: http.Agent, r: Req, headers: Record<string, string>, timeoutMs: number): Promise<Res> {
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
    if (t.authMode === 'bearer') {
      const tok = t.cachedToken(t.tokenKey(kind, url))
      return tok ? 'Bearer ' + (await tok) : undefined
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
      // A ping (GET /v2/) is an anonymous probe whose 401 is expected: it changes nothing.
      if (res.status === 401 && t.creds && r.kind !== 'ping' && attempt < 3 && (await this.on401(r.kind, url, res, auth))) continue
      if (r.expect && !r.expect.includes(res.status)) {
        throw new HttpError(r.method, full.url, redact(headers), res.status, res.headers, res.body.toString('utf8', 0, 4000))
      }
      return res
    }
  }

  /** Decides whether a 401 can be answered with credentials; true means retry. */
  private async on401(kind: Kind, url: URL, res: Res, sent: string | undefined): Promise<boolean> {
    const t = this.target
    t.challenges++
    const ch = parseChallenge(res.headers['www-authenticate'] as string | undefined)
    if (ch?.scheme === 'bearer' && ch.params.realm) {
      if (t.authMode === 'basic') {
        t.authMode = 'bearer'
        t.notes.add('the server answered Basic credentials with a Bearer challenge: switched to the token flow')
      }
      const key = t.tokenKey(kind, url)
      if (sent?.startsWith('Bearer ')) t.dropToken(key)
      await t.fetchToken(key, ch.params, this.agent)
      return true
    }
    if (ch?.scheme === 'basic' && t.authMode === 'bearer') {
      t.authMode = 'basic'
      t.notes.add('the server challenged with Basic, not Bearer: switched to preemptive Basic')
      return kind !== 'ping'
    }
    if (t.authMode === 'basic' && !sent) {
      if (kind === 'pull' && !t.pullWithCreds) {
        t.pullWithCreds = true
        t.notes.add('anonymous pulls were refused with 401: pulls sent with Basic credentials')
      }
      return kind !== 'ping'
    }
    return false
  }
}
