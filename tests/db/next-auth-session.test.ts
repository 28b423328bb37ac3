// The dashboard session (lib/auth/next-auth.ts) against a real database: only a user's password
// signs in, and a session stops working once its user is deleted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JWT } from 'next-auth/jwt'
import { migrateDeploy } from '../../scripts/migrate'
import { hashPassword } from '../../lib/auth/passwords'
import { BACKENDS, openBackend, type Backend } from './backends'

describe.each(BACKENDS)('next-auth session on %s', (backendName) => {
  let backend: Backend
  let mod: typeof import('../../lib/auth/next-auth')
  let prisma: import('../../lib/db/prisma').PrismaClient
  let disconnect: () => Promise<void>

  beforeAll(async () => {
    backend = await openBackend(backendName)
    await migrateDeploy(backend.url, { keepPgliteOpen: true, log: () => {} })
    process.env.DATABASE_URL = backend.url
    const db = await import('../../lib/db/prisma')
    await db.disconnectPrisma()
    prisma = db.getPrisma()
    disconnect = db.disconnectPrisma
    mod = await import('../../lib/auth/next-auth')
  })
  afterAll(async () => {
    await disconnect?.()
    await backend?.cleanup()
  })

  type Authorize = (credentials: Record<string, string>, req: { headers: Record<string, string> }) => Promise<{ id: string; name?: string | null; isAdmin?: boolean } | null>
  const authorize = (credentials: Record<string, string>) => {
    const provider = mod.authOptions.providers[0] as unknown as { options: { authorize: Authorize } }
    return provider.options.authorize(credentials, { headers: { 'x-forwarded-for': '192.0.2.1' } })
  }
  const jwt = (params: { token: JWT; user?: { id: string; name?: string | null; isAdmin?: boolean } }) =>
    (mod.authOptions.callbacks!.jwt as (p: unknown) => Promise<JWT>)({ account: null, ...params })

  it('signs a user in with the password only, and drops the session when the user is deleted', async () => {
    const user = await prisma.user.create({ data: { username: 'carol', passwordHash: await hashPassword('carol-password'), isAdmin: false } })

    expect(await authorize({ username: 'carol', password: 'wrong-password' })).toBeNull()
    expect(await authorize({ username: 'nobody', password: 'carol-password' })).toBeNull()
    const signedIn = await authorize({ username: 'carol', password: 'carol-password' })
    expect(signedIn).toEqual({ id: String(user.id), name: 'carol', isAdmin: false })

    const token = await jwt({ token: {}, user: signedIn! })
    expect(token).toMatchObject({ uid: user.id, name: 'carol', isAdmin: false })
    const session = await (mod.authOptions.callbacks!.session as (p: unknown) => Promise<unknown>)({ session: { expires: 'x', user: {} }, token })
    expect(session).toEqual({ expires: 'x', user: { id: user.id, name: 'carol', isAdmin: false } })

    // A later read refreshes the admin flag from the database.
    await prisma.user.update({ where: { id: user.id }, data: { isAdmin: true } })
    mod.forgetSessionUser(user.id)
    expect(await jwt({ token })).toMatchObject({ uid: user.id, isAdmin: true })

    await prisma.user.delete({ where: { id: user.id } })
    mod.forgetSessionUser(user.id)
    await expect(jwt({ token })).rejects.toThrow(/no longer exists/)
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
