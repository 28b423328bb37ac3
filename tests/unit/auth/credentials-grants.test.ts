// authenticate(), the login throttle and the token service's grant intersection against real
// databases (PGlite always, PostgreSQL when TEST_POSTGRES_URL is set).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrateDeploy } from '../../../lib/db/migrate'
import { createPrisma, type PrismaClient } from '../../../lib/db/prisma'
import { BACKENDS, openBackend, type Backend } from '../../db/backends'
import { authenticate, generateSecret, hashSecret, invalidateCredentials } from '../../../lib/auth/credentials'
import { hashPassword } from '../../../lib/auth/passwords'
import { grantAccess, parseScopes } from '../../../lib/auth/token-service'
import { ANONYMOUS_SUBJECT } from '../../../lib/auth/permissions'

describe.each(BACKENDS)('credentials and grants on %s', (backendName) => {
  let backend: Backend
  let prisma: PrismaClient
  let alice: { id: number }
  let tokenSecret: string
  let robotSecret: string
  const password = 'alice-password-1'

  beforeAll(async () => {
    backend = await openBackend(backendName)
    invalidateCredentials() // the cache is per process: forget what the other backend's run verified
    await migrateDeploy(backend.url, { log: () => {}, keepPgliteOpen: true })
    prisma = createPrisma(backend.url)
    alice = await prisma.user.create({ data: { username: 'alice', passwordHash: await hashPassword(password) } })
    const team = await prisma.project.create({ data: { name: 'team' } })
    await prisma.project.create({ data: { name: 'open', public: true } })
    await prisma.member.create({ data: { projectId: team.id, userId: alice.id, role: 'developer' } })
    tokenSecret = generateSecret('hmp_')
    await prisma.accessToken.create({ data: { userId: alice.id, name: 't', permission: 'read', secretHash: hashSecret(tokenSecret) } })
    robotSecret = generateSecret('hmr_')
    await prisma.robot.create({
      data: {
        name: 'robot$team+ci',
        projectId: team.id,
        secretHash: hashSecret(robotSecret),
        permissions: { create: { projectId: team.id, actions: ['pull', 'push', 'delete'] } },
      },
    })
  })
  afterAll(async () => {
    await prisma?.$disconnect()
    await backend?.cleanup()
  })

  it('generates prefixed 43-character secrets and hashes them with sha256', () => {
    expect(tokenSecret).toMatch(/^hmp_[A-Za-z0-9_-]{43}$/)
    expect(robotSecret).toMatch(/^hmr_[A-Za-z0-9_-]{43}$/)
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it('checks passwords, access tokens and robot secrets, and honours the options', async () => {
    expect(await authenticate(prisma, 'alice', password)).toMatchObject({ kind: 'user', username: 'alice', isAdmin: false })
    expect(await authenticate(prisma, 'alice', tokenSecret)).toMatchObject({ kind: 'user', token: { permission: 'read' } })
    const robot = await authenticate(prisma, 'robot$team+ci', robotSecret)
    expect(robot?.kind).toBe('robot')
    expect(await authenticate(prisma, 'robot$team+ci', robotSecret, undefined, { allowRobots: false })).toBeNull()
    expect(await authenticate(prisma, 'alice', tokenSecret, undefined, { allowTokens: false })).toBeNull()
    expect(await authenticate(prisma, 'nobody', password)).toBeNull()
    expect((await prisma.user.findUniqueOrThrow({ where: { username: 'alice' } })).lastLoginAt).not.toBeNull()
  })

  it('caches successes for a short time; invalidateCredentials makes a revocation immediate', async () => {
    expect(await authenticate(prisma, 'alice', tokenSecret)).not.toBeNull()
    await prisma.accessToken.deleteMany({ where: { userId: alice.id } })
    expect(await authenticate(prisma, 'alice', tokenSecret)).not.toBeNull() // cached (≤ 15 s)
    invalidateCredentials('alice')
    expect(await authenticate(prisma, 'alice', tokenSecret)).toBeNull()
  })

  it('blocks an account after repeated failures, answering like a wrong password; other accounts are unaffected', async () => {
    await prisma.user.create({ data: { username: 'bob', passwordHash: await hashPassword('bob-password-1') } })
    for (let i = 0; i < 5; i++) expect(await authenticate(prisma, 'bob', 'wrong', '10.0.0.1')).toBeNull()
    expect(await authenticate(prisma, 'bob', 'bob-password-1', '10.0.0.2')).toBeNull()
    const row = await prisma.loginThrottle.findUniqueOrThrow({ where: { key: 'account:bob' } })
    expect(row.failures).toBeGreaterThanOrEqual(5)
    expect(row.blockedUntil.getTime()).toBeGreaterThan(Date.now())
    expect(await authenticate(prisma, 'alice', password, '10.0.0.1')).not.toBeNull()
    await prisma.loginThrottle.deleteMany({ where: { key: 'account:bob' } }) // as if the block had expired
    expect(await authenticate(prisma, 'bob', 'bob-password-1', '10.0.0.2')).not.toBeNull()
    const audit = await prisma.auditLog.findMany({ where: { resource: 'bob', action: 'login' } })
    expect(audit.some((a) => !a.success)).toBe(true)
  })

  it('grants the intersection of requested and permitted actions', async () => {
    invalidateCredentials()
    const dev = (await authenticate(prisma, 'alice', password))!
    const scopes = parseScopes(['repository:team/app:pull,push,delete', 'repository:open/app:*', 'repository:ghost/app:pull', 'repository:single:pull', 'registry:catalog:*'])
    expect(await grantAccess(prisma, dev, scopes)).toEqual([
      { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
      { type: 'repository', name: 'open/app', actions: ['pull'] },
      { type: 'repository', name: 'ghost/app', actions: [] },
      { type: 'repository', name: 'single', actions: [] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
    ])
    expect((await grantAccess(prisma, ANONYMOUS_SUBJECT, scopes)).map((e) => e.actions)).toEqual([[], ['pull'], [], [], ['*']])
    const robot = (await authenticate(prisma, 'robot$team+ci', robotSecret))!
    expect((await grantAccess(prisma, robot, scopes)).map((e) => e.actions)).toEqual([['pull', 'push', 'delete'], ['pull'], [], [], ['*']])
  })
})
