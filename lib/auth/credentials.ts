// The one credential check: username + secret -> Subject. Used by /v2 (HTTP Basic), the token
// service, the REST API (Basic) and the browser login (next-auth, without robots and tokens).
//
// Accepted credentials (never those of a disabled user):
//   - a user's password (argon2id, lib/auth/passwords.ts);
//   - a user's personal access token (`hmp_…`) given as the password with the owner's username;
//   - a robot account (`robot$…`) and its secret (`hmr_…`).
// Secrets are 32 random bytes, base64url, behind a prefix; only their sha256 is stored
// (high-entropy secrets need no slow hash, and a lookup by hash is one indexed read).
//
// Cache: a successful verification is remembered for CREDENTIAL_CACHE_TTL_MS (15 s) in this
// process, keyed by an HMAC-SHA256 of username + secret + options under a random per-process key
// (never the secret, nor a plain hash one could test guesses against). argon2 is slow by design,
// and a push makes dozens of requests, and one token request per repository, with the same
// credentials. Consequence, by design: a revoked token, a disabled or deleted robot, a changed
// password or admin flag takes effect at once in the process that made the change (it calls
// `invalidateCredentials(username)`) and within 15 s on every other replica (the bound on
// staleness; no cross-replica invalidation). The 15 s count from before the check's database
// read, and an entry never outlives the token's or robot's own expiry. Failures are never cached:
// each one pays the full check and goes through the throttle.
//
// Throttle: lib/auth/login-throttle.ts. A blocked attempt is answered like a wrong password, after
// spending about the same time; unknown usernames also pay for an argon2 verification, so timing
// tells nothing about which accounts exist.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { hexDigest } from '../../registry-core/src'
import type { PrismaClient } from '../db/prisma'
import { invalid } from '../errors'
import { runtime } from '../runtime'
import { recordLoginAudit } from './audit-login'
import { clearAccountFailures, loginThrottleState, recordLoginFailure } from './login-throttle'
import { hashPassword, verifyPassword } from './passwords'
import type { RobotAction, Subject, TokenPermission } from './permissions'

export const ACCESS_TOKEN_PREFIX = 'hmp_'
export const ROBOT_SECRET_PREFIX = 'hmr_'
export const ROBOT_NAME_PREFIX = 'robot$'

export const CREDENTIAL_CACHE_TTL_MS = 15_000
const CREDENTIAL_CACHE_MAX = 2000
/** lastUsedAt / lastLoginAt / success audit entries: at most once a minute per credential. */
const TOUCH_INTERVAL_MS = 60_000

const SECRET_PATTERN = /^hm[pr]_[A-Za-z0-9_-]{43}$/

/** A new secret: `prefix` + 43 base64url characters (32 random bytes). Show it once, store `hashSecret(secret)`. */
export function generateSecret(prefix: typeof ACCESS_TOKEN_PREFIX | typeof ROBOT_SECRET_PREFIX): string {
  return prefix + randomBytes(32).toString('base64url')
}

/** What is stored for a secret: its sha256, hex. */
export function hashSecret(secret: string): string {
  return hexDigest(secret)
}

export interface AuthenticateOptions {
  /** Accept robot accounts (default true; the browser login passes false). */
  allowRobots?: boolean
  /** Accept personal access tokens as the password (default true; the browser login passes false). */
  allowTokens?: boolean
  /** Where the login came from, for the audit log: `registry`, `token`, `api`, `web`… */
  via?: string
}

// In the runtime: the server bundle (/v2) and the Next bundle (token service, API, pages) load this
// module separately, but must share one cache so that an invalidation reaches both.
const credentialCache = () => runtime().caches.credentials

/**
 * Forgets cached verifications in this process: all of them, or those of one username (a user, or
 * a robot's full name). Call it after a password change, a token revocation, a robot being
 * disabled, deleted or given a new secret, or an admin flag change: this process then checks again
 * at once; other replicas within CREDENTIAL_CACHE_TTL_MS.
 */
export function invalidateCredentials(username?: string): void {
  const { verified: cache, lastTouched } = credentialCache()
  if (username === undefined) {
    cache.clear()
    lastTouched.clear()
    return
  }
  for (const [key, entry] of cache) if (entry.username === username) cache.delete(key)
}

/** `::ffff:127.0.0.1` -> `127.0.0.1`. */
export function normalizeAddress(address: string | undefined | null): string | undefined {
  if (!address) return undefined
  const trimmed = address.trim()
  return trimmed.startsWith('::ffff:') ? trimmed.slice(7) : trimmed || undefined
}

let dummyHash: Promise<string> | undefined
/** Spends about as long as verifying a real password, for unknown users and blocked attempts. */
async function spendPasswordTime(password: string): Promise<void> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'))
  await verifyPassword(await dummyHash, password)
}

function shouldTouch(key: string): boolean {
  const { lastTouched } = credentialCache()
  const now = Date.now()
  const last = lastTouched.get(key)
  if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return false
  if (lastTouched.size >= CREDENTIAL_CACHE_MAX) lastTouched.clear()
  lastTouched.set(key, now)
  return true
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  return x.length === y.length && timingSafeEqual(x, y)
}

type Verified = { subject: Subject; kind: 'password' | 'token' | 'robot'; credentialId: number; expiresAt?: Date | null }

/**
 * Checks `username` / `password` and returns who it is, or null (wrong, unknown, expired, disabled,
 * throttled: all the same to the caller). Throws AppError 'invalid' for names or passwords with NUL bytes.
 */
export async function authenticate(prisma: PrismaClient, username: string, password: string, remoteAddress?: string, options: AuthenticateOptions = {}): Promise<Subject | null> {
  const allowRobots = options.allowRobots ?? true
  const allowTokens = options.allowTokens ?? true
  if (!username || !password || username.length > 255 || password.length > 1024) return null
  // Unusable input rather than wrong credentials: the database cannot even look such a name up.
  if (username.includes('\0') || password.includes('\0')) throw invalid('the username and password must not contain NUL bytes')
  const address = normalizeAddress(remoteAddress)

  const { key, verified: cache } = credentialCache()
  const cacheKey = createHmac('sha256', key)
    .update(`${username}\0${password}\0${allowRobots ? 1 : 0}${allowTokens ? 1 : 0}`)
    .digest('base64url')
  const checkedAt = Date.now()
  const cached = cache.get(cacheKey)
  if (cached && cached.expires > checkedAt) return cached.subject
  if (cached) cache.delete(cacheKey)

  // High-entropy secrets first: they are not subject to blocks (they cannot be guessed).
  let verified: Verified | null = SECRET_PATTERN.test(password) ? await verifySecret(prisma, username, password, allowRobots, allowTokens) : null
  let throttle = { blocked: false, accountHasFailures: false }
  if (!verified && !username.startsWith(ROBOT_NAME_PREFIX)) {
    throttle = await loginThrottleState(prisma, username, address)
    if (throttle.blocked) await spendPasswordTime(password)
    else verified = await verifyPassword_(prisma, username, password)
  }

  const audit = { resourceType: username.startsWith(ROBOT_NAME_PREFIX) ? 'robot' : 'user', resource: username }
  if (!verified) {
    await recordLoginFailure(prisma, username, address).catch(() => {})
    void recordLoginAudit(prisma, {
      ...audit,
      actor: username,
      action: 'login',
      success: false,
      remoteAddress: address,
      detail: { via: options.via ?? null, ...(throttle.blocked ? { throttled: true } : {}) },
    })
    return null
  }

  if (throttle.accountHasFailures) await clearAccountFailures(prisma, username).catch(() => {})
  if (cache.size >= CREDENTIAL_CACHE_MAX) cache.delete(cache.keys().next().value!)
  const expires = Math.min(checkedAt + CREDENTIAL_CACHE_TTL_MS, verified.expiresAt?.getTime() ?? Infinity)
  cache.set(cacheKey, { subject: verified.subject, expires, username })

  const touchKey = `${verified.kind}:${verified.credentialId}`
  if (shouldTouch(touchKey)) {
    void touch(prisma, verified).catch(() => {})
  }
  if (shouldTouch(`${touchKey}:audit:${address ?? ''}:${options.via ?? ''}`)) {
    void recordLoginAudit(prisma, {
      ...audit,
      actor: username,
      action: 'login',
      success: true,
      remoteAddress: address,
      detail: { via: options.via ?? null, method: verified.kind },
    })
  }
  return verified.subject
}

async function verifySecret(prisma: PrismaClient, username: string, secret: string, allowRobots: boolean, allowTokens: boolean): Promise<Verified | null> {
  if (username.startsWith(ROBOT_NAME_PREFIX)) {
    return allowRobots && secret.startsWith(ROBOT_SECRET_PREFIX) ? verifyRobot(prisma, username, secret) : null
  }
  // Not a token of this user: it may still be a password that happens to look like one.
  return allowTokens && secret.startsWith(ACCESS_TOKEN_PREFIX) ? verifyAccessToken(prisma, username, secret) : null
}

async function verifyPassword_(prisma: PrismaClient, username: string, password: string): Promise<Verified | null> {
  const user = await prisma.user.findUnique({
    where: { username },
    select: { id: true, username: true, passwordHash: true, isAdmin: true, disabled: true },
  })
  if (!user) {
    await spendPasswordTime(password)
    return null
  }
  if (!(await verifyPassword(user.passwordHash, password)) || user.disabled) return null
  return { subject: { kind: 'user', userId: user.id, username: user.username, isAdmin: user.isAdmin }, kind: 'password', credentialId: user.id }
}

async function verifyAccessToken(prisma: PrismaClient, username: string, secret: string): Promise<Verified | null> {
  const token = await prisma.accessToken.findUnique({
    where: { secretHash: hashSecret(secret) },
    select: { id: true, permission: true, expiresAt: true, user: { select: { id: true, username: true, isAdmin: true, disabled: true } } },
  })
  if (!token || token.user.username !== username || token.user.disabled) return null
  if (token.expiresAt && token.expiresAt.getTime() <= Date.now()) return null
  return {
    subject: {
      kind: 'user',
      userId: token.user.id,
      username: token.user.username,
      isAdmin: token.user.isAdmin,
      token: { id: token.id, permission: token.permission as TokenPermission },
    },
    kind: 'token',
    credentialId: token.id,
    expiresAt: token.expiresAt,
  }
}

const ROBOT_ACTION_SET: ReadonlySet<string> = new Set<RobotAction>(['pull', 'push', 'delete'])

async function verifyRobot(prisma: PrismaClient, name: string, secret: string): Promise<Verified | null> {
  const robot = await prisma.robot.findUnique({
    where: { name },
    select: {
      id: true,
      name: true,
      projectId: true,
      secretHash: true,
      disabled: true,
      expiresAt: true,
      permissions: { select: { projectId: true, actions: true } },
    },
  })
  if (!robot || !sameHash(robot.secretHash, hashSecret(secret))) return null
  if (robot.disabled || (robot.expiresAt && robot.expiresAt.getTime() <= Date.now())) return null
  const grants = new Map<number, ReadonlySet<RobotAction>>()
  for (const permission of robot.permissions) {
    // A project robot acts in its own project only, whatever rows say (defence in depth).
    if (robot.projectId !== null && permission.projectId !== robot.projectId) continue
    const actions = new Set(permission.actions.filter((a): a is RobotAction => ROBOT_ACTION_SET.has(a)))
    if (actions.size) grants.set(permission.projectId, actions)
  }
  return { subject: { kind: 'robot', robotId: robot.id, name: robot.name, grants }, kind: 'robot', credentialId: robot.id, expiresAt: robot.expiresAt }
}

/** lastUsedAt / lastLoginAt, at most once a minute per credential across replicas too (the WHERE). */
async function touch(prisma: PrismaClient, verified: Verified): Promise<void> {
  const stale = new Date(Date.now() - TOUCH_INTERVAL_MS)
  const now = new Date()
  const recent = { OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: stale } }] }
  switch (verified.kind) {
    case 'password':
      await prisma.user.updateMany({
        where: { id: verified.credentialId, OR: [{ lastLoginAt: null }, { lastLoginAt: { lt: stale } }] },
        data: { lastLoginAt: now },
      })
      return
    case 'token':
      await prisma.accessToken.updateMany({ where: { id: verified.credentialId, ...recent }, data: { lastUsedAt: now } })
      return
    case 'robot':
      await prisma.robot.updateMany({ where: { id: verified.credentialId, ...recent }, data: { lastUsedAt: now } })
      return
  }
}

/** Parses an `Authorization: Basic …` header. Null when absent (or the empty `:` some clients send); 'malformed' otherwise. */
export function parseBasicAuthorization(header: string | undefined | null): { username: string; password: string } | null | 'malformed' {
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
