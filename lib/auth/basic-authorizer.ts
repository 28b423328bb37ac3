// The bootstrap access policy until accounts and projects exist: anyone may pull; pushing and
// deleting need HTTP Basic credentials of an administrator. The Authorizer port keeps this swappable.
import { createHash } from 'node:crypto'
import type { AccessRequest, Actor, AuthDecision, Authorizer, RequestInfo } from '../../registry-core/src/ports'
import type { PrismaClient } from '../db/prisma'
import { verifyPassword } from './passwords'

/** argon2 costs tens of milliseconds by design; a push makes dozens of requests with the same credentials. */
const VERIFIED_CACHE_TTL_MS = 60_000
const VERIFIED_CACHE_MAX = 1000

interface Credentials {
  username: string
  password: string
}

export function parseBasicAuthorization(header: string | undefined): Credentials | null | 'malformed' {
  if (!header) return null
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
  if (!match) return 'malformed'
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return 'malformed'
  // containers/image answers a Basic challenge with empty credentials when it has none: anonymous.
  if (decoded === ':') return null
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

export class BasicAdminAuthorizer implements Authorizer {
  private readonly verified = new Map<string, { actor: Actor; isAdmin: boolean; expires: number }>()
  private readonly challenge: string

  constructor(
    private readonly prisma: PrismaClient,
    realm = 'registry',
  ) {
    this.challenge = `Basic realm="${realm.replace(/"/g, '')}"`
  }

  async authorize(request: RequestInfo, access: AccessRequest): Promise<AuthDecision> {
    const credentials = parseBasicAuthorization(request.headers.authorization)
    if (credentials === 'malformed') return { kind: 'challenge', challenge: this.challenge, message: 'malformed Authorization header' }
    const identity = credentials ? await this.authenticate(credentials) : null
    if (credentials && !identity) return { kind: 'challenge', challenge: this.challenge, message: 'invalid username or password' }

    const needsAdmin = access.type === 'repository' && access.actions.some((action) => action !== 'pull')
    // `/v2/` answers 401 to anonymous callers so that `docker login` actually checks credentials.
    if (!identity) {
      return needsAdmin || access.type === 'base'
        ? { kind: 'challenge', challenge: this.challenge }
        : { kind: 'allow', actor: {} }
    }
    if (needsAdmin && !identity.isAdmin) return { kind: 'deny', actor: identity.actor, message: 'only administrators may push or delete' }
    return { kind: 'allow', actor: identity.actor }
  }

  private async authenticate({ username, password }: Credentials): Promise<{ actor: Actor; isAdmin: boolean } | null> {
    const key = createHash('sha256').update(`${username}\0${password}`).digest('hex')
    const cached = this.verified.get(key)
    if (cached && cached.expires > Date.now()) return cached
    const user = await this.prisma.user.findUnique({
      where: { username },
      select: { id: true, username: true, passwordHash: true, isAdmin: true },
    })
    if (!user || !(await verifyPassword(user.passwordHash, password))) return null
    const identity = { actor: { name: user.username, id: String(user.id) }, isAdmin: user.isAdmin, expires: Date.now() + VERIFIED_CACHE_TTL_MS }
    if (this.verified.size >= VERIFIED_CACHE_MAX) this.verified.clear()
    this.verified.set(key, identity)
    return identity
  }
}
