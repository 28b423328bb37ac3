// A BlobStore in memory: for tests and for running the engine in-process. Same contract as the
// filesystem store (tests/contracts/blob-store.contract.ts runs against both); nothing survives
// the process.
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { digestAlgorithm, isSupportedDigest } from '../grammar'
import { DigestMismatchError, SizeLimitError, UploadCorruptError, type BlobStore, type ByteRange, type Digest } from '../ports'

interface Upload {
  bytes: Buffer
  touchedAt: number
}

export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<Digest, Buffer>()
  private readonly uploads = new Map<string, Upload>()
  /** Per-upload queue: calls on one upload run one after another, as on the filesystem store. */
  private readonly locks = new Map<string, Promise<unknown>>()

  async stat(digest: Digest): Promise<{ size: number } | null> {
    checkDigest(digest)
    const blob = this.blobs.get(digest)
    return blob ? { size: blob.length } : null
  }

  async read(digest: Digest, range?: ByteRange): Promise<Readable> {
    checkDigest(digest)
    if (range !== undefined && !(isNonNegativeInt(range.start) && isNonNegativeInt(range.end) && range.end >= range.start)) {
      throw new RangeError(`invalid byte range ${range.start}-${range.end}`)
    }
    const blob = this.blobs.get(digest)
    if (!blob) throw codeError('ENOENT', `blob ${digest} not found`)
    if (range === undefined) return Readable.from([blob])
    if (range.end >= blob.length) {
      throw Object.assign(new RangeError(`range ${range.start}-${range.end} is outside blob ${digest} of ${blob.length} bytes`), {
        code: 'ERR_OUT_OF_RANGE',
      })
    }
    return Readable.from([blob.subarray(range.start, range.end + 1)])
  }

  async delete(digest: Digest): Promise<void> {
    checkDigest(digest)
    this.blobs.delete(digest)
  }

  async appendUpload(uploadId: string, offset: number, body: Readable, maxBytes?: number): Promise<number> {
    if (!isNonNegativeInt(offset)) throw new TypeError(`invalid upload offset ${String(offset)}`)
    checkMaxBytes(maxBytes)
    return this.withLock(uploadId, async () => {
      let upload = this.uploads.get(uploadId)
      if (!upload && offset === 0) {
        // An append at offset 0 begins the upload (as creating its file does).
        upload = { bytes: Buffer.alloc(0), touchedAt: Date.now() }
        this.uploads.set(uploadId, upload)
      }
      if (!upload) throw codeError('ENOENT', `upload ${uploadId} not found`)
      if (upload.bytes.length < offset) throw new UploadCorruptError(uploadId, offset, upload.bytes.length)
      // Bytes past the offset are what a failed append left: they are replaced.
      const received = await readBody(body, maxBytes)
      const bytes = Buffer.concat([upload.bytes.subarray(0, offset), received])
      // Aborted meanwhile: the bytes go nowhere, as they would into an unlinked file.
      if (this.uploads.get(uploadId) === upload) this.uploads.set(uploadId, { bytes, touchedAt: Date.now() })
      return bytes.length
    })
  }

  async commitUpload(uploadId: string, size: number, digest: Digest): Promise<void> {
    checkDigest(digest)
    if (!isNonNegativeInt(size)) throw new TypeError(`invalid upload size ${String(size)}`)
    await this.withLock(uploadId, async () => {
      const upload = this.uploads.get(uploadId)
      if (!upload && size !== 0) throw codeError('ENOENT', `upload ${uploadId} not found`)
      const stored = upload?.bytes ?? Buffer.alloc(0)
      if (stored.length < size) throw new UploadCorruptError(uploadId, size, stored.length)
      const bytes = stored.subarray(0, size)
      verify(digest, bytes)
      if (!this.blobs.has(digest)) this.blobs.set(digest, Buffer.from(bytes))
      this.uploads.delete(uploadId)
    })
  }

  async putBlob(uploadId: string, digest: Digest, body: Readable, maxBytes?: number): Promise<number> {
    checkDigest(digest)
    checkMaxBytes(maxBytes)
    return this.withLock(uploadId, async () => {
      const size = await this.store(digest, body, maxBytes)
      this.uploads.delete(uploadId)
      return size
    })
  }

  async storeBlob(digest: Digest, body: Readable, maxBytes?: number): Promise<number> {
    checkDigest(digest)
    checkMaxBytes(maxBytes)
    return this.store(digest, body, maxBytes)
  }

  async storeBlobVerifiedByCaller(digest: Digest, body: Readable, callerVerdict: Promise<void>, maxBytes?: number): Promise<number> {
    callerVerdict.catch(() => {}) // rethrown below once the body has ended
    checkDigest(digest)
    checkMaxBytes(maxBytes)
    const bytes = await readBody(body, maxBytes)
    await callerVerdict
    this.blobs.set(digest, bytes)
    return bytes.length
  }

  async abortUpload(uploadId: string): Promise<void> {
    // Not queued behind a running append, like the filesystem store: the bytes go at once.
    this.uploads.delete(uploadId)
  }

  async sweepUploads(before: Date): Promise<number> {
    let removed = 0
    for (const [id, upload] of this.uploads) {
      if (upload.touchedAt < before.getTime()) {
        this.uploads.delete(id)
        removed++
      }
    }
    return removed
  }

  private async store(digest: Digest, body: Readable, maxBytes?: number): Promise<number> {
    const bytes = await readBody(body, maxBytes)
    verify(digest, bytes)
    this.blobs.set(digest, bytes)
    return bytes.length
  }

  private async withLock<T>(uploadId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(uploadId) ?? Promise.resolve()
    const run = previous.then(fn, fn)
    const settled = run.catch(() => {})
    this.locks.set(uploadId, settled)
    try {
      return await run
    } finally {
      if (this.locks.get(uploadId) === settled) this.locks.delete(uploadId)
    }
  }
}

/** The whole body, at most `maxBytes`. The caller's stream is left alive when it stops early. */
async function readBody(body: Readable, maxBytes?: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  const iterator = typeof body.iterator === 'function' ? body.iterator({ destroyOnReturn: false }) : body
  for await (const chunk of iterator) {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('upload body must yield bytes (Buffer/Uint8Array), not ' + typeof chunk)
    size += chunk.length
    if (maxBytes !== undefined && size > maxBytes) throw new SizeLimitError(maxBytes)
    chunks.push(Buffer.from(chunk))
  }
  return Buffer.concat(chunks)
}

function verify(digest: Digest, bytes: Buffer): void {
  const algorithm = digestAlgorithm(digest)
  const actual = `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`
  if (actual !== digest) throw new DigestMismatchError(digest, actual)
}

function checkDigest(digest: Digest): void {
  if (!isSupportedDigest(digest)) throw new TypeError(`invalid digest ${digest.slice(0, 200)}`)
}

function checkMaxBytes(maxBytes: number | undefined): void {
  if (maxBytes !== undefined && !(typeof maxBytes === 'number' && maxBytes >= 0 && !Number.isNaN(maxBytes))) {
    throw new TypeError(`invalid maxBytes ${String(maxBytes)}`)
  }
}

function isNonNegativeInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
}

function codeError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code })
}
