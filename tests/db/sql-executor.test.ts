// The plain-SQL executor (lib/db/sql.ts) on the hottest registry paths: the same results as
// Prisma's raw queries for every parameter type the registry binds, and on PGlite each statement
// prepared once per instance (it used to be parsed and planned on every run, in wasm on the event
// loop's thread), also when several Prisma clients share the instance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrateDeploy } from '../../lib/db/migrate'
import { createPrisma, sqlExecutor, type PrismaClient } from '../../lib/db/prisma'
import { sqlState } from '../../lib/db/errors'
import { statement } from '../../lib/db/sql'
import { openPglite, parseDatabaseUrl } from '../../lib/db/database-url'
import { PrismaRegistryIndex } from '../../lib/registry/prisma-index'
import { BACKENDS, openBackend, type Backend } from './backends'

const ECHO = statement(
  'test_executor_echo',
  `SELECT $1::text AS "text", $2::bigint AS "big", $3::text[] AS "list", $4::bytea AS "bytes", $5::jsonb AS "json",
          $6::timestamptz AS "at", $7::boolean AS "flag", $8::text AS "missing"`,
)
const FAILING = statement('test_executor_failing', `SELECT 1 / $1::int AS "x"`)

describe.each(BACKENDS)('the SQL executor on %s', (backendName) => {
  let backend: Backend
  let prisma: PrismaClient

  beforeAll(async () => {
    backend = await openBackend(backendName)
    await migrateDeploy(backend.url, { log: () => {}, keepPgliteOpen: true })
    prisma = createPrisma(backend.url)
  }, 180_000)
  afterAll(async () => {
    await prisma?.$disconnect()
    await backend?.cleanup()
  })

  it('binds and parses every parameter type the registry uses, run after run', async () => {
    const at = new Date('2026-12-03T10:00:00.123Z')
    for (const n of [1, 2, 3]) {
      const rows = await sqlExecutor(prisma).query<Record<string, unknown>>(ECHO, [
        `t${n}`,
        String(2 ** 40 + n),
        ['a', `b${n}`, 'c,"d"'],
        Buffer.from([0, 1, 255, n]),
        JSON.stringify({ n, tags: ['x'] }),
        at,
        n % 2 === 0,
        null,
      ])
      expect(rows).toHaveLength(1)
      const row = rows[0]
      expect(row.text).toBe(`t${n}`)
      expect(BigInt(row.big as bigint | string)).toBe(BigInt(2 ** 40 + n))
      expect(row.list).toEqual(['a', `b${n}`, 'c,"d"'])
      expect(Buffer.from(row.bytes as Uint8Array)).toEqual(Buffer.from([0, 1, 255, n]))
      expect(row.json).toEqual({ n, tags: ['x'] })
      expect(new Date(row.at as Date).toISOString()).toBe(at.toISOString())
      expect(row.flag).toBe(n % 2 === 0)
      expect(row.missing).toBeNull()
    }
  })

  it('a failing run rejects with its SQLSTATE and the next runs work', async () => {
    const sql = sqlExecutor(prisma)
    let failure: unknown
    await sql.query(FAILING, [0]).catch((error: unknown) => (failure = error))
    expect(sqlState(failure)).toBe('22012')
    expect(await sql.query(FAILING, [1])).toEqual([{ x: 1 }])
    expect(await sql.query(FAILING, [1])).toEqual([{ x: 1 }])
  })

  it.runIf(backendName === 'pglite')('on PGlite, prepares a statement once per instance, shared by every client of it', async () => {
    const other = createPrisma(backend.url)
    try {
      for (const client of [prisma, other, prisma, other]) await sqlExecutor(client).query(ECHO, ['x', '1', [], Buffer.alloc(0), '{}', new Date(), true, null])
      const prepared = await prisma.$queryRaw<{ name: string }[]>`SELECT "name" FROM pg_prepared_statements WHERE "name" = ${ECHO.name}`
      expect(prepared).toEqual([{ name: ECHO.name }])
    } finally {
      await other.$disconnect()
    }
  })

  it.runIf(backendName === 'pglite')('on PGlite, a tag list is one pass through the protocol once its statement is prepared', async () => {
    const target = parseDatabaseUrl(backend.url)
    if (target.kind !== 'pglite') throw new Error('PGlite only')
    const { db } = openPglite(target.dataDir)
    const index = new PrismaRegistryIndex(prisma)
    expect(await index.listTags('nowhere/app', { n: 1000 })).toBeNull()
    const passes: unknown[] = []
    const execProtocol = db.execProtocol.bind(db)
    db.execProtocol = (message, options) => {
      passes.push(message)
      return execProtocol(message, options)
    }
    try {
      expect(await index.listTags('nowhere/app', { n: 1000 })).toBeNull()
      expect(await index.listTags('nowhere/app', { n: 100, last: 'v1' })).toBeNull()
    } finally {
      db.execProtocol = execProtocol
    }
    // Each list after the first of its kind: one pass for the first page, then parse-describe-sync once and one pass for a page after `last`.
    expect(passes).toHaveLength(3)
  })

  it.runIf(backendName === 'pglite')('on PGlite (one connection), waits for an open transaction instead of running inside it', async () => {
    const sql = sqlExecutor(prisma)
    await prisma.$executeRaw`INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES ('executor-test', '"a"', now())`
    const read = statement('test_executor_setting', `SELECT "value" FROM "Setting" WHERE "key" = $1`)
    let outside: Promise<{ value: unknown }[]> | undefined
    await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`UPDATE "Setting" SET "value" = '"b"' WHERE "key" = 'executor-test'`
      outside = sql.query<{ value: unknown }>(read, ['executor-test'])
      // Give the outside read every chance to run before the commit.
      await new Promise((resolve) => setTimeout(resolve, 50))
      await tx.$executeRaw`UPDATE "Setting" SET "value" = '"c"' WHERE "key" = 'executor-test'`
    })
    expect(await outside).toEqual([{ value: 'c' }])
  })
})
