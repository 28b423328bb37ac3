// One garbage collection at a time across every process: a PostgreSQL session advisory lock, taken
// with pg_try_advisory_lock on a connection of its own that the collection keeps for its whole run
// (a crashed process's connection closes and the lock goes with it). PGlite is one process: a flag
// in the process (on globalThis, shared by the server and Next bundles) does the same.
import pg from 'pg'
import { parseDatabaseUrl } from '../db/database-url'

/** The two-int advisory lock key: 'gcol', 0 (the proxy cache's locks use another class). */
const LOCK_CLASS = 0x67636f6c
const LOCK_KEY = 0

export interface CollectionLock {
  release(): Promise<void>
}

const SLOT = Symbol.for('harbormaster.gc.local-lock')
const holder = globalThis as typeof globalThis & { [SLOT]?: Set<string> }
const localLocks = (holder[SLOT] ??= new Set())

/** The lock, or null when another collection holds it. */
export async function tryCollectionLock(databaseUrl: string): Promise<CollectionLock | null> {
  const target = parseDatabaseUrl(databaseUrl)
  if (target.kind === 'pglite') {
    const { dataDir } = target
    if (localLocks.has(dataDir)) return null
    localLocks.add(dataDir)
    return {
      async release() {
        localLocks.delete(dataDir)
      },
    }
  }
  const client = new pg.Client({ connectionString: target.connectionString })
  // A broken connection ends the session, which releases the lock; without a listener it would end the process.
  client.on('error', () => {})
  await client.connect()
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS "locked"', [LOCK_CLASS, LOCK_KEY])
    if (!rows[0]?.locked) {
      await client.end()
      return null
    }
  } catch (error) {
    await client.end().catch(() => {})
    throw error
  }
  return {
    async release() {
      // Ending the session releases its advisory locks.
      await client.end().catch(() => {})
    },
  }
}
