// DATABASE_URL parsing (no database needed).
import { describe, expect, it } from 'vitest'
import { resolve } from 'node:path'
import { parseDatabaseUrl, PGLITE_MEMORY, redact } from '../../lib/db/database-url'

describe('parseDatabaseUrl', () => {
  it('recognises PostgreSQL URLs', () => {
    for (const url of ['postgresql://u:p@h:5432/db', 'postgres://h/db?sslmode=require', 'POSTGRESQL://h/db'])
      expect(parseDatabaseUrl(url)).toEqual({ kind: 'postgres', connectionString: url })
  })

  it('recognises PGlite dirs and memory', () => {
    expect(parseDatabaseUrl('pglite:/var/lib/registry/db')).toEqual({ kind: 'pglite', dataDir: '/var/lib/registry/db' })
    expect(parseDatabaseUrl('pglite:///var/lib/registry/db')).toEqual({ kind: 'pglite', dataDir: '/var/lib/registry/db' })
    expect(parseDatabaseUrl('pglite:./data/db')).toEqual({ kind: 'pglite', dataDir: resolve('data/db') })
    expect(parseDatabaseUrl('pglite:memory://')).toEqual({ kind: 'pglite', dataDir: PGLITE_MEMORY })
  })

  it('rejects anything else with a clear message that hides the password', () => {
    expect(() => parseDatabaseUrl('mysql://root:secret@h/db')).toThrow(/must start with postgresql:\/\/.*mysql:\/\/root:\*\*\*@h\/db/)
    expect(() => parseDatabaseUrl('pglite:')).toThrow(/needs a data directory/)
    expect(redact('postgresql://app:s3cr3t@db:5432/registry')).toBe('postgresql://app:***@db:5432/registry')
  })
})
