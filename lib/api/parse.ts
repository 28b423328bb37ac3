// Parsing requests with zod: query, path parameters and JSON bodies. Failures are ZodErrors or
// HttpErrors, which lib/api/respond.ts turns into 400 (or 415 / 413) with a clear message.
import { z } from 'zod'
import { HttpError } from './respond'
import { pageQuerySchema, type PageRequest } from './pagination'

const MAX_BODY_BYTES = 64 * 1024

export function parseQuery<S extends z.ZodType>(request: Request, schema: S): z.infer<S> {
  const params = new URL(request.url).searchParams
  const raw: Record<string, string> = {}
  for (const [key, value] of params) raw[key] = value
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

/** A JSON body (Content-Type application/json, at most 64 KiB) validated by `schema`. */
export async function parseBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S>> {
  const type = request.headers.get('content-type') ?? ''
  if (!/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'the request body must be JSON (Content-Type: application/json)')
  }
  const declared = Number(request.headers.get('content-length') ?? 0)
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the request body must be at most ${MAX_BODY_BYTES} bytes`)
  const text = await request.text()
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the request body must be at most ${MAX_BODY_BYTES} bytes`)
  let value: unknown
  try {
    value = text.trim() === '' ? {} : JSON.parse(text)
  } catch {
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
  return value
}
