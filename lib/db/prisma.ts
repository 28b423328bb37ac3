// The Prisma client: one per process (getPrisma), or one per URL for tests and tools (createPrisma).
// Each client comes with a plain-SQL executor on the same connections (sqlExecutor, lib/db/sql.ts).
import pg from 'pg'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import { PrismaClient } from '../generated/prisma/client'
import { databaseUrl, openPglite, parseDatabaseUrl } from './database-url'
import { pgExecutor, pgliteExecutor, type SqlExecutor } from './sql'

export type { PrismaClient }

const g = globalThis as typeof globalThis & { __prisma?: PrismaClient; __sqlExecutors?: WeakMap<PrismaClient, SqlExecutor> }

// On globalThis, like the client itself: the server bundle creates the process-wide client and
// Next's bundle (which loads this module separately) must find its executor.
const executors = (g.__sqlExecutors ??= new WeakMap())

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
    return prisma
  }
  const { db } = openPglite(target.dataDir)
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) })
  executors.set(prisma, pgliteExecutor(db))
  return prisma
}

/** The plain-SQL executor on `prisma`'s connections (the client must come from createPrisma or getPrisma). */
export function sqlExecutor(prisma: PrismaClient): SqlExecutor {
  const executor = executors.get(prisma)
  if (!executor) throw new Error('sqlExecutor: this Prisma client was not created by createPrisma()')
  return executor
}

/** The process-wide client for DATABASE_URL (kept on globalThis so dev reloads do not multiply pools). */
export function getPrisma(): PrismaClient {
  return (g.__prisma ??= createPrisma(databaseUrl()))
}

/** Disconnects the process-wide client, if one was created (then call closeDatabases() for PGlite). */
export async function disconnectPrisma(): Promise<void> {
  const client = g.__prisma
  g.__prisma = undefined
  await client?.$disconnect()
}
