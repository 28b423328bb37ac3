// Application errors as typed values. Domain modules (lib/users, lib/projects, …) throw `AppError`
// with a kind; `lib/api/respond.ts` maps kinds to HTTP statuses and the /v2 error body in one place.

export type AppErrorKind =
  | 'invalid' // 400 BAD_REQUEST
  | 'unauthorized' // 401 UNAUTHORIZED
  | 'forbidden' // 403 FORBIDDEN
  | 'not_found' // 404 NOT_FOUND
  | 'conflict' // 409 CONFLICT
  | 'precondition' // 412 PRECONDITION
  | 'too_many' // 429 TOOMANYREQUESTS

export class AppError extends Error {
  constructor(
    readonly kind: AppErrorKind,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message)
    this.name = 'AppError'
  }
}

export const invalid = (message: string, detail?: unknown) => new AppError('invalid', message, detail)
export const unauthorized = (message = 'authentication required') => new AppError('unauthorized', message)
export const forbidden = (message = 'you are not allowed to do this') => new AppError('forbidden', message)
export const notFound = (message: string) => new AppError('not_found', message)
export const conflict = (message: string, detail?: unknown) => new AppError('conflict', message, detail)
export const precondition = (message: string, detail?: unknown) => new AppError('precondition', message, detail)

/** Prisma's unique-constraint violation (P2002), also when wrapped by a driver adapter. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'P2002'
}

/** Prisma's foreign-key violation (P2003): a row still referenced or a missing parent. */
export function isForeignKeyViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'P2003'
}
