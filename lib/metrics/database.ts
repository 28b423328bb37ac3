// Database metrics read at scrape time: the open upload sessions (from the index, so every replica
// reports the registry's count) and this process's PostgreSQL pool.
import type { PrismaClient } from '../db/prisma'
import { poolOf } from '../db/prisma'
import { databasePoolConnections, uploadSessionsOpen } from './registry'

let database: (() => PrismaClient) | undefined

/** Scrapes read `prisma` from now on (a getter: the runtime opens its client lazily). */
export function observeDatabase(prisma: () => PrismaClient): void {
  database = prisma
}

/** Refreshes the gauges; a database that does not answer leaves them as they were and fails no scrape. */
export async function collectDatabaseMetrics(): Promise<void> {
  if (!database) return
  const prisma = database()
  const pool = poolOf(prisma)
  if (pool) {
    databasePoolConnections.labels('total').set(pool.totalCount)
    databasePoolConnections.labels('idle').set(pool.idleCount)
    databasePoolConnections.labels('waiting').set(pool.waitingCount)
  }
  try {
    uploadSessionsOpen.set(await prisma.upload.count({ where: { closedAt: null } }))
  } catch {
    // Reported by /readyz; a scrape still gives everything else.
  }
}
