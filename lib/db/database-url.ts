// One DATABASE_URL for both backends:
//   postgresql://… | postgres://…   -> PostgreSQL through @prisma/adapter-pg
//   pglite:<dir>                    -> PGlite (embedded PostgreSQL in wasm) persisted in <dir>
//   pglite:memory://                -> PGlite in memory (lost when the process ends)
//
// PGlite is single-connection and has no lock file (STACK.md G11): each process keeps ONE instance per
// data dir, so the migration runner, the runtime's Prisma client and test tools all talk to the same
// instance. Close them with closeDatabases() on shutdown.
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'

export const PGLITE_MEMORY = 'memory://'

export type DatabaseTarget =
  | { kind: 'postgres'; connectionString: string }
  /** `dataDir` is an absolute path, or `memory://`. */
  | { kind: 'pglite'; dataDir: string }

export function parseDatabaseUrl(url: string): DatabaseTarget {
  const u = url.trim()
  if (/^postgres(ql)?:\/\//i.test(u)) return { kind: 'postgres', connectionString: u }
  if (/^pglite:/i.test(u)) {
    const rest = u.slice('pglite:'.length)
    if (rest === '') throw new Error('DATABASE_URL: "pglite:" needs a data directory, e.g. pglite:./data/db or pglite:memory://')
    if (rest === PGLITE_MEMORY || rest === 'memory:' || rest === 'memory') return { kind: 'pglite', dataDir: PGLITE_MEMORY }
    // Accept pglite:///abs/path and pglite://./rel as well as pglite:<path>.
    const path = rest.startsWith('//') ? rest.slice(2) : rest
    return { kind: 'pglite', dataDir: resolve(path) }
  }
  throw new Error(`DATABASE_URL must start with postgresql://, postgres:// or pglite: (got "${redact(u)}")`)
}

/** The URL with any password replaced, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@')
}

type PgliteMap = Map<string, PGlite>
// Not the runtime's: PGlite opens before the runtime exists (migrations at start, tests, the CLI), and a
// second instance on one dir from another module graph (Next's bundle) would corrupt it, so one map per process.
const g = globalThis as typeof globalThis & { __pglite?: PgliteMap }

function pgliteMap(): PgliteMap {
  return (g.__pglite ??= new Map())
}

/** The process-wide PGlite for a data dir (absolute path or `memory://`), if one is open. */
export function getOpenPglite(dataDir: string): PGlite | undefined {
  const db = pgliteMap().get(dataDir)
  return db && !db.closed ? db : undefined
}

/**
 * The process-wide PGlite for a data dir, opened on first use (creating the parent directory;
 * PGlite fails with ENOENT without it, STACK.md G8). `opened` tells whether this call opened it.
 */
export function openPglite(dataDir: string): { db: PGlite; opened: boolean } {
  const existing = getOpenPglite(dataDir)
  if (existing) return { db: existing, opened: false }
  if (dataDir !== PGLITE_MEMORY) mkdirSync(dirname(dataDir), { recursive: true })
  const db = new PGlite(dataDir === PGLITE_MEMORY ? undefined : dataDir)
  pgliteMap().set(dataDir, db)
  return { db, opened: true }
}

/** Closes one PGlite opened through openPglite and forgets it. */
export async function closePglite(dataDir: string): Promise<void> {
  const map = pgliteMap()
  const db = map.get(dataDir)
  if (!db) return
  map.delete(dataDir)
  if (!db.closed) await db.close()
}

/** Closes every PGlite instance this process opened (call on SIGTERM/SIGINT and after tests). */
export async function closeDatabases(): Promise<void> {
  const map = pgliteMap()
  const all = [...map.entries()]
  map.clear()
  await Promise.allSettled(all.map(([, db]) => (db.closed ? undefined : db.close())))
}
