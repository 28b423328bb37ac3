/**
 * A small client for the REST API (/api/v1) in the HTTP tests: Basic credentials, a next-auth
 * session cookie (signed in through /api/auth/callback/credentials), or nothing.
 *
 *   const api = apiClient(reg.url)
 *   const res = await api.post('/api/v1/projects', { name, public: false }, { auth: { user, password } })
 *   res.status, res.json(), res.header('x-total-count')
 */
import { randomId } from './oci'

export interface ApiCredentials {
  user: string
  password: string
}

export interface ApiRequestOptions {
  /** Basic credentials, or a session cookie (`{ cookie }`), or nothing (anonymous). */
  auth?: ApiCredentials | { cookie: string }
  headers?: Record<string, string>
  /** A raw body (default: JSON of `body`). */
  raw?: string
}

export interface ApiResponse {
  status: number
  headers: Headers
  text: string
  json<T = any>(): T
  header(name: string): string | null
  /** `{"errors":[{code,…}]}`'s first code. */
  errorCode(): string | undefined
  describe(): string
}

export function basicHeader(c: ApiCredentials): string {
  return 'Basic ' + Buffer.from(`${c.user}:${c.password}`).toString('base64')
}

export class ApiClient {
  constructor(readonly url: string) {}

  async request(method: string, path: string, body?: unknown, opts: ApiRequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers }
    if (opts.auth && 'cookie' in opts.auth) {
      headers.cookie = opts.auth.cookie
      // A same-origin browser request carries Origin on unsafe methods; tests that check CSRF override it.
      if (!('origin' in headers) && !['GET', 'HEAD'].includes(method)) headers.origin = this.url
    } else if (opts.auth) headers.authorization = basicHeader(opts.auth)
    let payload: string | undefined
    if (opts.raw !== undefined) payload = opts.raw
    else if (body !== undefined) {
      payload = JSON.stringify(body)
      headers['content-type'] ??= 'application/json'
    }
    for (const key of Object.keys(headers)) if (headers[key] === '') delete headers[key]
    const res = await fetch(this.url + path, { method, headers, body: payload, redirect: 'manual' })
    const text = await res.text()
    return {
      status: res.status,
      headers: res.headers,
      text,
      json: () => JSON.parse(text),
      header: (name) => res.headers.get(name),
      errorCode: () => {
        try {
          return JSON.parse(text)?.errors?.[0]?.code
        } catch {
          return undefined
        }
      },
      describe: () => `${method} ${path} -> ${res.status} ${text.slice(0, 500)}`,
    }
  }

  get(path: string, opts?: ApiRequestOptions) {
    return this.request('GET', path, undefined, opts)
  }
  post(path: string, body: unknown, opts?: ApiRequestOptions) {
    return this.request('POST', path, body, opts)
  }
  put(path: string, body: unknown, opts?: ApiRequestOptions) {
    return this.request('PUT', path, body, opts)
  }
  patch(path: string, body: unknown, opts?: ApiRequestOptions) {
    return this.request('PATCH', path, body, opts)
  }
  delete(path: string, opts?: ApiRequestOptions) {
    return this.request('DELETE', path, undefined, opts)
  }

  /** Signs up a fresh user (unique name); returns its credentials. */
  async signup(prefix = 'u'): Promise<ApiCredentials & { email: string }> {
    const user = `${prefix}${randomId(8)}`
    const password = `pw-${randomId(16)}`
    const email = `${user}@example.test`
    const res = await this.post('/api/v1/users', { username: user, email, password })
    if (res.status !== 201) throw new Error(`signup failed: ${res.describe()}`)
    return { user, password, email }
  }

  /** Signs in through next-auth's credentials provider; returns the Cookie header value for the session. */
  async login(c: ApiCredentials): Promise<string> {
    const csrf = await fetch(this.url + '/api/auth/csrf')
    const jar = new Map<string, string>()
    const keep = (res: Response) => {
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';')
        const eq = pair.indexOf('=')
        jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1))
      }
    }
    keep(csrf)
    const { csrfToken } = (await csrf.json()) as { csrfToken: string }
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
    const res = await fetch(this.url + '/api/auth/callback/credentials', {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie(), origin: this.url },
      body: new URLSearchParams({ csrfToken, username: c.user, password: c.password, json: 'true' }).toString(),
    })
    keep(res)
    const session = [...jar.keys()].find((k) => k.endsWith('next-auth.session-token'))
    if (!session) throw new Error(`login failed for ${c.user}: ${res.status} ${await res.text()}`)
    return `${session}=${jar.get(session)}`
  }

  /** Logs out through next-auth (POST /api/auth/signout) with this session cookie. */
  async logout(sessionCookie: string): Promise<void> {
    const csrf = await fetch(this.url + '/api/auth/csrf')
    const csrfCookie = csrf.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ')
    const { csrfToken } = (await csrf.json()) as { csrfToken: string }
    const res = await fetch(this.url + '/api/auth/signout', {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${csrfCookie}; ${sessionCookie}`, origin: this.url },
      body: new URLSearchParams({ csrfToken, json: 'true' }).toString(),
    })
    if (res.status >= 400) throw new Error(`logout failed: ${res.status} ${await res.text()}`)
  }
}

export function apiClient(url: string): ApiClient {
  return new ApiClient(url)
}
