// HTTP responses for /api/v1: JSON (BigInt as numbers), 201 + Location, pagination headers, and
// THE mapping of errors to statuses with the /v2 error body `{"errors":[{code,message,detail}]}`.
import { ZodError } from 'zod'
import { databaseFailure } from '../db/errors'
import { AppError, type AppErrorKind } from '../errors'
import { describeIssues } from './messages'
import type { Page, PageRequest } from '../pagination'
import { paginationHeaders } from './pagination'
import { runtime } from '../runtime'
import { isRegistryError } from '@registry-core'

export type ApiErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'DENIED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PRECONDITION'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'TOOMANYREQUESTS'
  | 'INSUFFICIENT_STORAGE'
  | 'INTERNAL'

const KIND_TO_HTTP: Record<AppErrorKind, { status: number; code: ApiErrorCode }> = {
  invalid: { status: 400, code: 'BAD_REQUEST' },
  unauthorized: { status: 401, code: 'UNAUTHORIZED' },
  forbidden: { status: 403, code: 'FORBIDDEN' },
  not_found: { status: 404, code: 'NOT_FOUND' },
  conflict: { status: 409, code: 'CONFLICT' },
  precondition: { status: 412, code: 'PRECONDITION' },
  too_many: { status: 429, code: 'TOOMANYREQUESTS' },
}

/** A protocol-level error raised by the API plumbing itself (not the domain). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly detail?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

/** The API's JSON text of `value` (also what the dashboard's server-rendered pages hand the browser). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v))
}

const BASE_HEADERS = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }

export function json(data: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(toJson(data), { status: init.status ?? 200, headers: { ...BASE_HEADERS, ...init.headers } })
}

/** `path` made absolute with PUBLIC_URL when it is set (like the /v2 engine), else relative. */
export function location(path: string): string {
  return (runtime().config.publicUrl ?? '') + path
}

export function created(data: unknown, path: string): Response {
  return json(data, { status: 201, headers: { Location: location(path) } })
}

export function noContent(): Response {
  return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } })
}

/** A page of items with `X-Total-Count` and `Link`. */
export function paged<T>(request: Request, page: PageRequest, result: Page<T>): Response {
  return json(result.items, { headers: paginationHeaders(request.url, page, result.total) })
}

function errorBody(code: ApiErrorCode, message: string, detail?: unknown): string {
  return toJson({ errors: [{ code, message, ...(detail === undefined ? {} : { detail }) }] })
}

/** Every error of /api/v1 becomes a response here, and only here. */
export function errorResponse(error: unknown): Response {
  let status: number
  let code: ApiErrorCode
  let message: string
  let detail: unknown
  let headers: Record<string, string> = {}
  if (error instanceof AppError) {
    ;({ status, code } = KIND_TO_HTTP[error.kind])
    message = error.message
    detail = error.detail
  } else if (error instanceof HttpError) {
    ;({ status, code, message, detail, headers } = error)
  } else if (isRegistryError(error) && error.code === 'DENIED') {
    // A write the registry index refused by policy (an immutable tag): the same code and message as /v2.
    status = 403
    code = 'DENIED'
    message = error.message
    detail = error.entries[0].detail
  } else if (error instanceof ZodError) {
    status = 400
    code = 'BAD_REQUEST'
    message = describeIssues(error.issues)
    detail = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }))
  } else if (databaseFailure(error) === 'invalid_text') {
    status = 400
    code = 'BAD_REQUEST'
    message = 'the request contains text that cannot be stored (e.g. a NUL byte)'
  } else if (databaseFailure(error) === 'disk_full') {
    runtime().logger.error({ err: error }, "[api] the database's disk is full")
    status = 507
    code = 'INSUFFICIENT_STORAGE'
    message = "the registry's database is out of disk space"
  } else {
    runtime().logger.error({ err: error }, '[api] unexpected error')
    status = 500
    code = 'INTERNAL'
    message = 'internal server error'
  }
  return new Response(errorBody(code, message, detail), { status, headers: { ...BASE_HEADERS, ...headers } })
}
