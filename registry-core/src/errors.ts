// Registry errors as typed values. Handlers throw `RegistryError`; `errorResponse` maps it to HTTP
// in one place, with the OCI error body.

export type ErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'RANGE_INVALID'
  | 'INTERNAL'
  | 'UNKNOWN'
  | 'UNAVAILABLE'

const DEFAULT_STATUS: Record<ErrorCode, number> = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
  RANGE_INVALID: 416,
  INTERNAL: 500,
  UNKNOWN: 502,
  UNAVAILABLE: 503,
}

const DEFAULT_MESSAGE: Record<ErrorCode, string> = {
  BLOB_UNKNOWN: 'blob unknown to registry',
  BLOB_UPLOAD_INVALID: 'blob upload invalid',
  BLOB_UPLOAD_UNKNOWN: 'blob upload unknown to registry',
  DIGEST_INVALID: 'provided digest did not match uploaded content',
  MANIFEST_BLOB_UNKNOWN: 'manifest references a manifest or blob unknown to registry',
  MANIFEST_INVALID: 'manifest invalid',
  MANIFEST_UNKNOWN: 'manifest unknown to registry',
  NAME_INVALID: 'invalid repository name',
  NAME_UNKNOWN: 'repository name not known to registry',
  SIZE_INVALID: 'provided length did not match content length',
  UNAUTHORIZED: 'authentication required',
  DENIED: 'requested access to the resource is denied',
  UNSUPPORTED: 'the operation is unsupported',
  TOOMANYREQUESTS: 'too many requests',
  RANGE_INVALID: 'requested range not satisfiable',
  INTERNAL: 'internal server error',
  UNKNOWN: 'unknown error',
  UNAVAILABLE: 'service unavailable',
}

export interface ErrorEntry {
  code: ErrorCode
  message: string
  detail?: unknown
}

/** Marks every RegistryError, whichever copy of this module built it (see `isRegistryError`). */
const REGISTRY_ERROR = Symbol.for('registry-core.RegistryError')

export class RegistryError extends Error {
  readonly [REGISTRY_ERROR] = true
  readonly status: number
  /** The first entry is this error's own code; `more` follows it. */
  readonly entries: [ErrorEntry, ...ErrorEntry[]]
  /** Extra response headers, e.g. `WWW-Authenticate` or `Range`. */
  readonly headers: Record<string, string>

  constructor(code: ErrorCode, options: { message?: string; detail?: unknown; status?: number; headers?: Record<string, string>; more?: ErrorEntry[] } = {}) {
    const message = options.message ?? DEFAULT_MESSAGE[code]
    super(message)
    this.status = options.status ?? DEFAULT_STATUS[code]
    this.entries = [{ code, message, ...(options.detail === undefined ? {} : { detail: options.detail }) }, ...(options.more ?? [])]
    this.headers = options.headers ?? {}
  }

  get code(): ErrorCode {
    return this.entries[0].code
  }
}

/**
 * Is `value` a RegistryError? Unlike `instanceof`, also true for one built by another bundled copy
 * of registry-core in the same process (the server bundle's index, seen from the Next bundle).
 */
export function isRegistryError(value: unknown): value is RegistryError {
  return typeof value === 'object' && value !== null && (value as { [REGISTRY_ERROR]?: unknown })[REGISTRY_ERROR] === true
}

export function errorEntry(code: ErrorCode, detail?: unknown, message?: string): ErrorEntry {
  return { code, message: message ?? DEFAULT_MESSAGE[code], ...(detail === undefined ? {} : { detail }) }
}

/** Status, headers and JSON body for any thrown value; unknown errors become an opaque 500. */
export function errorResponse(error: unknown): { status: number; headers: Record<string, string>; body: string } {
  const registryError = error instanceof RegistryError ? error : new RegistryError('INTERNAL', { message: 'internal server error' })
  return {
    status: registryError.status,
    headers: registryError.headers,
    body: JSON.stringify({ errors: registryError.entries }),
  }
}
