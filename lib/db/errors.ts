// PostgreSQL failures the HTTP layers map to a status of their own instead of a 500. Prisma 7 hands
// driver-adapter errors back in several shapes (PrismaClientKnownRequestError with
// `meta.driverAdapterError.cause.originalCode`, a DriverAdapterError with `cause.originalCode`, the
// pg driver's or PGlite's own error with `code`, or only a message "Code: `53100`"), through both the
// pg and the PGlite adapters; `sqlState` finds the SQLSTATE in any of them.

export type DatabaseFailure =
  /** Text the database cannot store (a NUL byte, an invalid byte sequence): the client's input. */
  | 'invalid_text'
  /** The database's disk is full. */
  | 'disk_full'

const SQLSTATE = /^[0-9A-Z]{5}$/
const INVALID_TEXT = new Set(['22021', '22P05'])
const DISK_FULL = '53100'

/** `error` and what it wraps (driver-adapter errors, causes), outermost first. */
type Wrapped = { code?: unknown; originalCode?: unknown; message?: unknown; meta?: { driverAdapterError?: unknown }; cause?: unknown }

function* chain(error: unknown): Generator<Wrapped> {
  for (let depth = 0; depth < 6 && error !== null && typeof error === 'object'; depth++) {
    const value = error as Wrapped
    yield value
    error = value.meta?.driverAdapterError ?? value.cause
  }
}

/** The SQLSTATE carried by `error` (or what it wraps), if any. */
export function sqlState(error: unknown): string | undefined {
  const found = [...chain(error)]
  for (const value of found) if (typeof value.originalCode === 'string' && SQLSTATE.test(value.originalCode)) return value.originalCode
  // Innermost first: Prisma's own codes (P2010…) look like SQLSTATEs and wrap the real one.
  for (const value of found.reverse()) {
    if (typeof value.code === 'string' && SQLSTATE.test(value.code) && !/^P\d{4}$/.test(value.code)) return value.code
  }
  for (const value of found) {
    const quoted = typeof value.message === 'string' ? /\bCode: `([0-9A-Z]{5})`/.exec(value.message) : null
    if (quoted) return quoted[1]
  }
  return undefined
}

export function databaseFailure(error: unknown): DatabaseFailure | undefined {
  const state = sqlState(error)
  if (state !== undefined && INVALID_TEXT.has(state)) return 'invalid_text'
  // PGlite's own file system reports a full disk as ENOSPC or only in the message.
  const diskFull = (value: Wrapped) => value.code === 'ENOSPC' || (typeof value.message === 'string' && /No space left on device/i.test(value.message))
  if (state === DISK_FULL || (state === undefined && [...chain(error)].some(diskFull))) return 'disk_full'
  return undefined
}
