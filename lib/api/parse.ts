// Parsing requests with zod: query, path parameters and JSON bodies. Failures are ZodErrors or
// HttpErrors, which lib/api/respond.ts turns into 400 (or 415 / 413) with a clear message.
import { z } from 'zod'
import { HttpError } from './respond'
import type { PageRequest } from '../pagination'
import { pageQuerySchema } from './pagination'

const MAX_BODY_BYTES = 64 * 1024

// Text with NUL bytes cannot be stored or even compared by PostgreSQL: refused at every input edge.
const noNul = (what: string) => new HttpError(400, 'BAD_REQUEST', `${what} must not contain NUL bytes`)

export function parseQuery<S extends z.ZodType>(request: Request, schema: S): z.infer<S> {
  const params = new URL(request.url).searchParams
  const raw: Record<string, string> = {}
  for (const [key, value] of params) {
    if ((key + value).includes('\0')) throw noNul('query parameters')
    raw[key] = value
  }
  return schema.parse(raw)
}

export function parsePage(request: Request): PageRequest {
  const { page, page_size } = parseQuery(request, pageQuerySchema.loose())
  return { page, pageSize: page_size }
}

/** `?q=` (optional, at most 128 characters). */
export function parseQ(request: Request): string | undefined {
  return parseQuery(request, z.object({ q: z.string().max(128, 'q must be at most 128 characters').optional() }).loose()).q || undefined
}

/** A JSON body (Content-Type application/json, at most 64 KiB unless `maxBytes` says otherwise) validated by `schema`. */
export async function parseBody<S extends z.ZodType>(request: Request, schema: S, maxBytes = MAX_BODY_BYTES): Promise<z.infer<S>> {
  const type = request.headers.get('content-type') ?? ''
  if (!/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'the request body must be JSON (Content-Type: application/json)')
  }
  const declared = Number(request.headers.get('content-length') ?? 0)
  if (declared > maxBytes) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the request body must be at most ${maxBytes} bytes`)
  const text = await request.text()
  if (Buffer.byteLength(text) > maxBytes) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the request body must be at most ${maxBytes} bytes`)
  let value: unknown
  try {
    value =
      text.trim() === ''
        ? {}
        : JSON.parse(text, (_key, v: unknown) => {
            if (_key.includes('\0') || (typeof v === 'string' && v.includes('\0'))) throw noNul('the request body')
            return v
          })
  } catch (error) {
    if (error instanceof HttpError) throw error
    throw new HttpError(400, 'BAD_REQUEST', 'the request body is not valid JSON')
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HttpError(400, 'BAD_REQUEST', 'the request body must be a JSON object')
  return schema.parse(value)
}

/** A positive integer id from a path parameter. */
export function parseId(value: string, what = 'id'): number {
  if (!/^[1-9][0-9]{0,9}$/.test(value) || Number(value) > 2_147_483_647) throw new HttpError(400, 'BAD_REQUEST', `${what} must be a positive integer`)
  return Number(value)
}

/** A name from a path parameter (project or username): bounded, else 400. */
export function parseName(value: string, what: string): string {
  if (value.length < 1 || value.length > 255) throw new HttpError(400, 'BAD_REQUEST', `${what} is not valid`)
  if (value.includes('\0')) throw noNul(what)
  return value
}

/**
 * A repository name (the part after `project/`) from a path segment, URL-encoded with slashes as %2F.
 * Decoded here whether or not the framework already did (a repository name never contains `%`).
 */
export function parseRepositoryParam(value: string): string {
  let name = value
  if (name.includes('%')) {
    try {
      name = decodeURIComponent(name)
    } catch {
      throw new HttpError(400, 'BAD_REQUEST', 'repository is not valid')
    }
  }
  return parseName(name, 'repository')
}

/** A tag or digest from a path segment (decoded once when still encoded; neither contains `%`). */
export function parseReferenceParam(value: string, what = 'reference'): string {
  let ref = value
  if (ref.includes('%')) {
    try {
      ref = decodeURIComponent(ref)
    } catch {
      throw new HttpError(400, 'BAD_REQUEST', `${what} is not valid`)
    }
  }
  return parseName(ref, what)
}
