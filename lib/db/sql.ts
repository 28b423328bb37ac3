// Plain SQL on the hottest registry paths, past Prisma's raw-query machinery (which costs more CPU
// per statement than the statements themselves). One executor per Prisma client, on the client's
// own connections: the pg Pool it was built with, or the process's PGlite instance.
//
// Every statement is written once, as a `Statement`, and runs unchanged on both flavours. On
// PostgreSQL it is a named prepared statement (parsed and planned once per pooled connection); on
// PGlite too (see pgliteExecutor), and waits for any open Prisma transaction (PGlite is
// single-connection and serialises queries behind transactions).
import { parse, protocol, type PGlite } from '@electric-sql/pglite'
import type pg from 'pg'

const { serialize } = protocol

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

/**
 * On PGlite a statement is prepared once per instance (named, like on PostgreSQL) and each run is
 * ONE pass through the protocol (Bind, Describe, Execute, Sync in one buffer). `db.query()` instead
 * parses, plans and describes the text on every call, in six passes: on PGlite all of that runs in
 * wasm on the event loop's thread, about four times the CPU of a prepared run for a one-row lookup.
 * Like `db.query()`, a run waits for an open transaction (PGlite serialises queries behind it).
 */
export function pgliteExecutor(db: PGlite): SqlExecutor {
  return {
    async query<Row>(s: Statement, values: unknown[]) {
      return db._runExclusiveTransaction(() =>
        db._runExclusiveQuery(async () => {
          const paramTypes = await preparedOn(db, s)
          const bound = values.map((value, i) => serializeParam(db, value, paramTypes[i]))
          const { messages } = await db.execProtocol(
            concat([serialize.bind({ statement: s.name, values: bound }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]),
            { syncToFs: false },
          )
          if (!db.isInTransaction()) await db.syncToFs()
          return parse.parseResults(messages, db.parsers)[0].rows as Row[]
        }),
      )
    },
  }
}

/** Parameter type ids of each statement prepared on a PGlite instance (a session: names are per instance). */
const preparedStatements = new WeakMap<PGlite, Map<string, number[]>>()

/** Prepares `s` on `db` unless it is already; resolves with its parameter types. Runs inside the query lock. */
async function preparedOn(db: PGlite, s: Statement): Promise<number[]> {
  let prepared = preparedStatements.get(db)
  if (!prepared) preparedStatements.set(db, (prepared = new Map()))
  const known = prepared.get(s.name)
  if (known) return known
  const { messages } = await db.execProtocol(concat([serialize.parse({ name: s.name, text: s.text }), serialize.describe({ type: 'S', name: s.name }), serialize.sync()]), {
    syncToFs: false,
  })
  const paramTypes = parse.parseDescribeStatementResults(messages)
  prepared.set(s.name, paramTypes)
  return paramTypes
}

/** A parameter in PGlite's text format, serialised as `db.query()` does by its type. */
function serializeParam(db: PGlite, value: unknown, type: number | undefined): string | null {
  if (value === null || value === undefined) return null
  const serializer = type === undefined ? undefined : db.serializers[type]
  return serializer ? serializer(value) : String(value)
}

function concat(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts)
}
