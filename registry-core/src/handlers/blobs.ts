// GET/HEAD/DELETE /v2/<name>/blobs/<digest>
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import type { RegistryContext, RequestContext } from '../context'
import { RegistryError } from '../errors'
import { assertDigest } from '../grammar'
import { parseRangeHeader, sendEmpty } from '../http'
import { proxiedBlob } from '../proxy/blobs'

/** Response headers for `length` bytes (unknown: null) of blob `digest`. */
function blobHeaders(digest: string, length: number | null): Record<string, string> {
  return {
    'Content-Type': 'application/octet-stream',
    ...(length === null ? {} : { 'Content-Length': String(length) }),
    'Docker-Content-Digest': digest,
    'Accept-Ranges': 'bytes',
    ETag: `"${digest}"`,
    // Content-addressed: the bytes behind a digest never change.
    'Cache-Control': 'max-age=31536000, immutable',
  }
}

export async function getBlob(ctx: RegistryContext, rc: RequestContext, name: string, digest: string): Promise<void> {
  assertDigest(digest)
  let blob = await ctx.index.findBlob(name, digest)
  if (!blob && rc.upstream) {
    if (await proxiedBlob(ctx, rc, rc.upstream, name, digest, (size) => blobHeaders(digest, size))) return
    blob = await ctx.index.findBlob(name, digest)
  }
  if (!blob) throw new RegistryError('BLOB_UNKNOWN', { detail: { digest } })
  const range = parseRangeHeader(rc.req.headers.range, blob.size)
  const headers = blobHeaders(digest, range ? range.end - range.start + 1 : blob.size)
  if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${blob.size}`
  const status = range ? 206 : 200
  if (rc.req.method === 'HEAD') {
    rc.res.writeHead(status, headers)
    rc.res.end()
    return
  }
  // distribution's `redirect`: the client fetches the bytes from the store itself, Range and all.
  const redirect = await ctx.blobs.redirectUrl?.(digest)
  if (redirect) {
    sendEmpty(rc.res, 307, { Location: redirect, 'Docker-Content-Digest': digest })
    return
  }
  const stream = await openBlob(ctx, name, digest, range)
  rc.res.writeHead(status, headers)
  try {
    await pipeline(stream, rc.res)
  } catch (error) {
    // A client that goes away mid-download is normal; anything else is worth a log line.
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      ctx.logger.warn({ err: error, repository: name, digest }, 'blob download failed')
    }
    rc.res.destroy()
  }
}

async function openBlob(ctx: RegistryContext, name: string, digest: string, range?: { start: number; end: number }): Promise<Readable> {
  try {
    return await ctx.blobs.read(digest, range)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    ctx.logger.error({ repository: name, digest }, 'index links a blob the store does not hold')
    throw new RegistryError('BLOB_UNKNOWN', { detail: { digest } })
  }
}

export async function deleteBlob(ctx: RegistryContext, rc: RequestContext, name: string, digest: string): Promise<void> {
  assertDigest(digest)
  // Only the repository's link goes; the bytes stay until garbage collection finds them unreferenced.
  if (!(await ctx.index.unlinkBlob(name, digest))) throw new RegistryError('BLOB_UNKNOWN', { detail: { digest } })
  sendEmpty(rc.res, 202, { 'Docker-Content-Digest': digest })
}
