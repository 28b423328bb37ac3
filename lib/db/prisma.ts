// Prisma clients for a database URL. The process's one client is the runtime's (`runtime().prisma`,
// lib/runtime/build.ts creates it); tests and tools create their own.
// Each client comes with a plain-SQL executor on the same connections (sqlExecutor, lib/db/sql.ts).
import pg from 'pg'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import { PrismaClient } from '../generated/prisma/client'
import { openPglite, parseDatabaseUrl } from './database-url'
import { pgExecutor, pgliteExecutor, type SqlExecutor } from './sql'

export type { PrismaClient }

// Asked for by the index and the event sink, which are built where their client is (the runtime's
// in the server bundle), so this module's own map always holds the executor.
const executors = new WeakMap<PrismaClient, SqlExecutor>()
const pools = new WeakMap<PrismaClient, pg.Pool>()

/**
 * A client for `url` (postgresql://…, pglite:<dir>, pglite:memory://). For PGlite it shares the
 * process-wide instance of that dir; `$disconnect()` does not close PGlite, closeDatabases() does.
 * For PostgreSQL, Prisma and the SQL executor share one pg Pool, which `$disconnect()` ends.
 */
export function createPrisma(url: string): PrismaClient {
  const target = parseDatabaseUrl(url)
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: target.connectionString })
    // An idle connection that breaks (server restart, network) is dropped by the pool and replaced
    // on the next query; without a listener its 'error' event would end the process.
    pool.on('error', () => {})
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) })
    executors.set(prisma, pgExecutor(pool))
    pools.set(prisma, pool)
    return prisma
  }
  const { db } = openPglite(target.dataDir)
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) })
  executors.set(prisma, pgliteExecutor(db))
  return prisma
}

/** The plain-SQL executor on `prisma`'s connections (the client must come from createPrisma). */
export function sqlExecutor(prisma: PrismaClient): SqlExecutor {
  const executor = executors.get(prisma)
  if (!executor) throw new Error('sqlExecutor: this Prisma client was not created by createPrisma()')
  return executor
}

/** The pg Pool under `prisma` (for its connection counts); undefined on PGlite. */
export function poolOf(prisma: PrismaClient): pg.Pool | undefined {
  return pools.get(prisma)
}
