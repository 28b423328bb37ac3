// Server-side records of dashboard sessions. next-auth keeps its JWT sessions (lib/auth/next-auth.ts)
// but the JWT only carries a session id; every read looks the row up by primary key (no cache, so a
// revocation applies at once on every replica). A session ends when it is revoked (logout, password
// change, an administrator), when its user is disabled or deleted (the row cascades), or when it has
// not been seen for SESSION_MAX_AGE_S.
import { randomBytes } from 'node:crypto'
import type { PrismaClient } from '../db/prisma'

/** Same as next-auth's session maxAge: a session unused this long is over. */
export const SESSION_MAX_AGE_S = 7 * 24 * 3600
/** lastSeenAt is written at most this often per session. */
const TOUCH_INTERVAL_MS = 60_000

type SessionStore = Pick<PrismaClient, 'session'>

export interface ActiveSession {
  userId: number
  username: string
  isAdmin: boolean
}

/** Records a new session for a user who just signed in; returns its id (32 random bytes, base64url). */
export async function startSession(prisma: SessionStore, userId: number): Promise<string> {
  const id = randomBytes(32).toString('base64url')
  const now = Date.now()
  await prisma.session.create({ data: { id, userId } })
  // Housekeeping for this user only: rows that can no longer be used.
  const stale = new Date(now - SESSION_MAX_AGE_S * 1000)
  await prisma.session.deleteMany({ where: { userId, OR: [{ lastSeenAt: { lt: stale } }, { revokedAt: { lt: stale } }] } })
  return id
}

/** The session's user when the session is live (not revoked, not expired, user enabled); otherwise null. */
export async function checkSession(prisma: SessionStore, id: string): Promise<ActiveSession | null> {
  const row = await prisma.session.findUnique({
    where: { id },
    select: { lastSeenAt: true, revokedAt: true, user: { select: { id: true, username: true, isAdmin: true, disabled: true } } },
  })
  if (!row || row.revokedAt || row.user.disabled) return null
  const now = Date.now()
  if (row.lastSeenAt.getTime() + SESSION_MAX_AGE_S * 1000 <= now) return null
  if (now - row.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
    await prisma.session.updateMany({ where: { id, revokedAt: null }, data: { lastSeenAt: new Date(now) } }).catch(() => {})
  }
  return { userId: row.user.id, username: row.user.username, isAdmin: row.user.isAdmin }
}

/** Ends one session (logout). */
export async function revokeSession(prisma: SessionStore, id: string): Promise<void> {
  await prisma.session.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } })
}

/** Ends every session of a user, except `keep` (the caller's own, after a password change). Returns how many. */
export async function revokeUserSessions(prisma: SessionStore, userId: number, keep?: string): Promise<number> {
  const result = await prisma.session.updateMany({
    where: { userId, revokedAt: null, ...(keep ? { id: { not: keep } } : {}) },
    data: { revokedAt: new Date() },
  })
  return result.count
}
