// Upstream authentication: the `WWW-Authenticate` challenge, and the Docker token flow's token
// cache (distribution's docs/spec/auth/token.md: `GET realm?service=…&scope=…` with optional Basic
// credentials answers `{ token | access_token, expires_in?, issued_at? }`; expires_in defaults to 60 s).

export interface Challenge {
  scheme: 'basic' | 'bearer'
  params: Record<string, string>
}

/**
 * Parses `Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"`
 * (or `Basic realm="…"`). Only the first challenge is taken; unknown schemes give null.
 */
export function parseChallenge(header: string | undefined): Challenge | null {
  if (!header) return null
  const match = /^\s*(Basic|Bearer)\b\s*(.*)$/i.exec(header)
  if (!match) return null
  const params: Record<string, string> = {}
  const param = /([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/g
  for (let found = param.exec(match[2]); found; found = param.exec(match[2])) {
    params[found[1].toLowerCase()] = found[2] !== undefined ? found[2].replace(/\\(.)/g, '$1') : found[3]
  }
  return { scheme: match[1].toLowerCase() as Challenge['scheme'], params }
}

/** Lifetime the token spec assumes when a token service does not say. */
export const DEFAULT_TOKEN_LIFETIME_S = 60

export interface TokenResponse {
  token: string
  /** When to stop using it (ms since the epoch, on our clock). */
  expiresAt: number
}

/**
 * Reads a token service's answer. A token is used until shortly before it expires: a fifth of its
 * lifetime early, at most 30 s, so a request sent just before the end does not arrive with an
 * expired token. issued_at counts from the service's clock; when it is in our future (skew) or
 * missing, the lifetime counts from now.
 */
export function readTokenResponse(body: unknown, now: number): TokenResponse | null {
  if (typeof body !== 'object' || body === null) return null
  const fields = body as Record<string, unknown>
  const token = typeof fields.token === 'string' && fields.token !== '' ? fields.token : fields.access_token
  if (typeof token !== 'string' || token === '') return null
  const lifetimeS = typeof fields.expires_in === 'number' && fields.expires_in > 0 ? fields.expires_in : DEFAULT_TOKEN_LIFETIME_S
  const issued = typeof fields.issued_at === 'string' ? Date.parse(fields.issued_at) : NaN
  const start = Number.isFinite(issued) && issued <= now ? issued : now
  const lifetimeMs = lifetimeS * 1000
  return { token, expiresAt: start + lifetimeMs - Math.min(30_000, lifetimeMs / 5) }
}

/** Tokens of one upstream, per scope. */
export class TokenCache {
  private readonly tokens = new Map<string, TokenResponse>()

  get(scope: string, now: number): string | undefined {
    const entry = this.tokens.get(scope)
    if (!entry) return undefined
    if (entry.expiresAt > now) return entry.token
    this.tokens.delete(scope)
    return undefined
  }

  set(scope: string, token: TokenResponse): void {
    this.tokens.set(scope, token)
  }

  delete(scope: string): void {
    this.tokens.delete(scope)
  }
}
