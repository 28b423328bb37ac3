/**
 * Token-service helpers for the auth tests: fetch a registry token for some scopes (with or without
 * Basic credentials), decode its claims, and send /v2 requests with `Authorization: Bearer`.
 */
import type { Credentials, RegistryClient, RegistryResponse, RequestOptions } from './oci'

export const TOKEN_SERVICE = 'harbormaster-registry'

export function basicHeader(c: Credentials): string {
  return 'Basic ' + Buffer.from(`${c.user}:${c.password}`).toString('base64')
}

export async function tokenRequest(baseUrl: string, scopes: string[], creds?: Credentials, extra: Record<string, string> = {}): Promise<Response> {
  const u = new URL('/service/token', baseUrl)
  u.searchParams.set('service', TOKEN_SERVICE)
  for (const s of scopes) u.searchParams.append('scope', s)
  for (const [k, v] of Object.entries(extra)) u.searchParams.set(k, v)
  return fetch(u, { headers: creds ? { authorization: basicHeader(creds) } : {}, redirect: 'manual' })
}

export async function fetchToken(baseUrl: string, scopes: string[], creds?: Credentials): Promise<string> {
  const r = await tokenRequest(baseUrl, scopes, creds)
  if (r.status !== 200) throw new Error(`token request failed: ${r.status} ${await r.text()}`)
  const body = (await r.json()) as { token: string }
  return body.token
}

export interface TokenClaims {
  iss: string
  sub: string
  aud: string | string[]
  exp: number
  nbf: number
  iat: number
  jti: string
  access: { type: string; name: string; actions: string[] }[]
}

export function decodeClaims(token: string): TokenClaims {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'))
}

export function decodeHeader(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'))
}

/** The actions a token grants on a repository. */
export function grantedOn(token: string, repository: string): string[] {
  return decodeClaims(token).access.find((a) => a.type === 'repository' && a.name === repository)?.actions ?? []
}

/** A request with `Authorization: Bearer <token>` through an anonymous client (no Basic fallback). */
export function withBearer(token: string, opts: RequestOptions = {}): RequestOptions {
  return { ...opts, auth: false, headers: { ...(opts.headers ?? {}), authorization: `Bearer ${token}` } }
}

/** Parses the `WWW-Authenticate: Bearer k="v",…` parameters. */
export function bearerChallenge(r: RegistryResponse): Record<string, string> | undefined {
  const h = r.header('www-authenticate')
  if (!h || !/^Bearer\s/i.test(h)) return undefined
  const params: Record<string, string> = {}
  for (const m of h.matchAll(/([A-Za-z_]+)="([^"]*)"/g)) params[m[1]] = m[2]
  return params
}

export type { RegistryClient }
