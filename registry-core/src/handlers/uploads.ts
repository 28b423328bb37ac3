// Blob uploads: POST (session, monolithic, cross-repository mount), PATCH, PUT, GET status, DELETE.
import { Readable } from 'node:stream'
import type { RegistryContext, RequestContext } from '../context'
import { RegistryError } from '../errors'
import { assertDigest, isSupportedDigest, isValidName } from '../grammar'
import { contentLength, parseContentRange, sendEmpty, uploadRange } from '../http'
import { DigestMismatchError, type UploadSession } from '../ports'

/** Serializes appends to one upload within this process (two PATCHes racing on one offset would interleave). */
const uploadLocks = new Map<string, Promise<unknown>>()

async function withUploadLock<T>(id: string, work: () => Promise<T>): Promise<T> {
  const previous = uploadLocks.get(id) ?? Promise.resolve()
  const current = previous.catch(() => undefined).then(work)
  uploadLocks.set(id, current)
  try {
    return await current
  } finally {
    if (uploadLocks.get(id) === current) uploadLocks.delete(id)
  }
}

function uploadLocation(ctx: RegistryContext, name: string, id: string): string {
  return `${ctx.publicUrl}/v2/${name}/blobs/uploads/${id}`
}

function blobLocation(ctx: RegistryContext, name: string, digest: string): string {
  return `${ctx.publicUrl}/v2/${name}/blobs/${digest}`
}

function sessionHeaders(ctx: RegistryContext, name: string, id: string, size: number): Record<string, string> {
  return {
    Location: uploadLocation(ctx, name, id),
    Range: uploadRange(size),
    'Docker-Upload-UUID': id,
  }
}

/** An open session; `recorded` when the index holds it (only then may bytes be stored under its id). */
interface OpenSession {
  session: UploadSession
  recorded: boolean
}

function unknownUpload(id: string): RegistryError {
  return new RegistryError('BLOB_UPLOAD_UNKNOWN', { detail: { uuid: id.slice(0, 128) } })
}

/** An unrecorded session past this age is gone: the purge may already have forgotten that it ended. */
function expired(ctx: RegistryContext, startedAt: Date): boolean {
  return Date.now() - startedAt.getTime() >= ctx.limits.uploadExpiryMs
}

/**
 * The open session `id` of `name`: as recorded in the index, or, when nothing is recorded yet, an
 * empty one started when its signed id says. Anything else (a made-up or another repository's id, a
 * finished, cancelled or expired session) is BLOB_UPLOAD_UNKNOWN.
 */
async function loadSession(ctx: RegistryContext, name: string, id: string): Promise<OpenSession> {
  const startedAt = ctx.uploadIds.verify(name, id)
  if (!startedAt) throw unknownUpload(id)
  const record = await ctx.index.getUpload(name, id)
  if (record?.state === 'open') return { session: record.session, recorded: true }
  if (record || expired(ctx, startedAt)) throw unknownUpload(id)
  return { session: { id, repository: name, size: 0, startedAt }, recorded: false }
}

function hasBody(rc: RequestContext): boolean {
  const length = contentLength(rc.req)
  return (length !== undefined && length > 0) || rc.req.headers['transfer-encoding'] !== undefined
}

/** How many more bytes an upload of `size` bytes may take under the blob limit; undefined when unlimited. */
function remainingAllowance(ctx: RegistryContext, size: number): number | undefined {
  return ctx.limits.maxBlobBytes > 0 ? Math.max(0, ctx.limits.maxBlobBytes - size) : undefined
}

/**
 * How many bytes the request body may bring to the session: what the blob limit leaves and, with
 * `Content-Range`, exactly the chunk, which must start where the upload ends (416 otherwise, with
 * the current `Range` so the client can resume).
 */
function chunkAllowance(ctx: RegistryContext, rc: RequestContext, name: string, session: UploadSession): number | undefined {
  const header = rc.req.headers['content-range']
  const limit = remainingAllowance(ctx, session.size)
  if (header === undefined) return limit
  const range = parseContentRange(header)
  if (range.start !== session.size) {
    throw new RegistryError('RANGE_INVALID', {
      message: `chunk starts at ${range.start} but the upload has ${session.size} bytes`,
      headers: sessionHeaders(ctx, name, session.id, session.size),
    })
  }
  const chunkLength = range.end - range.start + 1
  const declared = contentLength(rc.req)
  if (declared !== undefined && declared !== chunkLength) {
    throw new RegistryError('SIZE_INVALID', { message: 'Content-Length does not match Content-Range' })
  }
  return limit === undefined ? chunkLength : Math.min(limit, chunkLength)
}

/** Appends the request body (`body`: its bytes when already read) at the session's current size and records the new size. */
async function appendBody(ctx: RegistryContext, rc: RequestContext, name: string, open: OpenSession, body: Readable = rc.req): Promise<number> {
  const { session } = open
  const limit = chunkAllowance(ctx, rc, name, session)
  // Recorded before its first bytes land, so the purge finds them if the client never comes back.
  if (!open.recorded && !(await ctx.index.openUpload(session))) throw unknownUpload(session.id)
  const size = await ctx.blobs.appendUpload(session.id, session.size, body, limit)
  if (!(await ctx.index.updateUpload(session.id, size))) {
    // Cancelled or purged meanwhile: the append may have begun the upload anew, so drop its bytes.
    await ctx.blobs.abortUpload(session.id)
    throw unknownUpload(session.id)
  }
  return size
}

export async function startUpload(ctx: RegistryContext, rc: RequestContext, name: string): Promise<void> {
  const mount = rc.query.get('mount')
  const from = rc.query.get('from')
  if (mount && from && (await tryMount(ctx, rc, name, mount, from))) return

  const digest = rc.query.get('digest')
  if (digest !== null) {
    assertDigest(digest)
    await monolithicUpload(ctx, rc, name, digest)
    return
  }

  // Nothing is written: the signed id is the session until its first bytes or its end.
  const id = ctx.uploadIds.mint(name, new Date())
  sendEmpty(rc.res, 202, sessionHeaders(ctx, name, id, 0))
}

/**
 * A mount succeeds only when the caller may pull from the source and the source links the blob;
 * otherwise the caller gets an ordinary upload session, as the spec asks.
 */
async function tryMount(ctx: RegistryContext, rc: RequestContext, name: string, digest: string, from: string): Promise<boolean> {
  if (!isSupportedDigest(digest) || !isValidName(from)) return false
  const decision = await ctx.authorizer.authorize(rc.info, { type: 'repository', repository: from, actions: ['pull'] })
  if (decision.kind !== 'allow') return false
  const blob = await ctx.index.findBlob(from, digest)
  if (!blob) return false
  await ctx.index.linkBlob(name, digest, blob.size)
  ctx.events.emit({
    type: 'blob.mounted',
    repository: name,
    digest,
    size: blob.size,
    fromRepository: from,
    actor: rc.actor,
    remoteAddress: rc.info.remoteAddress,
    at: new Date(),
  })
  sendEmpty(rc.res, 201, { Location: blobLocation(ctx, name, digest), 'Docker-Content-Digest': digest })
  return true
}

async function monolithicUpload(ctx: RegistryContext, rc: RequestContext, name: string, digest: string): Promise<void> {
  // Node's HTTP parser delivers exactly Content-Length bytes or fails the body, so the declared
  // length only caps what may arrive.
  const allowance = remainingAllowance(ctx, 0)
  const declared = contentLength(rc.req)
  const limit = declared === undefined ? allowance : Math.min(declared, allowance ?? declared)
  const size = await ctx.blobs.storeBlob(digest, rc.req, limit)
  await ctx.index.linkBlob(name, digest, size)
  sendEmpty(rc.res, 201, { Location: blobLocation(ctx, name, digest), 'Docker-Content-Digest': digest })
}

export async function patchUpload(ctx: RegistryContext, rc: RequestContext, name: string, id: string): Promise<void> {
  await withUploadLock(id, async () => {
    const size = await appendBody(ctx, rc, name, await loadSession(ctx, name, id))
    sendEmpty(rc.res, 202, sessionHeaders(ctx, name, id, size))
  })
}

export async function putUpload(ctx: RegistryContext, rc: RequestContext, name: string, id: string): Promise<void> {
  await withUploadLock(id, async () => {
    const digest = rc.query.get('digest')
    let body: Readable = rc.req
    if (digest !== null && fastPutEligible(ctx, rc, digest)) {
      const bytes = await readSmallBody(rc.req)
      if (await tryFastPut(ctx, name, id, digest, bytes)) {
        sendEmpty(rc.res, 201, { Location: blobLocation(ctx, name, digest), 'Docker-Content-Digest': digest })
        return
      }
      // Not an empty session of this repository, or not these bytes: the ordinary path decides
      // (404, append to the bytes already received, DIGEST_INVALID …) on the same bytes.
      body = Readable.from([bytes])
    }
    const open = await loadSession(ctx, name, id)
    const { session } = open
    if (digest === null) throw new RegistryError('DIGEST_INVALID', { message: 'the digest parameter is required' })
    assertDigest(digest)
    let size: number
    if (session.size === 0 && hasBody(rc)) {
      // The whole blob comes in this request: written, verified and published in one pass.
      const limit = chunkAllowance(ctx, rc, name, session)
      size = open.recorded ? await ctx.blobs.putBlob(id, digest, body, limit) : await ctx.blobs.storeBlob(digest, body, limit)
    } else {
      size = hasBody(rc) ? await appendBody(ctx, rc, name, open, body) : session.size
      await ctx.blobs.commitUpload(id, size, digest)
    }
    await ctx.index.completeUpload(session, digest, size)
    sendEmpty(rc.res, 201, { Location: blobLocation(ctx, name, digest), 'Docker-Content-Digest': digest })
  })
}

/**
 * Largest body a PUT may bring for the fast path, which reads it into memory before it knows the
 * session (so that the ordinary path can still take the same bytes). The ordinary path buffers up to
 * 1 MiB per write too, so this costs no more memory per request than it did.
 */
export const FAST_PUT_MAX_BYTES = 1024 * 1024

/**
 * The fast path of a PUT: a small whole blob with a usable digest, announced by Content-Length (no
 * Content-Range, no chunked body), within the blob limit, and an index that can check the session
 * while completing it. Nothing here throws: whatever is wrong with the request is for the ordinary
 * path to report, in its order (unknown session first).
 */
function fastPutEligible(ctx: RegistryContext, rc: RequestContext, digest: string): boolean {
  if (!ctx.index.completeEmptyUpload) return false
  const headers = rc.req.headers
  if (headers['content-range'] !== undefined || headers['transfer-encoding'] !== undefined) return false
  const declared = headers['content-length']
  if (declared === undefined || !/^\d{1,8}$/.test(declared)) return false
  const length = Number(declared)
  if (length === 0 || length > FAST_PUT_MAX_BYTES) return false
  if (ctx.limits.maxBlobBytes > 0 && length > ctx.limits.maxBlobBytes) return false
  return isSupportedDigest(digest)
}

/** The whole body (at most FAST_PUT_MAX_BYTES: Node's parser delivers exactly Content-Length bytes). */
async function readSmallBody(req: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const [only] = chunks
  return chunks.length === 1 && only !== undefined ? only : Buffer.concat(chunks)
}

/**
 * Publishes the bytes as blob `digest` (verified, fsynced file and directory, as storeBlob always
 * does) and only then completes the session, in the statement that also checks it is unrecorded or
 * recorded with no bytes yet: no read of the session before. True when the upload is complete.
 *
 * False (the caller takes the ordinary path) when the id is not a live session of `name`, the bytes
 * do not match the digest (nothing was written) or the session is closed or holds bytes. In the last
 * case a verified blob may be left published under its digest without a link: harmless, as blob
 * files are content-addressed (the same digest always names the same bytes) and this caller may push
 * (a monolithic POST ?digest= by the same client stores the blob without any session at all).
 */
async function tryFastPut(ctx: RegistryContext, name: string, id: string, digest: string, bytes: Buffer): Promise<boolean> {
  const startedAt = ctx.uploadIds.verify(name, id)
  if (!startedAt || expired(ctx, startedAt)) return false
  let size: number
  try {
    size = await ctx.blobs.storeBlob(digest, Readable.from([bytes]))
  } catch (err) {
    if (err instanceof DigestMismatchError) return false
    throw err
  }
  const completed = await ctx.index.completeEmptyUpload!({ id, repository: name, size: 0, startedAt }, digest, size)
  if (!completed) return false
  // What an empty PATCH or a crashed append may have left under a recorded session's id.
  if (completed.recorded) await ctx.blobs.abortUpload(id)
  return true
}

export async function getUploadStatus(ctx: RegistryContext, rc: RequestContext, name: string, id: string): Promise<void> {
  const { session } = await loadSession(ctx, name, id)
  sendEmpty(rc.res, 204, sessionHeaders(ctx, name, id, session.size))
}

export async function cancelUpload(ctx: RegistryContext, rc: RequestContext, name: string, id: string): Promise<void> {
  await withUploadLock(id, async () => {
    const { session, recorded } = await loadSession(ctx, name, id)
    if (!(await ctx.index.closeUpload(session))) throw unknownUpload(id)
    if (recorded) await ctx.blobs.abortUpload(id)
    sendEmpty(rc.res, 204)
  })
}

/**
 * Removes open sessions untouched for `uploadExpiryMs` with their bytes, forgets closed ones whose
 * ids have expired, and then sweeps stored bytes as old that no session owns any more (left by a
 * crash). Returns how many open sessions went.
 */
export async function purgeStaleUploads(ctx: RegistryContext): Promise<number> {
  const before = new Date(Date.now() - ctx.limits.uploadExpiryMs)
  await ctx.index.purgeClosedUploads(before)
  let purged = 0
  for (;;) {
    const stale = await ctx.index.listStaleUploads(before, 100)
    for (const session of stale) {
      await ctx.index.deleteUpload(session.id)
      await ctx.blobs.abortUpload(session.id)
      purged++
    }
    if (stale.length < 100) break
  }
  const swept = await ctx.blobs.sweepUploads(before)
  if (swept > 0) ctx.logger.info({ files: swept }, 'removed upload bytes left by interrupted uploads')
  return purged
}
