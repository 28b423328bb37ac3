// Plain SQL on the hottest registry paths, past Prisma's raw-query machinery (which costs more CPU
// per statement than the statements themselves). One executor per Prisma client, on the client's
// own connections: the pg Pool it was built with, or the process's PGlite instance.
//
// Every statement is written once, as a `Statement`, and runs unchanged on both flavours. On
// PostgreSQL it is a named prepared statement (parsed and planned once per pooled connection); on
// PGlite it is an ordinary extended-protocol query, which waits for any open Prisma transaction
// (PGlite is single-connection and serialises queries behind transactions).
import type { PGlite } from '@electric-sql/pglite'
import type pg from 'pg'

/** One SQL statement with positional parameters ($1, $2, …). `name` must be unique per text. */
export interface Statement {
  readonly name: string
  readonly text: string
}

export interface SqlExecutor {
  /** Runs `statement` with `values` bound to its parameters; resolves with the rows. */
  query<Row>(statement: Statement, values: unknown[]): Promise<Row[]>
}

export function statement(name: string, text: string): Statement {
  return Object.freeze({ name, text })
}

export function pgExecutor(pool: pg.Pool): SqlExecutor {
  return {
    async query<Row>(s: Statement, values: unknown[]) {
      const result = await pool.query({ name: s.name, text: s.text, values })
      return result.rows as Row[]
    },
  }
}

export function pgliteExecutor(db: PGlite): SqlExecutor {
  return {
    async query<Row>(s: Statement, values: unknown[]) {
      const result = await db.query<Row>(s.text, values)
      return result.rows
    },
  }
}
