// Browser sessions for the dashboard: next-auth 4 with JWT sessions and a username + password
// credentials provider. Only users sign in here: robot accounts and access tokens are for registry
// clients and the API (lib/auth/credentials.ts refuses them when asked to). The JWT carries the id
// of a server-side session record (lib/auth/sessions.ts); every session read checks that record, so
// logout, a password change, an administrator, or disabling/deleting the user ends it at once, and
// refreshes the username and admin flag from the database.
import type { NextAuthOptions, Session } from 'next-auth'
import { clientAddress } from '../client-address'
import { getServerSession } from 'next-auth'
import CredentialsProvider from 'next-auth/providers/credentials'
import { authenticate } from './credentials'
import { checkSession, revokeSession, SESSION_MAX_AGE_S, startSession } from './sessions'
import { safeRedirect } from './safe-redirect'
import { SIGN_IN_UNAVAILABLE } from './login-errors'
import { runtime } from '../runtime'

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
    /** The server-side session record (lib/auth/sessions.ts). */
    sid?: string
  }
}

export interface SessionUser {
  id: number
  username: string
  isAdmin: boolean
  /** The server-side session record behind this request. */
  sessionId: string
}

/** Thrown from the jwt callback: next-auth then clears the session cookie and answers "no session". */
class SessionRevokedError extends Error {
  constructor() {
    super('the session was revoked, or its user no longer exists or is disabled')
    this.name = 'SessionRevokedError'
  }
}

export const authOptions: NextAuthOptions = {
  session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_S, updateAge: 3600 },
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
          subject = await authenticate(runtime().prisma, username, password, clientAddress(req?.headers), {
            allowRobots: false,
            allowTokens: false,
            via: 'web',
          })
        } catch (error) {
          // A database failure; the thrown message is what the login page shows.
          runtime().logger.error({ err: error }, '[auth] login check failed')
          throw new Error(SIGN_IN_UNAVAILABLE, { cause: error })
        }
        // Belt and braces: only a user's own password opens a dashboard session.
        if (!subject || subject.kind !== 'user' || subject.token !== undefined) return null
        return { id: String(subject.userId), name: subject.username, isAdmin: subject.isAdmin }
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        // Sign-in: a new server-side session; the JWT carries its id and the numeric user id.
        const id = Number(user.id)
        const sid = await startSession(runtime().prisma, id)
        return { sub: user.id, uid: id, sid, name: user.name, isAdmin: user.isAdmin === true }
      }
      // Tokens from before session records existed (no sid) are over too.
      if (typeof token.sid !== 'string' || !token.sid) throw new SessionRevokedError()
      const current = await checkSession(runtime().prisma, token.sid)
      if (!current) throw new SessionRevokedError()
      return { ...token, uid: current.userId, name: current.username, isAdmin: current.isAdmin }
    },
    async session({ session, token }) {
      // The session id stays on the server: the browser's copy of the session never shows it.
      return {
        expires: session.expires,
        user: { id: token.uid as number, name: token.name as string, isAdmin: token.isAdmin === true },
      } satisfies Session
    },
    async redirect({ url, baseUrl }) {
      return safeRedirect(url, baseUrl, baseUrl)
    },
  },
  events: {
    async signOut({ token }) {
      // Logout ends the session on the server, so a copy of the cookie stops working too.
      if (typeof token?.sid === 'string') await revokeSession(runtime().prisma, token.sid)
    },
  },
  logger: {
    error(code, metadata) {
      const error = (metadata as { error?: unknown } | undefined)?.error ?? metadata
      if (code === 'JWT_SESSION_ERROR' && error instanceof Error && /SessionRevokedError|JWT invalid|decryption/i.test(`${error.name} ${error.message}`)) return
      runtime().logger.error({ code, err: error }, '[next-auth] error')
    },
    warn(code) {
      // NEXTAUTH_URL unset is the zero-configuration default: links use the host the browser used.
      if (code === 'NEXTAUTH_URL') return
      runtime().logger.warn({ code }, '[next-auth] warning')
    },
    debug() {},
  },
}

/** Server-side only: the session callback that also hands out the session id (never sent to the browser). */
const serverSessionOptions: NextAuthOptions = {
  ...authOptions,
  callbacks: {
    ...authOptions.callbacks,
    async session({ session, token }) {
      return { expires: session.expires, user: { id: token.uid as number, name: token.name as string, isAdmin: token.isAdmin === true }, sessionId: token.sid }
    },
  },
}

/** The signed-in user of this request (server components and route handlers), or null. */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = (await getServerSession(serverSessionOptions)) as (Session & { sessionId?: string }) | null
  if (!session?.user?.id || !session.sessionId) return null
  return { id: session.user.id, username: session.user.name, isAdmin: session.user.isAdmin, sessionId: session.sessionId }
}
