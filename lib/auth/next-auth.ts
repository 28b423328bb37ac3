// Browser sessions for the dashboard: next-auth 4 with JWT sessions and a username + password
// credentials provider. Only users sign in here: robot accounts and access tokens are for registry
// clients and the API (lib/auth/credentials.ts refuses them when asked to). Every session read
// re-checks that the user still exists (a deleted user's cookie stops working within
// USER_CHECK_TTL_MS) and refreshes the username and admin flag from the database.
import type { NextAuthOptions, Session } from 'next-auth'
import { clientAddress } from '../client-address'
import { getServerSession } from 'next-auth'
import CredentialsProvider from 'next-auth/providers/credentials'
import { getPrisma } from '../db/prisma'
import { authenticate } from './credentials'

declare module 'next-auth' {
  interface Session {
    user: { id: number; name: string; isAdmin: boolean }
  }
  interface User {
    isAdmin?: boolean
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    uid?: number
    isAdmin?: boolean
  }
}

export interface SessionUser {
  id: number
  username: string
  isAdmin: boolean
}

/** How long a "this user still exists" answer is reused (session reads come in bursts: layout, page, fetches). */
const USER_CHECK_TTL_MS = 5_000
const USER_CHECK_MAX = 10_000
const userChecks = new Map<number, { user: SessionUser | null; expires: number }>()

/** Drops the cached check for a user (call after deleting a user or changing the admin flag). */
export function forgetSessionUser(userId: number): void {
  userChecks.delete(userId)
}

async function currentUser(userId: number): Promise<SessionUser | null> {
  const cached = userChecks.get(userId)
  if (cached && cached.expires > Date.now()) return cached.user
  const row = await getPrisma().user.findUnique({ where: { id: userId }, select: { id: true, username: true, isAdmin: true } })
  const user = row ? { id: row.id, username: row.username, isAdmin: row.isAdmin } : null
  if (userChecks.size >= USER_CHECK_MAX) userChecks.clear()
  userChecks.set(userId, { user, expires: Date.now() + USER_CHECK_TTL_MS })
  return user
}

/** Thrown from the jwt callback: next-auth then clears the session cookie and answers "no session". */
class SessionRevokedError extends Error {
  constructor() {
    super('the session user no longer exists')
    this.name = 'SessionRevokedError'
  }
}

export const authOptions: NextAuthOptions = {
  session: { strategy: 'jwt', maxAge: 7 * 24 * 3600, updateAge: 3600 },
  pages: { signIn: '/login' },
  providers: [
    CredentialsProvider({
      id: 'credentials',
      name: 'Username and password',
      credentials: {
        username: { label: 'Username', type: 'text' },
        password: { label: 'Password', type: 'password' },
      },
      async authorize(credentials, req) {
        const username = typeof credentials?.username === 'string' ? credentials.username.trim() : ''
        const password = typeof credentials?.password === 'string' ? credentials.password : ''
        if (!username || !password) return null
        // Wrong, unknown, throttled: all null, all shown as the same message (authenticate decides).
        let subject
        try {
          subject = await authenticate(getPrisma(), username, password, clientAddress(req?.headers), {
            allowRobots: false,
            allowTokens: false,
            via: 'web',
          })
        } catch (error) {
          // A database failure; the thrown message is what the login page shows.
          console.error('[auth] login check failed', error)
          throw new Error('Sign-in is unavailable right now. Try again later.')
        }
        // Belt and braces: only a user's own password opens a dashboard session.
        if (!subject || subject.kind !== 'user' || subject.token !== undefined) return null
        forgetSessionUser(subject.userId)
        return { id: String(subject.userId), name: subject.username, isAdmin: subject.isAdmin }
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        // Sign-in: the JWT carries the numeric id; name and admin flag are refreshed on each read.
        const id = Number(user.id)
        return { sub: user.id, uid: id, name: user.name, isAdmin: user.isAdmin === true }
      }
      const id = typeof token.uid === 'number' ? token.uid : Number(token.sub)
      if (!Number.isSafeInteger(id) || id <= 0) throw new SessionRevokedError()
      const current = await currentUser(id)
      if (!current) throw new SessionRevokedError()
      return { ...token, uid: current.id, name: current.username, isAdmin: current.isAdmin }
    },
    async session({ session, token }) {
      return {
        expires: session.expires,
        user: { id: token.uid as number, name: token.name as string, isAdmin: token.isAdmin === true },
      } satisfies Session
    },
  },
  logger: {
    error(code, metadata) {
      const error = (metadata as { error?: unknown } | undefined)?.error ?? metadata
      if (code === 'JWT_SESSION_ERROR' && error instanceof Error && /SessionRevokedError|JWT invalid|decryption/i.test(`${error.name} ${error.message}`)) return
      console.error(`[next-auth][error][${code}]`, metadata)
    },
    warn(code) {
      // NEXTAUTH_URL unset is the zero-configuration default: links use the host the browser used.
      if (code === 'NEXTAUTH_URL') return
      console.warn(`[next-auth][warn][${code}]`)
    },
    debug() {},
  },
}

/** The signed-in user of this request (server components and route handlers), or null. */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions)
  if (!session?.user?.id) return null
  return { id: session.user.id, username: session.user.name, isAdmin: session.user.isAdmin }
}
