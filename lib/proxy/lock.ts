// Upstream.exclusive: the lock the engine holds around each upstream fetch so that replicas fetch
// the same content once. On PostgreSQL it is a session advisory lock on a connection of a small pool
// of its own (the fetch may last as long as a large blob streams, which must not starve Prisma's
// pool); PGlite is one process, where a mutex per key does the same.
import pg from 'pg'
import { KeyedMutex } from '@registry-core'
import { parseDatabaseUrl } from '../db/database-url'

export interface ExclusiveLock {
  exclusive<T>(key: string, fn: () => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** Locks held at once by this process (distinct keys: the engine joins requests for the same key). */
const LOCK_CONNECTIONS = 8
/** The first half of the two-int advisory lock key: this registry's proxy-cache fetches. */
const LOCK_CLASS = 0x70726f78 // 'prox'

export function exclusiveLock(databaseUrl: string): ExclusiveLock {
  const target = parseDatabaseUrl(databaseUrl)
  if (target.kind === 'pglite') {
    const mutex = new KeyedMutex()
    return { exclusive: (key, fn) => mutex.exclusive(key, fn), close: async () => {} }
  }
  let pool: pg.Pool | undefined
  const open = () => {
    if (!pool) {
      pool = new pg.Pool({ connectionString: target.connectionString, max: LOCK_CONNECTIONS })
      // A broken idle connection is dropped and replaced; without a listener it would end the process.
      pool.on('error', () => {})
    }
    return pool
  }
  return {
    async exclusive(key, fn) {
      const client = await open().connect()
      // A connection whose lock statements failed may still hold the lock: it is destroyed, which releases it.
      let broken: Error | undefined
      const markBroken = (error: unknown) => (broken = error instanceof Error ? error : new Error(String(error)))
      try {
        await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_CLASS, key]).catch((error: unknown) => {
          markBroken(error)
          throw error
        })
        try {
          return await fn()
        } finally {
          await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, key]).catch(markBroken)
        }
      } finally {
        client.release(broken)
      }
    },
    async close() {
      await pool?.end()
      pool = undefined
    },
  }
}
