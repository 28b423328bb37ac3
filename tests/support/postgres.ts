/**
 * Throwaway PostgreSQL databases for tests.
 *
 *   const db = await createTestDatabase()   // CREATE DATABASE t_<random> on TEST_POSTGRES_URL's server
 *   ... startRegistryServer({ databaseUrl: db.url }) ...
 *   await db.drop()
 *
 * TEST_POSTGRES_URL names a server and a database to connect to for administration, e.g.
 * `postgresql://postgres@127.0.0.1:55432/postgres`.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export interface TestDatabase {
  /** URL of the new database (same server and credentials as TEST_POSTGRES_URL). */
  url: string
  name: string
  /** Drops the database, terminating its connections first. */
  drop(): Promise<void>
}

export function testPostgresUrl(): string {
  const url = process.env.TEST_POSTGRES_URL
  if (!url) throw new Error('TEST_POSTGRES_URL is not set (e.g. postgresql://postgres@127.0.0.1:55432/postgres)')
  return url
}

async function admin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

export async function createTestDatabase(serverUrl: string = testPostgresUrl()): Promise<TestDatabase> {
  const name = `t_${randomBytes(8).toString('hex')}`
  await admin(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`))
  const u = new URL(serverUrl)
  u.pathname = `/${name}`
  return {
    url: u.toString(),
    name,
    drop: () =>
      admin(serverUrl, async (c) => {
        await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name])
        await c.query(`DROP DATABASE IF EXISTS "${name}"`)
      }),
  }
}
