// Who is calling /api/v1, and may this request be trusted to come from them.
//
//   Authorization: Basic user:password | user:access-token | robot$…:secret  -> lib/auth/credentials
//   otherwise the next-auth session cookie (JWT)                             -> lib/auth/next-auth
//   otherwise anonymous.
//
// CSRF: a browser attaches the session cookie to any request, also one a foreign page triggers.
// Unsafe methods (POST, PUT, PATCH, DELETE) authenticated by the cookie therefore need proof of a
// same-origin caller: `Origin` equal to this server's origin (the Host the request came to, or
// PUBLIC_URL), or `Sec-Fetch-Site: same-origin`. Anything else is refused with 403 — also when the
// headers are missing, so a request from an old or stripped client must use Basic instead.
// In addition, any unsafe request a browser marks `Sec-Fetch-Site: cross-site` is refused outright.
// (JSON bodies are required too, see parse.ts, which a cross-site HTML form cannot send.)
import { clientAddress } from '../client-address'
import { authenticate, parseBasicAuthorization } from '../auth/credentials'
import { getSessionUser } from '../auth/next-auth'
import { ANONYMOUS_SUBJECT } from '../auth/permissions'
import { runtime } from '../runtime'
import type { Caller } from '../audit'
import { HttpError } from './respond'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export interface AuthenticatedCaller extends Caller {
  via: 'anonymous' | 'basic' | 'session'
  /** The browser session's server-side record, when `via` is 'session'. */
  sessionId?: string
}

function publicOrigin(): string | undefined {
  const url = runtime().config.publicUrl
  return url ? new URL(url).origin : undefined
}

/** True when the request demonstrably comes from a page of this origin. */
export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin')
  if (origin && origin !== 'null') {
    let host: string
    try {
      host = new URL(origin).host
    } catch {
      return false
    }
    if (origin === publicOrigin()) return true
    const requestHost = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim() || request.headers.get('host')
    return !!requestHost && host.toLowerCase() === requestHost.toLowerCase()
  }
  return request.headers.get('sec-fetch-site') === 'same-origin'
}

const BASIC_CHALLENGE = { 'WWW-Authenticate': 'Basic realm="harbormaster-api", charset="UTF-8"' }

export async function authenticateRequest(request: Request): Promise<AuthenticatedCaller> {
  const remoteAddress = clientAddress(request.headers)
  const unsafe = !SAFE_METHODS.has(request.method)
  if (unsafe && request.headers.get('sec-fetch-site') === 'cross-site') {
    throw new HttpError(403, 'FORBIDDEN', 'cross-site requests are not accepted')
  }

  const authorization = request.headers.get('authorization')
  if (authorization) {
    const credentials = parseBasicAuthorization(authorization)
    if (credentials === 'malformed' || credentials === null) {
      throw new HttpError(
        401,
        'UNAUTHORIZED',
        'the Authorization header must be HTTP Basic with a username and a password, access token or robot secret',
        undefined,
        BASIC_CHALLENGE,
      )
    }
    const subject = await authenticate(runtime().prisma, credentials.username, credentials.password, remoteAddress, { via: 'api' })
    if (!subject) throw new HttpError(401, 'UNAUTHORIZED', 'invalid username or password', undefined, BASIC_CHALLENGE)
    return { subject, remoteAddress, via: 'basic' }
  }

  const user = await getSessionUser()
  if (user) {
    if (unsafe && !isSameOrigin(request)) {
      throw new HttpError(403, 'FORBIDDEN', 'cookie-authenticated requests that change something must come from this site (Origin header missing or foreign)')
    }
    return { subject: { kind: 'user', userId: user.id, username: user.username, isAdmin: user.isAdmin }, remoteAddress, via: 'session', sessionId: user.sessionId }
  }
  return { subject: ANONYMOUS_SUBJECT, remoteAddress, via: 'anonymous' }
}
