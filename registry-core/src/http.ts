// Small HTTP helpers shared by the handlers: header parsing and response writing.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ByteRange } from './ports'
import { RegistryError } from './errors'

export const API_VERSION_HEADER = 'Docker-Distribution-Api-Version'
export const API_VERSION = 'registry/2.0'

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = Buffer.from(JSON.stringify(body))
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(payload.length),
    ...headers,
  })
  res.end(payload)
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Length': '0', ...headers })
  res.end()
}

/**
 * Parses a `Range: bytes=…` request header against a blob of `size` bytes.
 * Returns undefined when there is no usable range (serve the whole blob, as RFC 9110 allows for
 * other units or multi-range requests) and throws a 416 when the range cannot be satisfied.
 */
export function parseRangeHeader(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match || (match[1] === '' && match[2] === '')) return undefined
  let start: number
  let end: number
  if (match[1] === '') {
    const suffix = Number(match[2])
    if (suffix === 0) throw unsatisfiable(size)
    start = Math.max(0, size - suffix)
    end = size - 1
  } else {
    start = Number(match[1])
    // A reversed range (500-0) is refused rather than ignored: conformance tools read a 200 as "ranges unsupported".
    if (match[2] !== '' && Number(match[2]) < start) throw unsatisfiable(size)
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  }
  if (!Number.isSafeInteger(start) || start >= size || end < start) throw unsatisfiable(size)
  return { start, end }
}

function unsatisfiable(size: number): RegistryError {
  return new RegistryError('RANGE_INVALID', { headers: { 'Content-Range': `bytes */${size}` } })
}

/**
 * Parses an upload `Content-Range` (`<start>-<end>`, also tolerating `bytes <start>-<end>/<total>`).
 * Returns the inclusive range or throws 416 for a malformed value.
 */
export function parseContentRange(header: string): ByteRange {
  const match = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim())
  if (!match) throw new RegistryError('RANGE_INVALID', { message: 'invalid Content-Range header' })
  const start = Number(match[1])
  const end = Number(match[2])
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) {
    throw new RegistryError('RANGE_INVALID', { message: 'invalid Content-Range header' })
  }
  return { start, end }
}

/** `Content-Length` as a number, undefined when absent, 400 when malformed. */
export function contentLength(req: IncomingMessage): number | undefined {
  const value = req.headers['content-length']
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) throw new RegistryError('SIZE_INVALID', { message: 'invalid Content-Length header' })
  return Number(value)
}

/** The upload `Range` header value for `size` bytes received: `0-<last byte>` (`0-0` when empty). */
export function uploadRange(size: number): string {
  return `0-${Math.max(0, size - 1)}`
}

/** The first value of a query parameter; undefined when absent. */
export function queryParam(query: URLSearchParams, name: string): string | undefined {
  return query.get(name) ?? undefined
}

/** Reads a small body fully, refusing anything longer than `limit` with a 413. */
export async function readBody(req: IncomingMessage, limit: number, tooLarge: () => RegistryError): Promise<Buffer> {
  const declared = contentLength(req)
  if (declared !== undefined && declared > limit) throw tooLarge()
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length
    if (total > limit) throw tooLarge()
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, total)
}

/** Parses `n` for paginated lists: an integer in [0, max]; values above `max` are capped. */
export function parsePageSize(value: string | undefined, max: number): number {
  if (value === undefined || value === '') return max
  if (!/^\d+$/.test(value)) throw new RegistryError('UNSUPPORTED', { status: 400, message: 'invalid n parameter' })
  return Math.min(Number(value), max)
}

/**
 * Reads and discards what is left of a request body, up to `maxBytes` and `timeoutMs`, so that an
 * early error response reaches the client instead of being lost to a connection reset.
 * Resolves true when the body was fully consumed.
 */
export function drainRequest(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<boolean> {
  if (req.complete) return Promise.resolve(true)
  if (req.destroyed) return Promise.resolve(false)
  return new Promise((resolve) => {
    let drained = 0
    const finish = (complete: boolean) => {
      clearTimeout(timer)
      req.off('data', onData).off('end', onEnd).off('error', onEnd).off('close', onEnd)
      if (!complete) req.pause()
      resolve(complete)
    }
    const onData = (chunk: Buffer) => {
      drained += chunk.length
      if (drained > maxBytes) finish(false)
    }
    const onEnd = () => finish(req.complete)
    const timer = setTimeout(() => finish(false), timeoutMs)
    req.on('data', onData).on('end', onEnd).on('error', onEnd).on('close', onEnd)
    req.resume()
  })
}
