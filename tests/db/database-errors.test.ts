// The SQLSTATEs that are not the server's fault, as Prisma 7 really hands them back through the
// driver adapters (PGlite always, pg when TEST_POSTGRES_URL is set), and their HTTP mapping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrateDeploy } from '../../lib/db/migrate'
import { createPrisma, type PrismaClient } from '../../lib/db/prisma'
import { databaseFailure, sqlState } from '../../lib/db/errors'
import { errorResponse } from '../../lib/api/respond'
import { BACKENDS, openBackend, type Backend } from './backends'

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the query to fail')
}

describe.each(BACKENDS)('database errors on %s', (backendName) => {
  let backend: Backend
  let prisma: PrismaClient

  beforeAll(async () => {
    backend = await openBackend(backendName)
    await migrateDeploy(backend.url, { log: () => {}, keepPgliteOpen: true })
    prisma = createPrisma(backend.url)
    // What PostgreSQL raises when it cannot extend a file on a full disk.
    await prisma.$executeRawUnsafe(`CREATE FUNCTION simulate_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'could not extend file "base/1/2": No space left on device' USING ERRCODE = '53100'; END $$`)
    await prisma.$executeRawUnsafe(`CREATE TRIGGER disk_full BEFORE INSERT ON "Setting" FOR EACH ROW EXECUTE FUNCTION simulate_disk_full()`)
  }, 180_000)
  afterAll(async () => {
    await prisma?.$disconnect()
    await backend?.cleanup()
  })

  it('a NUL byte in a model query is invalid text: 400 on the REST API', async () => {
    const error = await rejection(prisma.project.findFirst({ where: { name: 'a\u0000b' } }))
    expect(sqlState(error)).toBe('22021')
    expect(databaseFailure(error)).toBe('invalid_text')
    const res = errorResponse(error)
    expect(res.status).toBe(400)
    expect((await res.json()).errors[0].code).toBe('BAD_REQUEST')
  })

  it('a NUL byte in a raw query is invalid text too', async () => {
    const error = await rejection(prisma.$queryRaw`SELECT ${'a\u0000b'}::text AS t`)
    expect(databaseFailure(error)).toBe('invalid_text')
  })

  it('disk_full (53100) from a write is a 507 with a clear message', async () => {
    const error = await rejection(prisma.setting.create({ data: { key: 'k', value: 1 } }))
    expect(sqlState(error)).toBe('53100')
    expect(databaseFailure(error)).toBe('disk_full')
    const res = errorResponse(error)
    expect(res.status).toBe(507)
    expect((await res.json()).errors[0]).toMatchObject({ code: 'INSUFFICIENT_STORAGE', message: expect.stringMatching(/disk/) })
  })

  it('disk_full from a raw statement too', async () => {
    const error = await rejection(prisma.$executeRaw`INSERT INTO "Setting" (key, value) VALUES ('k', '1')`)
    expect(databaseFailure(error)).toBe('disk_full')
  })

  it('leaves other database errors alone (a 500)', async () => {
    const error = await rejection(prisma.$queryRawUnsafe('SELECT * FROM no_such_table'))
    expect(sqlState(error)).toBe('42P01')
    expect(databaseFailure(error)).toBeUndefined()
    expect(errorResponse(error).status).toBe(500)
  })
})
