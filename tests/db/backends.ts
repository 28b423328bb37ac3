// Real databases for tests/db: PGlite in a temp dir always, PostgreSQL when TEST_POSTGRES_URL is set
// (a fresh database per call, dropped by cleanup). Not a test file itself.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { closePglite, parseDatabaseUrl } from '../../lib/db/database-url'

export interface Backend {
  name: 'pglite' | 'postgres'
  url: string
  /** PostgreSQL only: the database's default collation is not byte order (ICU en-US), so tests prove COLLATE "C" matters. */
  nonByteDefaultCollation: boolean
  cleanup(): Promise<void>
}

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL?.trim() || undefined

/** The backends to run against: always PGlite, plus PostgreSQL when TEST_POSTGRES_URL is set. */
export const BACKENDS: Backend['name'][] = POSTGRES_URL ? ['pglite', 'postgres'] : ['pglite']

export async function openBackend(name: Backend['name']): Promise<Backend> {
  return name === 'pglite' ? pgliteBackend() : postgresBackend()
}

export async function pgliteBackend(): Promise<Backend> {
  const dir = await mkdtemp(join(tmpdir(), 'registry-db-test-'))
  // A parent that does not exist yet: openPglite must create it (STACK.md G8).
  const url = `pglite:${join(dir, 'not', 'yet', 'db')}`
  return {
    name: 'pglite',
    url,
    nonByteDefaultCollation: false,
    async cleanup() {
      const t = parseDatabaseUrl(url)
      if (t.kind === 'pglite') await closePglite(t.dataDir)
      await rm(dir, { recursive: true, force: true })
    },
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

export async function postgresBackend(): Promise<Backend> {
  if (!POSTGRES_URL) throw new Error('TEST_POSTGRES_URL is not set')
  const database = `t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: POSTGRES_URL })
  await admin.connect()
  let nonByteDefaultCollation = true
  try {
    // A default collation like a production en_US.UTF-8 server's, without needing OS locales:
    // ICU en-US (PostgreSQL 15+ built with ICU). Fall back to the server default otherwise.
    await admin.query(`CREATE DATABASE "${database}" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8' ENCODING 'UTF8'`)
  } catch {
    nonByteDefaultCollation = false
    await admin.query(`CREATE DATABASE "${database}"`)
  } finally {
    await admin.end()
  }
  return {
    name: 'postgres',
    url: withDatabase(POSTGRES_URL, database),
    nonByteDefaultCollation,
    async cleanup() {
      const c = new pg.Client({ connectionString: POSTGRES_URL })
      await c.connect()
      try {
        await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)
      } finally {
        await c.end()
      }
    },
  }
}

/** Byte-lexical comparison of UTF-8 strings (what OCI calls lexical). */
export function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}
