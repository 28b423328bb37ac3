// The cache of successful credential checks (lib/auth/credentials.ts), the project access cache it
// works with (lib/auth/project-access.ts) and the login throttle's policy, against real databases
// (PGlite always, PostgreSQL when TEST_POSTGRES_URL is set), through the lib functions that change
// credentials, as the API routes call them.
import { createHmac } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { hexDigest } from '../../../registry-core/src'
import { migrateDeploy } from '../../../lib/db/migrate'
import { createPrisma, type PrismaClient } from '../../../lib/db/prisma'
import { loadConfig } from '../../../lib/config'
import { silentLogger } from '../../db/fixtures'
import { installRuntime, runtime } from '../../../lib/runtime'
import { buildRuntime } from '../../../lib/runtime/build'
import { authenticate, CREDENTIAL_CACHE_TTL_MS, generateSecret, hashSecret } from '../../../lib/auth/credentials'
import { hashPassword } from '../../../lib/auth/passwords'
import { projectContext, projectContexts } from '../../../lib/auth/project-access'
import type { Subject } from '../../../lib/auth/permissions'
import { changePassword } from '../../../lib/users'
import { revokeAccessToken } from '../../../lib/tokens'
import { deleteSystemRobot, updateSystemRobot } from '../../../lib/robots'
import { BACKENDS, openBackend, type Backend } from '../../db/backends'

const PASSWORD = 'carol-password-1'

describe.each(BACKENDS)('the credential and project access caches on %s', (backendName) => {
  let backend: Backend
  let prisma: PrismaClient
  let carol: { id: number }
  let carolSubject: Subject
  const admin: Subject = { kind: 'user', userId: 0, username: 'admin', isAdmin: true }
  const anonymous: Subject = { kind: 'anonymous' }
  const installed = runtime()

  beforeAll(async () => {
    backend = await openBackend(backendName)
    await migrateDeploy(backend.url, { log: () => {}, keepPgliteOpen: true })
    prisma = createPrisma(backend.url)
    carol = await prisma.user.create({ data: { username: 'carol', passwordHash: await hashPassword(PASSWORD) } })
    carolSubject = { kind: 'user', userId: carol.id, username: 'carol', isAdmin: false }
    await prisma.project.createMany({ data: [{ name: 'ci' }, { name: 'alpha', public: true }, { name: 'beta' }] })
  })
  afterAll(async () => {
    installRuntime(installed)
    await prisma?.$disconnect()
    await backend?.cleanup()
  })
  afterEach(async () => {
    vi.useRealTimers()
    installRuntime(installed)
    // The failures a test provoked (with PGlite, under its faked clock too) must not block the next test's logins.
    await prisma.loginThrottle.deleteMany()
  })

  /** A runtime of its own (empty caches), on this backend, with the given settings. */
  function freshRuntime(env: Record<string, string> = {}) {
    installRuntime(buildRuntime(loadConfig({ DATABASE_URL: backend.url, ...env }), silentLogger))
  }

  async function robot(name: string, expiresAt: Date | null = null) {
    const secret = generateSecret('hmr_')
    const project = await prisma.project.findUniqueOrThrow({ where: { name: 'ci' } })
    const row = await prisma.robot.create({
      data: { name: `robot$${name}`, secretHash: hashSecret(secret), expiresAt, permissions: { create: { projectId: project.id, actions: ['pull', 'push'] } } },
    })
    return { id: row.id, name: row.name, secret }
  }

  it('a hit answers without reading the credential again; the cache key is an HMAC under a per-process key, never a plain hash', async () => {
    freshRuntime()
    expect(await authenticate(prisma, 'carol', PASSWORD)).toMatchObject({ kind: 'user', username: 'carol' })
    const { key, verified } = runtime().caches.credentials
    expect([...verified.keys()]).toEqual([
      createHmac('sha256', key)
        .update(`carol\0${PASSWORD}\0` + '11')
        .digest('base64url'),
    ])
    expect([...verified.keys()]).not.toContain(hexDigest(`carol\0${PASSWORD}\0` + '11'))
    // Behind the cache's back (another replica, say): the cached answer stands, without argon2 or a read.
    const { passwordHash } = await prisma.user.findUniqueOrThrow({ where: { id: carol.id } })
    await prisma.user.update({ where: { id: carol.id }, data: { passwordHash: await hashPassword('someone-elses-1') } })
    try {
      expect(await authenticate(prisma, 'carol', PASSWORD)).not.toBeNull()
    } finally {
      await prisma.user.update({ where: { id: carol.id }, data: { passwordHash } })
    }
  })

  it('expires after CREDENTIAL_CACHE_TTL_MS (the bound on what another replica may still accept)', async () => {
    freshRuntime()
    vi.useFakeTimers({ toFake: ['Date'] })
    const r = await robot('ttl')
    expect(await authenticate(prisma, r.name, r.secret)).not.toBeNull()
    await prisma.robot.update({ where: { id: r.id }, data: { disabled: true } }) // no invalidation: another replica did it
    vi.advanceTimersByTime(CREDENTIAL_CACHE_TTL_MS - 1000)
    expect(await authenticate(prisma, r.name, r.secret)).not.toBeNull()
    vi.advanceTimersByTime(1001)
    expect(await authenticate(prisma, r.name, r.secret)).toBeNull()
  })

  it("never outlives the robot's or the access token's own expiry", async () => {
    freshRuntime()
    vi.useFakeTimers({ toFake: ['Date'] })
    const r = await robot('short', new Date(Date.now() + 2000))
    const tokenSecret = generateSecret('hmp_')
    await prisma.accessToken.create({ data: { userId: carol.id, name: 'short', permission: 'read', secretHash: hashSecret(tokenSecret), expiresAt: new Date(Date.now() + 2000) } })
    expect(await authenticate(prisma, r.name, r.secret)).not.toBeNull()
    expect(await authenticate(prisma, 'carol', tokenSecret)).not.toBeNull()
    vi.advanceTimersByTime(2001)
    expect(await authenticate(prisma, r.name, r.secret)).toBeNull()
    expect(await authenticate(prisma, 'carol', tokenSecret)).toBeNull()
  })

  it('a password change, a token revocation, a robot disabled or deleted take effect at once in this process', async () => {
    freshRuntime()
    const caller = { subject: carolSubject }
    const tokenSecret = generateSecret('hmp_')
    const token = await prisma.accessToken.create({ data: { userId: carol.id, name: 'revoked', permission: 'read', secretHash: hashSecret(tokenSecret) } })
    const disabled = await robot('to-disable')
    const deleted = await robot('to-delete')
    for (const [username, secret] of [
      ['carol', PASSWORD],
      ['carol', tokenSecret],
      [disabled.name, disabled.secret],
      [deleted.name, deleted.secret],
    ])
      expect(await authenticate(prisma, username, secret), username).not.toBeNull()

    await revokeAccessToken(prisma, caller, token.id)
    expect(await authenticate(prisma, 'carol', tokenSecret)).toBeNull()
    await updateSystemRobot(prisma, { subject: admin }, disabled.id, { disabled: true })
    expect(await authenticate(prisma, disabled.name, disabled.secret)).toBeNull()
    await deleteSystemRobot(prisma, { subject: admin }, deleted.id)
    expect(await authenticate(prisma, deleted.name, deleted.secret)).toBeNull()
    await changePassword(prisma, caller, { currentPassword: PASSWORD, newPassword: 'carol-new-password-2' })
    try {
      expect(await authenticate(prisma, 'carol', PASSWORD)).toBeNull()
      expect(await authenticate(prisma, 'carol', 'carol-new-password-2')).not.toBeNull()
    } finally {
      await prisma.user.update({ where: { id: carol.id }, data: { passwordHash: await hashPassword(PASSWORD) } })
    }
  })

  it('failures are never cached: each is checked in full and counted, and the lockout follows LOGIN_FAILURES_PER_ACCOUNT from the configuration', async () => {
    freshRuntime({ LOGIN_FAILURES_PER_ACCOUNT: '3', LOGIN_FAILURES_PER_ADDRESS: '0' })
    await prisma.user.create({ data: { username: 'dave', passwordHash: await hashPassword('dave-password-1') } })
    for (let i = 0; i < 3; i++) expect(await authenticate(prisma, 'dave', 'wrong', '10.1.0.1')).toBeNull()
    expect(runtime().caches.credentials.verified.size).toBe(0)
    const row = await prisma.loginThrottle.findUniqueOrThrow({ where: { key: 'account:dave' } })
    expect(row.failures).toBe(3)
    expect(row.blockedUntil.getTime()).toBeGreaterThan(Date.now())
    // Blocked: even the right password is refused, and nothing is cached.
    expect(await authenticate(prisma, 'dave', 'dave-password-1', '10.1.0.2')).toBeNull()
    expect(runtime().caches.credentials.verified.size).toBe(0)
    expect(await prisma.loginThrottle.findUnique({ where: { key: 'address:10.1.0.1' } })).toBeNull()
  })
  it("the cache entry's expiry is taken before the read, so a change during a slow read is not served past the TTL", async () => {
    installRuntime(buildRuntime(loadConfig({ DATABASE_URL: backend.url }), silentLogger))
    const slow = {
      $queryRaw: async (...args: Parameters<PrismaClient['$queryRaw']>) => {
        await new Promise((resolve) => setTimeout(resolve, 300))
        return prisma.$queryRaw(...args)
      },
    } as unknown as PrismaClient
    const before = Date.now()
    expect(await projectContext(slow, anonymous, 'alpha')).toMatchObject({ name: 'alpha', public: true })
    const entry = runtime().caches.projectAccess.get('\0alpha')
    // Taken after the read, it would be at least `before` + 300 ms (the read) + the TTL.
    expect(entry?.expires).toBeLessThan(before + 5_000 + 150)
  })

  it('several projects: cached ones come from the cache, the rest from one read; missing ones are not cached', async () => {
    installRuntime(buildRuntime(loadConfig({ DATABASE_URL: backend.url }), silentLogger))
    const reads = vi.fn()
    const counting = {
      $queryRaw: (...args: Parameters<PrismaClient['$queryRaw']>) => {
        reads()
        return prisma.$queryRaw(...args)
      },
    } as unknown as PrismaClient
    expect((await projectContext(counting, anonymous, 'alpha'))?.name).toBe('alpha')
    const found = await projectContexts(counting, anonymous, ['alpha', 'beta', 'gamma', 'beta'])
    expect([...found.keys()].sort()).toEqual(['alpha', 'beta'])
    expect(reads).toHaveBeenCalledTimes(2)
    await projectContexts(counting, anonymous, ['alpha', 'beta'])
    expect(reads).toHaveBeenCalledTimes(2)
    await projectContexts(counting, anonymous, ['gamma'])
    expect(reads).toHaveBeenCalledTimes(3)
  })
})
