// lib/db/migrate.ts against real databases: PGlite always, PostgreSQL when TEST_POSTGRES_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { cp, mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { migrateDeploy, migrateDiff, migrateResolve, migrateStatus } from '../../lib/db/migrate'
import { closePglite, getOpenPglite, parseDatabaseUrl, PGLITE_MEMORY } from '../../lib/db/database-url'
import { createPrisma } from '../../lib/db/prisma'
import { BACKENDS, openBackend, type Backend } from './backends'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const quiet = { log: () => {} }

async function localMigrations(): Promise<string[]> {
  return (await readdir(join(ROOT, 'prisma/migrations'), { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
}

describe('migrate:diff', () => {
  it('finds no drift between prisma/migrations and schema.prisma', async () => {
    const { changed, sql } = await migrateDiff(quiet)
    expect(sql.trim() === '' || !changed).toBe(true)
    expect(changed).toBe(false)
  })
})

describe.each(BACKENDS)('migrate deploy on %s', (backendName) => {
  let backend: Backend

  beforeAll(async () => {
    backend = await openBackend(backendName)
  })
  afterAll(async () => {
    await backend?.cleanup()
  })

  it('applies every migration, records it like prisma migrate deploy, and is idempotent', async () => {
    const local = await localMigrations()
    expect(local.length).toBeGreaterThan(0)

    const first = await migrateDeploy(backend.url, quiet)
    expect(first.applied).toEqual(local)
    // A PGlite dir the deploy opened itself is closed again (STACK.md G24) unless keepPgliteOpen is set.
    const target = parseDatabaseUrl(backend.url)
    if (target.kind === 'pglite') expect(getOpenPglite(target.dataDir)).toBeUndefined()

    const second = await migrateDeploy(backend.url, quiet)
    expect(second.applied).toEqual([])

    const status = await migrateStatus(backend.url, quiet)
    expect(status.upToDate).toBe(true)
    expect(status.failedMigrationNames).toEqual([])
    expect(status.editedMigrationNames).toEqual([])

    const prisma = createPrisma(backend.url)
    try {
      const rows = await prisma.$queryRaw<{ migration_name: string; checksum: string; finished: boolean }[]>`
        SELECT migration_name, checksum, finished_at IS NOT NULL AS finished FROM _prisma_migrations ORDER BY migration_name`
      expect(rows.map((r) => r.migration_name)).toEqual(local)
      for (const r of rows) {
        const sql = await readFile(join(ROOT, 'prisma/migrations', r.migration_name, 'migration.sql'))
        expect(r.checksum).toBe(createHash('sha256').update(sql).digest('hex'))
        expect(r.finished).toBe(true)
      }
      // The byte-order collation the listings rely on survived (see prisma/schema.prisma).
      const cols = await prisma.$queryRaw<{ table_name: string; collation_name: string | null }[]>`
        SELECT table_name, collation_name FROM information_schema.columns
         WHERE table_schema = 'public' AND column_name = 'name' AND table_name IN ('Repository', 'Tag')
         ORDER BY table_name`
      expect(cols).toEqual([
        { table_name: 'Repository', collation_name: 'C' },
        { table_name: 'Tag', collation_name: 'C' },
      ])
    } finally {
      await prisma.$disconnect()
    }
  })

  it('records a failing migration as failed, refuses to continue (P3009), and recovers through resolve', async () => {
    // A copy of the project's prisma/ folder with one broken migration appended.
    const root = await mkdtemp(join(tmpdir(), 'migrate-fail-'))
    const fresh = await openBackend(backendName)
    try {
      await cp(join(ROOT, 'prisma'), join(root, 'prisma'), { recursive: true })
      const broken = '29991231000000_broken'
      await mkdir(join(root, 'prisma/migrations', broken))
      const file = join(root, 'prisma/migrations', broken, 'migration.sql')
      await writeFile(file, 'CREATE TABLE "Broken" ("id" INTEGER);\nSELECT 1 / 0;\n')
      const opts = { root, ...quiet }

      await expect(migrateDeploy(fresh.url, opts)).rejects.toThrow(/division by zero|22012/i)
      const status = await migrateStatus(fresh.url, opts)
      expect(status.failedMigrationNames).toEqual([broken])
      await expect(migrateDeploy(fresh.url, opts)).rejects.toThrow(/P3009|failed migrations/i)

      const prisma = createPrisma(fresh.url)
      try {
        // The broken script ran as one transaction: nothing of it is left behind.
        const t = await prisma.$queryRaw<{ n: bigint }[]>`
          SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'Broken'`
        expect(Number(t[0].n)).toBe(0)
      } finally {
        await prisma.$disconnect()
      }

      await migrateResolve(fresh.url, { rolledBack: broken }, opts)
      await writeFile(file, 'CREATE TABLE "Broken" ("id" INTEGER);\n')
      const fixed = await migrateDeploy(fresh.url, opts)
      expect(fixed.applied).toEqual([broken])
      expect((await migrateStatus(fresh.url, opts)).upToDate).toBe(true)
    } finally {
      await fresh.cleanup()
      await rm(root, { recursive: true, force: true })
    }
  })
})

describe('migrate deploy on pglite:memory://', () => {
  it('leaves the shared in-memory instance open so the app can use it', async () => {
    const url = `pglite:${PGLITE_MEMORY}`
    try {
      await migrateDeploy(url, quiet)
      expect(getOpenPglite(PGLITE_MEMORY)).toBeDefined()
      const prisma = createPrisma(url)
      expect(await prisma.repository.count()).toBe(0)
      await prisma.$disconnect()
    } finally {
      await closePglite(PGLITE_MEMORY)
    }
  })
})
