// The Prisma client: one per process (getPrisma), or one per URL for tests and tools (createPrisma).
import { PrismaClient } from '../generated/prisma/client'
import { createAdapterFactory, databaseUrl } from './database-url'

export type { PrismaClient }

const g = globalThis as typeof globalThis & { __prisma?: PrismaClient }

/**
 * A client for `url` (postgresql://…, pglite:<dir>, pglite:memory://). For PGlite it shares the
 * process-wide instance of that dir; `$disconnect()` does not close PGlite, closeDatabases() does.
 */
export function createPrisma(url: string): PrismaClient {
  return new PrismaClient({ adapter: createAdapterFactory(url) })
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
