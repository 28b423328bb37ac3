// A BlobStore on a local (or shared POSIX) filesystem.
//
// Layout under `root`:
//   blobs/<algorithm>/<first two hex>/<hex>   committed, verified blobs (content-addressed)
//   uploads/<uploadId>                        bytes of in-progress uploads
//   uploads/<uploadId>.<random>               a whole blob being written by putBlob (private)
//   uploads/put.<random>                      a whole blob being written by storeBlob(VerifiedByCaller) (private)
// Both live on the same filesystem, so publishing a blob is an atomic rename. An upload's file is
// created by its first append, not when the session starts.
//
// Hash state of in-progress uploads is a per-process cache: when it is missing or does not match
// the stored file (restart, another replica appended), it is rebuilt from the stored bytes.
import { createHash, randomBytes, type Hash } from 'node:crypto'
import { constants } from 'node:fs'
import { access, lstat, mkdir, open, readdir, rename, stat as fsStat, unlink, type FileHandle } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Readable } from 'node:stream'
import { DigestMismatchError, SizeLimitError, UploadCorruptError, type BlobStore, type ByteRange, type Digest, type Logger } from '../ports'

const DIGEST_RE = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/
const UPLOAD_ID_RE = /^[A-Za-z0-9_-]{1,128}$/
/** Bytes gathered from the body before one positioned write (bounded; never the whole body). */
const WRITE_BATCH_BYTES = 1024 * 1024
/**
 * Bytes written between two background fdatasyncs of a body being written (see writeBody); below the
 * usual 8 MiB chunk of a chunked push, so each PATCH flushes too.
 */
const FLUSH_EVERY_BYTES = 4 * 1024 * 1024
/** Read size for downloads and for rehashing stored bytes. */
const READ_CHUNK_BYTES = 1024 * 1024
const DEFAULT_MAX_CACHED_STATES = 10_000

type Algorithm = 'sha256' | 'sha512'

/** What a file looked like right after this process last wrote it; any change means someone else touched it. */
interface FileIdentity {
  ino: bigint
  nlink: bigint
  size: bigint
  mtimeNs: bigint
  ctimeNs: bigint
}

interface UploadState {
  /** sha256 of the first `size` bytes of the upload file. */
  hash: Hash
  size: number
  identity: FileIdentity
}

/** The stored upload holds fewer bytes than the session says were received: it cannot be continued. */
export interface FilesystemBlobStoreOptions {
  root: string
  logger?: Logger
  /** How many upload hash states to keep in memory (least recently used are dropped and rebuilt on demand). */
  maxCachedHashStates?: number
}

export class FilesystemBlobStore implements BlobStore {
  private readonly root: string
  private readonly blobsDir: string
  private readonly uploadsDir: string
  private readonly logger?: Logger
  private readonly maxStates: number
  /** Insertion-ordered, so the first entry is the least recently used. */
  private readonly states = new Map<string, UploadState>()
  /** Serialises operations on one upload inside this process. */
  private readonly locks = new Map<string, Promise<unknown>>()
  private uploadsDirReady?: Promise<unknown>
  /** Blob fan-out directories known to exist (they are never removed by the store). */
  private readonly knownDirs = new Set<string>()
  /**
   * Open handles on blob directories, kept to fsync them after a rename without opening them each
   * time; bounded by the fan-out (2 x 256 + 2 directories).
   */
  private readonly dirHandles = new Map<string, Promise<FileHandle>>()

  constructor(options: FilesystemBlobStoreOptions) {
    if (!options.root) throw new TypeError('FilesystemBlobStore: root is required')
    this.root = options.root
    this.blobsDir = join(this.root, 'blobs')
    this.uploadsDir = join(this.root, 'uploads')
    this.logger = options.logger
    this.maxStates = options.maxCachedHashStates ?? DEFAULT_MAX_CACHED_STATES
  }

  /** Creates the directory layout. Safe to call more than once. */
  async init(): Promise<void> {
    await mkdir(join(this.blobsDir, 'sha256'), { recursive: true })
    await mkdir(join(this.blobsDir, 'sha512'), { recursive: true })
    await this.ensureUploadsDir()
  }

  /** Rejects when the blobs folder cannot be written (gone, unmounted, read-only). */
  async check(): Promise<void> {
    await access(join(this.blobsDir, 'sha256'), constants.W_OK)
  }

  /** Releases the directory handles kept for fsync. The store must not be used afterwards. */
  async close(): Promise<void> {
    const handles = [...this.dirHandles.values()]
    this.dirHandles.clear()
    await Promise.allSettled(handles.map(async (handle) => (await handle).close()))
  }

  // ------------------------------------------------------------------ committed blobs

  async stat(digest: Digest): Promise<{ size: number } | null> {
    const path = this.blobPath(digest)
    try {
      const st = await fsStat(path)
      return st.isFile() ? { size: st.size } : null
    } catch (err) {
      if (isCode(err, 'ENOENT') || isCode(err, 'ENOTDIR')) return null
      throw err
    }
  }

  async read(digest: Digest, range?: ByteRange): Promise<Readable> {
    const path = this.blobPath(digest)
    if (range !== undefined) {
      if (!isNonNegativeInt(range.start) || !isNonNegativeInt(range.end) || range.end < range.start) {
        throw new RangeError(`invalid byte range ${range.start}-${range.end}`)
      }
    }
    let fh: FileHandle
    try {
      fh = await open(path, 'r')
    } catch (err) {
      if (isCode(err, 'ENOENT') || isCode(err, 'ENOTDIR')) throw codeError('ENOENT', `blob ${digest} not found`)
      throw err
    }
    try {
      if (range !== undefined) {
        const { size } = await fh.stat()
        if (range.end >= size) {
          throw Object.assign(new RangeError(`range ${range.start}-${range.end} is outside blob ${digest} of ${size} bytes`), {
            code: 'ERR_OUT_OF_RANGE',
          })
        }
      }
      // The stream owns the handle from here: it closes it when it ends or is destroyed.
      // 1 MiB reads: a sixteenth of the syscalls and chunks of the default 64 KiB, for large layers.
      return fh.createReadStream({ highWaterMark: READ_CHUNK_BYTES, ...(range ? { start: range.start, end: range.end } : {}) })
    } catch (err) {
      await fh.close().catch(() => {})
      throw err
    }
  }

  async delete(digest: Digest): Promise<void> {
    const path = this.blobPath(digest)
    try {
      await unlink(path)
    } catch (err) {
      if (!isCode(err, 'ENOENT') && !isCode(err, 'ENOTDIR')) throw err
    }
  }

  // ------------------------------------------------------------------ uploads

  async appendUpload(uploadId: string, offset: number, body: Readable, maxBytes?: number): Promise<number> {
    const path = this.uploadPath(uploadId)
    if (!isNonNegativeInt(offset)) throw new TypeError(`invalid upload offset ${String(offset)}`)
    checkMaxBytes(maxBytes)
    return this.withLock(uploadId, async () => {
      const fh = await this.openUpload(uploadId, path, offset === 0)
      try {
        const base = await this.prepareAt(uploadId, fh, offset)
        const hash = base.hash.copy()
        let position: number
        let identity: FileIdentity
        try {
          position = await writeBody(fh, body, offset, hash, maxBytes)
          identity = await identityOf(fh)
        } catch (err) {
          await this.rollback(uploadId, fh, offset, base, err)
          throw err
        }
        // nlink 0: aborted while we were writing; the bytes went to an orphaned inode.
        if (identity.nlink > 0n) this.setState(uploadId, { hash, size: position, identity })
        return position
      } finally {
        await fh.close().catch(() => {})
      }
    })
  }

  async commitUpload(uploadId: string, size: number, digest: Digest): Promise<void> {
    const path = this.uploadPath(uploadId)
    this.blobPath(digest) // validates the digest before anything touches the disk
    if (!isNonNegativeInt(size)) throw new TypeError(`invalid upload size ${String(size)}`)
    const algorithm = algorithmOf(digest)
    await this.withLock(uploadId, async () => {
      const fh = await this.openUpload(uploadId, path, size === 0)
      let hex: string
      try {
        if (algorithm === 'sha256') {
          // prepareAt verifies the length (truncating a crashed append's leftover) and yields the
          // sha256 of exactly `size` bytes, from memory when it is trustworthy.
          const state = await this.prepareAt(uploadId, fh, size)
          hex = state.hash.copy().digest('hex')
        } else {
          const st = await fh.stat()
          if (st.size < size) throw new UploadCorruptError(uploadId, size, st.size)
          if (st.size > size) await this.truncateLeftover(uploadId, fh, st.size, size)
          hex = await hashFile(fh, size, algorithm)
        }
      } catch (err) {
        await fh.close().catch(() => {})
        throw err
      }
      const actual = `${algorithm}:${hex}`
      let exists: boolean
      try {
        if (actual !== digest) throw new DigestMismatchError(digest, actual)
        // Another writer (a replica serving the same session) could still change this shared file
        // before the rename, so it never replaces a blob that is already there.
        exists = (await this.stat(digest)) !== null
      } catch (err) {
        await fh.close().catch(() => {})
        throw err
      }
      this.states.delete(uploadId)
      if (!exists) {
        await this.publish(fh, path, digest)
        return
      }
      await fh.close()
      await unlink(path).catch((err) => {
        if (!isCode(err, 'ENOENT')) throw err
      })
    })
  }

  async putBlob(uploadId: string, digest: Digest, body: Readable, maxBytes?: number): Promise<number> {
    const path = this.uploadPath(uploadId)
    this.blobPath(digest) // validates the digest before anything touches the disk
    checkMaxBytes(maxBytes)
    // A name only this call knows: no other writer (another replica serving the same session) can
    // touch the bytes between hashing and publishing, so they may replace an existing copy.
    const temp = `${path}.${randomBytes(8).toString('hex')}`
    return this.withLock(uploadId, async () => {
      this.states.delete(uploadId)
      const size = await this.writeAndPublish(temp, digest, body, maxBytes)
      // The upload is finished: drop what an empty or crashed append may have left under its id.
      await unlink(path).catch((err) => {
        if (!isCode(err, 'ENOENT')) throw err
      })
      return size
    })
  }

  async storeBlob(digest: Digest, body: Readable, maxBytes?: number): Promise<number> {
    this.blobPath(digest) // validates the digest before anything touches the disk
    checkMaxBytes(maxBytes)
    return this.writeAndPublish(this.storeTempPath(), digest, body, maxBytes)
  }

  async storeBlobVerifiedByCaller(digest: Digest, body: Readable, callerVerdict: Promise<void>, maxBytes?: number): Promise<number> {
    // Observed from the start: a verdict that rejects while the body is still being written is no
    // unhandled rejection; it is rethrown once the body has ended.
    callerVerdict.catch(() => {})
    this.blobPath(digest) // validates the digest before anything touches the disk
    checkMaxBytes(maxBytes)
    return this.writeAndPublish(this.storeTempPath(), digest, body, maxBytes, callerVerdict)
  }

  async abortUpload(uploadId: string): Promise<void> {
    const path = this.uploadPath(uploadId)
    // Deliberately not queued behind a running append (which may stream for a long time): the file
    // is unlinked at once, a concurrent append finishes writing into the orphaned inode and does
    // not record state for it, a concurrent commit fails with ENOENT or has already published.
    this.states.delete(uploadId)
    try {
      await unlink(path)
    } catch (err) {
      if (!isCode(err, 'ENOENT') && !isCode(err, 'ENOTDIR')) throw err
    }
  }

  async sweepUploads(before: Date): Promise<number> {
    // Every write to a file here moves its mtime, and an open session's row is touched with each
    // append: a file this old belongs to an expired session or to a write that never finished.
    let removed = 0
    for (const name of await readdir(this.uploadsDir)) {
      const path = join(this.uploadsDir, name)
      try {
        const st = await lstat(path)
        if (!st.isFile() || st.mtimeMs >= before.getTime()) continue
        this.states.delete(name)
        await unlink(path)
        removed++
      } catch (err) {
        if (!isCode(err, 'ENOENT')) throw err
      }
    }
    return removed
  }

  // ------------------------------------------------------------------ internals

  /** A private file for a whole blob of no upload; the '.' keeps the name apart from every upload id. */
  private storeTempPath(): string {
    return join(this.uploadsDir, `put.${randomBytes(12).toString('hex')}`)
  }

  /**
   * Writes `body` to the private file `temp` and publishes it as `digest` once verified: by hashing
   * it on the way, or (with `callerVerdict`) by the caller that hashed it.
   */
  private async writeAndPublish(temp: string, digest: Digest, body: Readable, maxBytes?: number, callerVerdict?: Promise<void>): Promise<number> {
    await this.ensureUploadsDir()
    const fh = await open(temp, 'wx')
    let published = false
    try {
      const hash = callerVerdict ? undefined : createHash(algorithmOf(digest))
      let size: number
      try {
        size = await writeBody(fh, body, 0, hash, maxBytes)
        if (callerVerdict) await callerVerdict
      } catch (err) {
        await fh.close().catch(() => {})
        throw err
      }
      const actual = hash && `${algorithmOf(digest)}:${hash.digest('hex')}`
      if (actual !== undefined && actual !== digest) {
        await fh.close().catch(() => {})
        throw new DigestMismatchError(digest, actual)
      }
      await this.publish(fh, temp, digest)
      published = true
      return size
    } finally {
      if (!published) await unlink(temp).catch(() => {})
    }
  }

  private blobPath(digest: Digest): string {
    if (typeof digest !== 'string' || !DIGEST_RE.test(digest)) {
      throw new TypeError(`invalid digest: ${JSON.stringify(String(digest).slice(0, 200))}`)
    }
    const colon = digest.indexOf(':')
    const algorithm = digest.slice(0, colon)
    const hex = digest.slice(colon + 1)
    return join(this.blobsDir, algorithm, hex.slice(0, 2), hex)
  }

  private uploadPath(uploadId: string): string {
    if (typeof uploadId !== 'string' || !UPLOAD_ID_RE.test(uploadId)) {
      throw new TypeError(`invalid upload id: ${JSON.stringify(String(uploadId).slice(0, 200))}`)
    }
    return join(this.uploadsDir, uploadId)
  }

  private ensureUploadsDir(): Promise<unknown> {
    this.uploadsDirReady ??= mkdir(this.uploadsDir, { recursive: true }).catch((err) => {
      this.uploadsDirReady = undefined
      throw err
    })
    return this.uploadsDirReady
  }

  /** Opens an upload's file for writing; `create`: an upload still at 0 bytes may not have one yet. */
  private async openUpload(uploadId: string, path: string, create: boolean): Promise<FileHandle> {
    if (create) {
      await this.ensureUploadsDir()
      return open(path, constants.O_RDWR | constants.O_CREAT)
    }
    try {
      return await open(path, 'r+')
    } catch (err) {
      if (isCode(err, 'ENOENT') || isCode(err, 'ENOTDIR')) {
        this.states.delete(uploadId)
        throw codeError('ENOENT', `upload ${uploadId} not found`)
      }
      throw err
    }
  }

  /**
   * Makes the verified bytes in `fh` (the file at `path`) visible as blob `digest`, durably: the
   * file is fsynced before the rename and its directory after it. Closes `fh`.
   */
  private async publish(fh: FileHandle, path: string, digest: Digest): Promise<void> {
    const blobPath = this.blobPath(digest)
    try {
      await fh.sync()
    } catch (err) {
      await fh.close().catch(() => {})
      throw err
    }
    await fh.close()
    const dir = dirname(blobPath)
    let created = await this.ensureDir(dir)
    try {
      await rename(path, blobPath)
    } catch (err) {
      if (!isCode(err, 'ENOENT') || created) throw err
      // The directory this process knew went away behind its back (removed by hand): recreate it,
      // and do not fsync the old one through a cached handle.
      this.forgetDir(dir)
      created = await this.ensureDir(dir)
      await rename(path, blobPath)
    }
    await this.syncDir(dir)
    // A freshly created fan-out directory must itself be durable in its parent.
    if (created) await this.syncDir(dirname(dir))
  }

  /** Creates a blob directory unless it is known to exist; true when this call created it. */
  private async ensureDir(dir: string): Promise<boolean> {
    if (this.knownDirs.has(dir)) return false
    const created = await mkdir(dir, { recursive: true })
    this.knownDirs.add(dir)
    return created !== undefined
  }

  private forgetDir(dir: string): void {
    this.knownDirs.delete(dir)
    const handle = this.dirHandles.get(dir)
    this.dirHandles.delete(dir)
    handle?.then((h) => h.close()).catch(() => {})
  }

  private async syncDir(dir: string): Promise<void> {
    let handle = this.dirHandles.get(dir)
    if (!handle) {
      handle = open(dir, 'r')
      this.dirHandles.set(dir, handle)
    }
    try {
      await (await handle).sync()
    } catch (err) {
      if (this.dirHandles.get(dir) === handle) this.forgetDir(dir)
      // Some platforms/filesystems cannot fsync a directory; the rename itself already happened.
      if (!isCode(err, 'EISDIR') && !isCode(err, 'EPERM') && !isCode(err, 'EINVAL') && !isCode(err, 'EBADF')) throw err
    }
  }

  /**
   * Makes the upload file exactly `length` bytes long and returns the sha256 state of those bytes.
   * Longer: leftover of a crashed append, cut off. Shorter: the session is corrupt.
   */
  private async prepareAt(uploadId: string, fh: FileHandle, length: number): Promise<UploadState> {
    let identity = await identityOf(fh)
    const stored = Number(identity.size)
    if (stored < length) {
      this.states.delete(uploadId)
      throw new UploadCorruptError(uploadId, length, stored)
    }
    const cached = this.states.get(uploadId)
    if (cached && cached.size === length && sameIdentity(cached.identity, identity)) {
      this.touchState(uploadId, cached)
      return cached
    }
    if (stored > length) {
      await this.truncateLeftover(uploadId, fh, stored, length)
      identity = await identityOf(fh)
    }
    this.logger?.debug({ uploadId, bytes: length, reason: cached ? 'stale' : 'missing' }, 'rebuilding upload hash state from stored bytes')
    const hash = createHash('sha256')
    await feedFile(fh, length, hash)
    const state: UploadState = { hash, size: length, identity }
    this.setState(uploadId, state)
    return state
  }

  private async truncateLeftover(uploadId: string, fh: FileHandle, stored: number, length: number): Promise<void> {
    this.logger?.warn({ uploadId, stored, expected: length }, 'upload holds bytes past the session size; truncating')
    this.states.delete(uploadId)
    await fh.truncate(length)
  }

  /**
   * Puts the upload back to `offset` bytes after a failed append. The bytes before `offset` were not
   * touched, so the hash state of those bytes stays valid once the cut succeeded (a retry then does
   * not have to rehash everything received so far). If the cut fails the state is dropped and the
   * next append truncates the leftover itself.
   */
  private async rollback(uploadId: string, fh: FileHandle, offset: number, base: UploadState, cause: unknown): Promise<void> {
    this.states.delete(uploadId)
    try {
      await fh.truncate(offset)
      const identity = await identityOf(fh)
      if (identity.nlink > 0n) this.setState(uploadId, { hash: base.hash, size: offset, identity })
    } catch (err) {
      this.logger?.error({ uploadId, offset, err, cause }, 'could not truncate upload after a failed append')
    }
  }

  private setState(uploadId: string, state: UploadState): void {
    this.states.delete(uploadId)
    this.states.set(uploadId, state)
    while (this.states.size > this.maxStates) {
      const oldest = this.states.keys().next().value
      if (oldest === undefined) break
      this.states.delete(oldest)
    }
  }

  private touchState(uploadId: string, state: UploadState): void {
    this.states.delete(uploadId)
    this.states.set(uploadId, state)
  }

  private async withLock<T>(uploadId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(uploadId) ?? Promise.resolve()
    const run = previous.then(fn, fn)
    const tail = run.catch(() => {})
    this.locks.set(uploadId, tail)
    try {
      return await run
    } finally {
      if (this.locks.get(uploadId) === tail) this.locks.delete(uploadId)
    }
  }
}

// ------------------------------------------------------------------ helpers

function iterate(body: Readable): AsyncIterable<unknown> {
  // Leave the caller's stream alive when we stop early (size limit, disk error): the caller decides
  // whether to drain it or drop the connection, e.g. after answering 413.
  if (typeof body.iterator === 'function') {
    const it = body.iterator({ destroyOnReturn: false })
    return { [Symbol.asyncIterator]: () => it }
  }
  return body
}

/**
 * Streams `body` into `fh` from `offset` while feeding `hash` (when given), in batches of up to WRITE_BATCH_BYTES
 * with at most one write in flight. Resolves with the position after the last byte. On failure it
 * lets an in-flight write land before rethrowing (so that a rollback's cut is not extended again).
 *
 * Every FLUSH_EVERY_BYTES written, an fdatasync starts behind the writes (at most one at a time):
 * the bytes reach the disk while more arrive, so the fsync that publishes the blob finds little left
 * to write instead of the whole body. It is writeback only; what makes a blob durable is still that
 * fsync, before it is acknowledged.
 */
async function writeBody(fh: FileHandle, body: Readable, offset: number, hash: Hash | undefined, maxBytes?: number): Promise<number> {
  let position = offset
  let pending: Promise<void> | undefined
  const flusher = new BackgroundFlush(fh)
  let batch: Uint8Array[] = []
  let batchBytes = 0
  try {
    for await (const chunk of iterate(body)) {
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError('upload body must yield bytes (Buffer/Uint8Array), not ' + typeof chunk)
      }
      if (chunk.length === 0) continue
      if (maxBytes !== undefined && position + batchBytes + chunk.length - offset > maxBytes) {
        throw new SizeLimitError(maxBytes)
      }
      hash?.update(chunk)
      batch.push(chunk)
      batchBytes += chunk.length
      if (batchBytes >= WRITE_BATCH_BYTES) {
        if (pending) await pending
        flusher.written(position - offset)
        pending = writeAll(fh, batch, position)
        pending.catch(() => {}) // observed by the next await; avoids an unhandled rejection meanwhile
        position += batchBytes
        batch = []
        batchBytes = 0
      }
    }
    if (pending) await pending
    pending = undefined
    if (batchBytes > 0) {
      await writeAll(fh, batch, position)
      position += batchBytes
    }
    await flusher.settle()
    return position
  } catch (err) {
    if (pending) await pending.catch(() => {})
    await flusher.settle().catch(() => {})
    throw err
  }
}

/** Starts an fdatasync of `fh` each time FLUSH_EVERY_BYTES more have been written, never two at once. */
class BackgroundFlush {
  private flushedAt = 0
  private running?: Promise<void>
  private failure?: unknown

  constructor(private readonly fh: FileHandle) {}

  /** `landed`: bytes of this body known to be written (the writes before the one about to start). */
  written(landed: number): void {
    if (this.running || this.failure !== undefined || landed - this.flushedAt < FLUSH_EVERY_BYTES) return
    this.flushedAt = landed
    this.running = this.fh.datasync().then(
      () => {
        this.running = undefined
      },
      (err: unknown) => {
        this.running = undefined
        this.failure = err
      },
    )
  }

  /** Waits for the flush in flight (none may outlive the handle) and reports one that failed. */
  async settle(): Promise<void> {
    await this.running
    if (this.failure !== undefined) throw this.failure
  }
}

function algorithmOf(digest: Digest): Algorithm {
  return digest.slice(0, digest.indexOf(':')) as Algorithm
}

function checkMaxBytes(maxBytes: number | undefined): void {
  if (maxBytes !== undefined && !(typeof maxBytes === 'number' && maxBytes >= 0 && !Number.isNaN(maxBytes))) {
    throw new TypeError(`invalid maxBytes ${String(maxBytes)}`)
  }
}

async function writeAll(fh: FileHandle, buffers: Uint8Array[], position: number): Promise<void> {
  let total = 0
  for (const b of buffers) total += b.length
  const { bytesWritten } = await fh.writev(buffers as NodeJS.ArrayBufferView[], position)
  if (bytesWritten === total) return
  // Short write: finish the remainder one buffer at a time.
  let skip = bytesWritten
  let pos = position + bytesWritten
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length
      continue
    }
    let off = skip
    skip = 0
    while (off < b.length) {
      const r = await fh.write(b, off, b.length - off, pos)
      if (r.bytesWritten <= 0) throw codeError('EIO', 'short write to upload file')
      off += r.bytesWritten
      pos += r.bytesWritten
    }
  }
}

/** Feeds the first `length` bytes of the file to `hash`. */
async function feedFile(fh: FileHandle, length: number, hash: Hash): Promise<void> {
  const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, Math.max(length, 1)))
  let position = 0
  while (position < length) {
    const want = Math.min(buf.length, length - position)
    const { bytesRead } = await fh.read(buf, 0, want, position)
    if (bytesRead === 0) throw codeError('EUPLOADCORRUPT', `upload file ended at ${position} bytes, expected ${length}`)
    hash.update(buf.subarray(0, bytesRead))
    position += bytesRead
  }
}

async function hashFile(fh: FileHandle, length: number, algorithm: Algorithm): Promise<string> {
  const hash = createHash(algorithm)
  await feedFile(fh, length, hash)
  return hash.digest('hex')
}

async function identityOf(fh: FileHandle): Promise<FileIdentity> {
  const st = await fh.stat({ bigint: true })
  return { ino: st.ino, nlink: st.nlink, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs }
}

function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.ino === b.ino && b.nlink > 0n && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs
}

function isNonNegativeInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code
}

function codeError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code })
}
