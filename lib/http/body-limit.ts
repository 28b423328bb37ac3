// The one bound on request bodies outside /v2 (whose uploads and manifests have limits of their own):
// Next's route handlers, next-auth and the token service read bodies whole, so the server caps them
// before Next sees a byte.
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Far above any form or JSON body the app takes (the largest, a repository description, is 512 KiB). */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024

function tooLargeBody(limit: number): string {
  return JSON.stringify({ errors: [{ code: 'PAYLOAD_TOO_LARGE', message: `the request body must be at most ${limit} bytes` }] })
}

/** How much of the rest of a refused body is read and discarded, so that the client reads the 413 instead of a reset. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024
const DRAIN_TIMEOUT_MS = 10_000

/**
 * Sends the whole 413 at once, then closes the connection (ending the response) when the body has
 * been read to its end, or after DRAIN_LIMIT_BYTES / DRAIN_TIMEOUT_MS more: closing with unread
 * bytes would make the client's kernel drop the answer on the reset. Returns "one more byte".
 */
function refuse(req: IncomingMessage, res: ServerResponse, limit: number): (bytes: number | null) => void {
  const body = tooLargeBody(limit)
  res.writeHead(413, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    Connection: 'close',
  })
  res.write(body)
  const end = res.end.bind(res)
  let drained = 0
  const close = () => {
    clearTimeout(timer)
    if (!res.writableEnded) end()
  }
  const timer = setTimeout(close, DRAIN_TIMEOUT_MS)
  req.socket.once('close', () => clearTimeout(timer))
  return (bytes) => {
    if (bytes === null) return close()
    drained += bytes
    if (drained > DRAIN_LIMIT_BYTES) close()
  }
}

/** Discards whatever the handler still writes for a request that has already been answered. */
function silence(res: ServerResponse): void {
  const self = () => res
  Object.assign(res, { writeHead: self, setHeader: self, appendHeader: self, removeHeader: () => {}, flushHeaders: () => {}, write: () => true, end: self })
}

/**
 * Caps the body of `req` at `limit` bytes while it streams. A declared Content-Length over the
 * limit is refused before anything is read (returns false: do not hand the request on). Otherwise
 * the bytes are counted as the parser delivers them, and at the first byte past the limit the
 * client gets 413 and the connection closes; the handler never sees those bytes nor the end of
 * the body, and what it still writes is discarded. What is read past the limit is dropped as it
 * arrives, so memory stays bounded by `limit` per request.
 */
export function capRequestBody(req: IncomingMessage, res: ServerResponse, limit = MAX_REQUEST_BODY_BYTES): boolean {
  let discard: ((bytes: number | null) => void) | undefined
  const declared = req.headers['content-length']
  if (declared !== undefined && Number(declared) > limit) {
    discard = refuse(req, res, limit)
    silence(res)
  }
  let received = 0
  const push = req.push.bind(req)
  // The HTTP parser hands every body chunk (and the final null) to `push`.
  req.push = (chunk: unknown, encoding?: BufferEncoding) => {
    const bytes = chunk === null ? null : (chunk as Buffer).length
    if (discard) {
      discard(bytes)
      return true
    }
    received += bytes ?? 0
    if (received <= limit) return push(chunk, encoding)
    if (res.headersSent) {
      // The handler answered without reading the body: do not read the rest either.
      discard = () => {}
      if (res.writableFinished) req.socket.destroy()
      else res.once('finish', () => req.socket.destroy())
    } else {
      discard = refuse(req, res, limit)
      silence(res)
    }
    return true
  }
  return discard === undefined
}
