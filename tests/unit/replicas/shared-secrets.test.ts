import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrateDeploy } from '../../../lib/db/migrate'
import { createPrisma, type PrismaClient } from '../../../lib/db/prisma'
import { recordSharedSecretIds, sessionSecretId, type SharedSecretIds } from '../../../lib/replicas/shared-secrets'
import { BACKENDS, openBackend, type Backend } from '../../db/backends'

describe.each(BACKENDS)('secrets replicas must share, on %s', (backendName) => {
  let backend: Backend
  let prisma: PrismaClient

  beforeAll(async () => {
    backend = await openBackend(backendName)
    await migrateDeploy(backend.url, { log: () => {}, keepPgliteOpen: true })
    prisma = createPrisma(backend.url)
  })
  afterAll(async () => {
    await prisma?.$disconnect()
    await backend?.cleanup()
  })

  const ids: SharedSecretIds = { TOKEN_PRIVATE_KEY_FILE: 'kid-1', NEXTAUTH_SECRET: sessionSecretId('a'.repeat(32)), SECRET_KEY: 'box-1' }

  it('names the secrets that differ from those of the replica that started before', async () => {
    expect(await recordSharedSecretIds(prisma, ids)).toEqual([])
    expect(await recordSharedSecretIds(prisma, ids)).toEqual([])
    const other = { ...ids, NEXTAUTH_SECRET: sessionSecretId('b'.repeat(32)), SECRET_KEY: 'box-2' }
    expect(await recordSharedSecretIds(prisma, other)).toEqual(['NEXTAUTH_SECRET', 'SECRET_KEY'])
    // The last replica to start is the reference: a restart of the first one is told.
    expect(await recordSharedSecretIds(prisma, ids)).toEqual(['NEXTAUTH_SECRET', 'SECRET_KEY'])
    expect(await recordSharedSecretIds(prisma, ids)).toEqual([])
  })

  it('session secret ids are one-way and tell secrets apart', () => {
    const secret = 'c'.repeat(40)
    expect(sessionSecretId(secret)).toMatch(/^[0-9a-f]{32}$/)
    expect(sessionSecretId(secret)).not.toContain(secret)
    expect(sessionSecretId(secret)).not.toBe(sessionSecretId('d'.repeat(40)))
  })
})
