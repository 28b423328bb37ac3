// The dashboard session (lib/auth/next-auth.ts) against a real database: only a user's password
// signs in, every sign-in gets a server-side session record, and a session stops working once it is
// revoked or its user is disabled or deleted; the last enabled admin cannot be removed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JWT } from 'next-auth/jwt'
import { migrateDeploy } from '../../lib/db/migrate'
import { hashPassword } from '../../lib/auth/passwords'
import { loadConfig } from '../../lib/config'
import type { PrismaClient } from '../../lib/db/prisma'
import { installRuntime, type Runtime } from '../../lib/runtime'
import { buildRuntime } from '../../lib/runtime/build'
import { BACKENDS, openBackend, type Backend } from './backends'
import { silentLogger } from './fixtures'

describe.each(BACKENDS)('next-auth session on %s', (backendName) => {
  let backend: Backend
  let mod: typeof import('../../lib/auth/next-auth')
  let services: Runtime
  let prisma: PrismaClient

  beforeAll(async () => {
    backend = await openBackend(backendName)
    await migrateDeploy(backend.url, { keepPgliteOpen: true, log: () => {} })
    services = buildRuntime(loadConfig({ DATABASE_URL: backend.url }), silentLogger)
    installRuntime(services)
    prisma = services.prisma
    mod = await import('../../lib/auth/next-auth')
  })
  afterAll(async () => {
    await services?.close()
    await backend?.cleanup()
  })

  type Authorize = (credentials: Record<string, string>, req: { headers: Record<string, string> }) => Promise<{ id: string; name?: string | null; isAdmin?: boolean } | null>
  const authorize = (credentials: Record<string, string>) => {
    const provider = mod.authOptions.providers[0] as unknown as { options: { authorize: Authorize } }
    return provider.options.authorize(credentials, { headers: { 'x-forwarded-for': '192.0.2.1' } })
  }
  const jwt = (params: { token: JWT; user?: { id: string; name?: string | null; isAdmin?: boolean } }) =>
    (mod.authOptions.callbacks!.jwt as (p: unknown) => Promise<JWT>)({ account: null, ...params })

  const adminCaller = { subject: { kind: 'user' as const, userId: 0, username: 'root', isAdmin: true } }

  it('signs a user in with the password only, and drops the session when the user is deleted', async () => {
    const user = await prisma.user.create({ data: { username: 'carol', passwordHash: await hashPassword('carol-password'), isAdmin: false } })

    expect(await authorize({ username: 'carol', password: 'wrong-password' })).toBeNull()
    expect(await authorize({ username: 'nobody', password: 'carol-password' })).toBeNull()
    const signedIn = await authorize({ username: 'carol', password: 'carol-password' })
    expect(signedIn).toEqual({ id: String(user.id), name: 'carol', isAdmin: false })

    const token = await jwt({ token: {}, user: signedIn! })
    expect(token).toMatchObject({ uid: user.id, name: 'carol', isAdmin: false, sid: expect.any(String) })
    expect(await prisma.session.findUnique({ where: { id: token.sid! } })).toMatchObject({ userId: user.id, revokedAt: null })
    const session = await (mod.authOptions.callbacks!.session as (p: unknown) => Promise<unknown>)({ session: { expires: 'x', user: {} }, token })
    // The session id never reaches the browser.
    expect(session).toEqual({ expires: 'x', user: { id: user.id, name: 'carol', isAdmin: false } })

    // A later read refreshes the admin flag from the database, at once.
    await prisma.user.update({ where: { id: user.id }, data: { isAdmin: true } })
    expect(await jwt({ token })).toMatchObject({ uid: user.id, isAdmin: true })

    await prisma.user.delete({ where: { id: user.id } })
    await expect(jwt({ token })).rejects.toThrow(/revoked|no longer exists/)
  })

  it('a session ends on logout, on revocation, when the user is disabled, and a JWT without a session id is refused', async () => {
    const user = await prisma.user.create({ data: { username: 'erin', passwordHash: await hashPassword('erin-password') } })
    const signIn = async () => jwt({ token: {}, user: (await authorize({ username: 'erin', password: 'erin-password' }))! })

    const first = await signIn()
    const second = await signIn()
    await (mod.authOptions.events!.signOut as (m: unknown) => Promise<void>)({ token: first, session: null })
    await expect(jwt({ token: first })).rejects.toThrow(/revoked/)
    expect(await jwt({ token: second })).toMatchObject({ uid: user.id })

    const sessions = await import('../../lib/auth/sessions')
    const third = await signIn()
    expect(await sessions.revokeUserSessions(prisma, user.id, third.sid)).toBe(1)
    await expect(jwt({ token: second })).rejects.toThrow(/revoked/)
    expect(await jwt({ token: third })).toMatchObject({ uid: user.id })

    await prisma.user.update({ where: { id: user.id }, data: { disabled: true } })
    await expect(jwt({ token: third })).rejects.toThrow(/revoked/)
    // updateUser does this; the credential cache would otherwise answer for CREDENTIAL_CACHE_TTL_MS.
    ;(await import('../../lib/auth/credentials')).invalidateCredentials('erin')
    expect(await authorize({ username: 'erin', password: 'erin-password' })).toBeNull()

    // A JWT minted before session records existed has no sid: it no longer opens a session.
    await prisma.user.update({ where: { id: user.id }, data: { disabled: false } })
    await expect(jwt({ token: { sub: String(user.id), uid: user.id, name: 'erin' } })).rejects.toThrow(/revoked/)
  })

  it('the last enabled system admin can be neither demoted, disabled nor deleted', async () => {
    const users = await import('../../lib/users')
    await prisma.user.updateMany({ data: { isAdmin: false } })
    const root = await users.createUser(prisma, { username: 'root', password: 'root-long-secret' }, { isAdmin: true })
    const other = await users.createUser(prisma, { username: 'other', password: 'other-long-secret' }, { isAdmin: true })
    const caller = { subject: { ...adminCaller.subject, userId: root.id } }
    await users.updateUser(prisma, caller, 'other', { disabled: true })
    // `other` is disabled: root is the only enabled admin now.
    await expect(users.deleteUser(prisma, caller, 'root')).rejects.toMatchObject({ kind: 'conflict' })
    await expect(users.updateUser(prisma, caller, 'root', { disabled: true })).rejects.toMatchObject({ kind: 'conflict' })
    await expect(users.updateUser(prisma, caller, 'root', { isAdmin: false })).rejects.toMatchObject({ kind: 'conflict' })
    await users.updateUser(prisma, caller, 'other', { disabled: false })
    // An admin resetting their own password keeps the session making the change, and only that one.
    const sessions = await import('../../lib/auth/sessions')
    const [mine, elsewhere] = [await sessions.startSession(prisma, root.id), await sessions.startSession(prisma, root.id)]
    await users.updateUser(prisma, caller, 'root', { password: 'root-new-long-secret' }, mine)
    expect(await sessions.checkSession(prisma, mine)).toMatchObject({ username: 'root' })
    expect(await sessions.checkSession(prisma, elsewhere)).toBeNull()
    await users.deleteUser(prisma, caller, 'root')
    expect(await prisma.user.findUnique({ where: { username: 'root' } })).toBeNull()
    expect(await prisma.project.findUnique({ where: { name: 'root' } })).not.toBeNull()
    expect(other.isAdmin).toBe(true)
  })

  it('refuses access tokens as dashboard passwords', async () => {
    const { createHash, randomBytes } = await import('node:crypto')
    const user = await prisma.user.create({ data: { username: 'dave', passwordHash: await hashPassword('dave-password') } })
    const secret = `hmp_${randomBytes(32).toString('base64url')}`
    await prisma.accessToken.create({
      data: { userId: user.id, name: 'cli', permission: 'readWrite', secretHash: createHash('sha256').update(secret).digest('hex') },
    })
    expect(await authorize({ username: 'dave', password: secret })).toBeNull()
    expect(await authorize({ username: 'dave', password: 'dave-password' })).toMatchObject({ name: 'dave' })
  })
})
