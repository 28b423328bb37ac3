// A BlobStore on S3 (any S3-compatible service; tested against Ceph's RADOS Gateway).
//
// Keys under `prefix`:
//   blobs/<algorithm>/<hex>          committed, verified blobs (content-addressed)
//   uploads/<uploadId>/state.json    an upload's state: its multipart upload, parts, staged tail, size
//   uploads/<uploadId>/data          the key of the upload's multipart upload (completed only at commit)
//   uploads/<uploadId>/tail.<size>   the bytes after the last full part, staged as an object of its own
//
// A chunked upload is one multipart upload. S3 refuses parts under 5 MiB (except the last), and
// registry clients send chunks of any size, to any replica: so an append cuts what it receives into
// parts of `partBytes` and stages the rest (the "tail") as a small object, which the next append,
// on whichever replica, reads back and sends on in front of its own bytes. Buffering the tail in
// memory instead would tie a session to one process. The state object, written last, is the commit
// point of every append: until it is written the upload is as it was (parts past the recorded ones
// are overwritten by a retry, an unreferenced tail is deleted with the upload).
//
// Node's sha256 cannot export its state, so the digest is computed in-process while a session stays
// on one process (the state's `rev` tells whether this process wrote the current state); a commit
// that lacks it completes the multipart upload and hashes the object by reading it back.
// Whole blobs (monolithic pushes, proxy-cache fills) go straight to their blob key: one PutObject
// when they fit in a part, else a multipart upload that is completed only once the digest matched.
import { createHash, randomBytes, type Hash } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import type { Readable } from 'node:stream'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { KeyedMutex } from '../memory/keyed-mutex'
import { DigestMismatchError, SizeLimitError, UploadCorruptError, type BlobStore, type ByteRange, type Digest, type Logger } from '../ports'

const DIGEST_RE = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/
const UPLOAD_ID_RE = /^[A-Za-z0-9_-]{1,128}$/
const MiB = 1024 * 1024
/** S3's smallest part (but the last). */
const MIN_PART_BYTES = 5 * MiB
const DEFAULT_PART_BYTES = 8 * MiB
/** CopyObject's limit; larger copies go part by part. */
const MAX_COPY_BYTES = 5 * 1024 * MiB
const COPY_PART_BYTES = 1024 * MiB
/** distribution's default for its S3 driver's redirects. */
const DEFAULT_PRESIGN_SECONDS = 20 * 60
const MAX_CACHED_HASHES = 10_000
/** Keep-alive sockets to the service; requests beyond them queue in the agent. */
const MAX_SOCKETS = 128

type Algorithm = 'sha256' | 'sha512'

export interface S3BlobStoreOptions {
  /** e.g. http://127.0.0.1:7480; omitted for AWS itself. */
  endpoint?: string
  region: string
  bucket: string
  /** Without them the SDK's default chain applies (environment, shared files, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string }
  /** Path-style URLs (http://host/bucket/key): what Ceph and MinIO need. */
  forcePathStyle?: boolean
  /** A key prefix for everything the store writes (e.g. `registry/`). */
  prefix?: string
  /** Answer pulls with a presigned URL (`redirectUrl`) instead of streaming through the registry. */
  redirect?: boolean
  presignExpiresSeconds?: number
  /** Size of the parts an upload is cut into (at least 5 MiB). */
  partBytes?: number
  logger?: Logger
}

interface Part {
  number: number
  etag: string
  size: number
}

/** What `uploads/<id>/state.json` holds. */
interface UploadState {
  /** Changes with every write: tells whether this process's hash state belongs to it. */
  rev: string
  size: number
  multipartId?: string
  parts: Part[]
  tail?: { key: string; size: number }
  /** The multipart upload was completed into `data` (a commit whose digest did not match). */
  completed?: boolean
}

interface CachedHash {
  rev: string
  size: number
  hash: Hash
}

export class S3BlobStore implements BlobStore {
  readonly client: S3Client
  private readonly bucket: string
  private readonly prefix: string
  private readonly redirect: boolean
  private readonly presignSeconds: number
  private readonly partBytes: number
  private readonly logger?: Logger
  /** sha256 states of uploads whose every byte went through this process; insertion-ordered for LRU. */
  private readonly hashes = new Map<string, CachedHash>()
  /** Serialises operations on one upload inside this process. */
  private readonly locks = new KeyedMutex()

  constructor(options: S3BlobStoreOptions) {
    if (!options.bucket) throw new TypeError('S3BlobStore: bucket is required')
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle ?? false,
      credentials: options.credentials,
      // Checksums only where S3 requires them: Ceph 16 and other S3-compatible services refuse the
      // aws-chunked bodies with checksum trailers that the SDK sends by default since 3.729.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // The SDK sends `Expect: 100-continue` with bodies of 2 MiB and more (every part), and with it
      // opens a fresh connection that is not kept alive, then waits a round trip before the body.
      expectContinueHeader: false,
      // Our own keep-alive agents: sockets are reused across requests, and there are enough of them
      // for concurrent pushes (each has a part in flight while the next is read).
      requestHandler: { httpAgent: new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }), httpsAgent: new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }) },
    })
    // Bodies are not hashed for the request signature: the SDK would hash every part a second time
    // (after our digest) on plain-HTTP endpoints; over HTTPS it leaves the payload unsigned anyway.
    this.client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers?: Record<string, string>; body?: unknown }
        if (request.headers && request.body !== undefined && request.body !== null) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD'
        return next(args)
      },
      { step: 'build', name: 'unsignedPayload' },
    )
    this.bucket = options.bucket
    this.prefix = options.prefix ? options.prefix.replace(/^\/+/, '').replace(/\/*$/, '/') : ''
    this.redirect = options.redirect ?? false
    this.presignSeconds = options.presignExpiresSeconds ?? DEFAULT_PRESIGN_SECONDS
    this.partBytes = Math.max(options.partBytes ?? DEFAULT_PART_BYTES, MIN_PART_BYTES)
    this.logger = options.logger
  }

  /** Checks that the bucket answers (a start-up check). */
  async init(): Promise<void> {
    await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, MaxKeys: 1 }))
  }

  async close(): Promise<void> {
    this.client.destroy()
  }

  // ------------------------------------------------------------------ committed blobs

  async stat(digest: Digest): Promise<{ size: number } | null> {
    return this.head(this.blobKey(digest))
  }

  async read(digest: Digest, range?: ByteRange): Promise<Readable> {
    const key = this.blobKey(digest)
    if (range !== undefined && (!isNonNegativeInt(range.start) || !isNonNegativeInt(range.end) || range.end < range.start)) {
      throw new RangeError(`invalid byte range ${range.start}-${range.end}`)
    }
    let res
    try {
      res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }))
    } catch (err) {
      if (isNotFound(err)) throw codeError('ENOENT', `blob ${digest} not found`)
      if (statusOf(err) === 416) throw outOfRange(digest, range)
      throw err
    }
    const stream = res.Body as Readable
    if (range !== undefined) {
      // S3 shortens a range that runs past the end; the port refuses it.
      const total = Number(/\/(\d+)$/.exec(res.ContentRange ?? '')?.[1] ?? NaN)
      if (!(range.end < total)) {
        stream.destroy()
        throw outOfRange(digest, range)
      }
    }
    return stream
  }

  async delete(digest: Digest): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.blobKey(digest) }))
  }

  /** A presigned GET for the blob when redirects are configured, else null (the registry streams it). */
  async redirectUrl(digest: Digest): Promise<string | null> {
    if (!this.redirect) return null
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: this.blobKey(digest) }), { expiresIn: this.presignSeconds })
  }

  // ------------------------------------------------------------------ uploads

  async appendUpload(uploadId: string, offset: number, body: Readable, maxBytes?: number): Promise<number> {
    this.uploadDir(uploadId)
    if (!isNonNegativeInt(offset)) throw new TypeError(`invalid upload offset ${String(offset)}`)
    checkMaxBytes(maxBytes)
    return this.locks.exclusive(uploadId, async () => {
      let state = await this.loadState(uploadId)
      if (!state) {
        if (offset !== 0) throw codeError('ENOENT', `upload ${uploadId} not found`)
      } else if (offset > state.size) {
        throw new UploadCorruptError(uploadId, offset, state.size)
      } else if (offset === 0) {
        // Starting over (a crash left bytes the session never recorded): drop them.
        await this.discard(uploadId, state, true)
        state = null
      } else if (offset < state.size || state.completed) {
        state = await this.restage(uploadId, state, offset)
      }
      const current = state ?? { rev: '', size: 0, parts: [] }
      const cached = this.hashes.get(uploadId)
      const hash = current.size === 0 ? createHash('sha256') : cached && cached.rev === current.rev && cached.size === current.size ? cached.hash.copy() : undefined
      const tail = current.tail ? await this.getBuffer(current.tail.key) : Buffer.alloc(0)
      const next = await this.writeUpload(uploadId, current, tail, body, hash, maxBytes)
      if (next === current) return current.size
      await this.saveState(uploadId, next)
      if (current.tail && current.tail.key !== next.tail?.key) await this.deleteQuietly(current.tail.key)
      if (hash) this.cacheHash(uploadId, { rev: next.rev, size: next.size, hash })
      else this.hashes.delete(uploadId)
      return next.size
    })
  }

  async commitUpload(uploadId: string, size: number, digest: Digest): Promise<void> {
    this.uploadDir(uploadId)
    const blobKey = this.blobKey(digest)
    if (!isNonNegativeInt(size)) throw new TypeError(`invalid upload size ${String(size)}`)
    const algorithm = algorithmOf(digest)
    await this.locks.exclusive(uploadId, async () => {
      let state = await this.loadState(uploadId)
      // Blobs are content-addressed: one that exists already holds these very bytes, so writing it
      // again is harmless and cheaper than asking first (a HEAD on every commit).
      if (!state) {
        if (size !== 0) throw codeError('ENOENT', `upload ${uploadId} not found`)
        verify(digest, `${algorithm}:${createHash(algorithm).digest('hex')}`)
        await this.putObject(blobKey, Buffer.alloc(0))
        return
      }
      if (size > state.size) throw new UploadCorruptError(uploadId, size, state.size)
      const cached = this.hashes.get(uploadId)
      const hashed = algorithm === 'sha256' && size === state.size && cached && cached.rev === state.rev && cached.size === size ? cached.hash : undefined
      if (hashed) verify(digest, `sha256:${hashed.copy().digest('hex')}`)
      // The bytes of an open multipart upload cannot be read or copied: complete it first.
      if (!state.completed && state.parts.length > 0) state = await this.complete(uploadId, state)
      if (!hashed) verify(digest, `${algorithm}:${await this.hashObject(this.dataKey(uploadId, state), size, algorithm)}`)
      await this.copy(this.dataKey(uploadId, state), blobKey, size, size === state.size)
      await this.discard(uploadId, state, false)
    })
  }

  async putBlob(uploadId: string, digest: Digest, body: Readable, maxBytes?: number): Promise<number> {
    this.uploadDir(uploadId)
    return this.locks.exclusive(uploadId, async () => {
      const size = await this.storeBlob(digest, body, maxBytes)
      // The upload is finished: drop whatever it held (leftovers of a crash without a state go with the sweep).
      const state = await this.loadState(uploadId)
      if (state) await this.discard(uploadId, state, false)
      return size
    })
  }

  async storeBlob(digest: Digest, body: Readable, maxBytes?: number): Promise<number> {
    const key = this.blobKey(digest)
    checkMaxBytes(maxBytes)
    const algorithm = algorithmOf(digest)
    const hash = createHash(algorithm)
    let multipartId: string | undefined
    const parts: Part[] = []
    try {
      const { received, rest } = await this.streamParts(body, Buffer.alloc(0), hash, maxBytes, async (data) => {
        multipartId ??= await this.createMultipart(key)
        parts.push(await this.uploadPart(key, multipartId, parts.length + 1, data))
      })
      verify(digest, `${algorithm}:${hash.digest('hex')}`)
      // Under a part's size: one PutObject, no multipart upload.
      if (multipartId === undefined) await this.putObject(key, rest)
      else await this.finishMultipart(key, multipartId, parts, rest)
      return received
    } catch (err) {
      if (multipartId !== undefined) await this.abortMultipart(key, multipartId)
      throw err
    }
  }

  async abortUpload(uploadId: string): Promise<void> {
    this.uploadDir(uploadId)
    await this.locks.exclusive(uploadId, async () => this.discard(uploadId, await this.loadState(uploadId), true))
  }

  async sweepUploads(before: Date): Promise<number> {
    // Every append rewrites the state object, so its age is the session's: older than `before`, the
    // session has expired (or its writer crashed). Objects and multipart uploads of no live state
    // (a crash before the first state was written, a whole blob never completed) go by their own age.
    const uploadsPrefix = `${this.prefix}uploads/`
    const live = new Set<string>()
    const stale = new Set<string>()
    const orphans: string[] = []
    for await (const object of this.listObjects(uploadsPrefix)) {
      const id = uploadIdOf(object.key, uploadsPrefix)
      if (object.key.endsWith('/state.json')) (object.modified >= before ? live : stale).add(id)
      else if (object.modified < before) orphans.push(object.key)
    }
    let removed = 0
    for (const id of stale) {
      await this.locks.exclusive(id, async () => this.discard(id, await this.loadState(id), true))
      removed++
    }
    for (const key of orphans) {
      const id = uploadIdOf(key, uploadsPrefix)
      if (live.has(id) || stale.has(id)) continue
      await this.deleteQuietly(key)
      removed++
    }
    for await (const upload of this.listMultipartUploads(this.prefix)) {
      if (upload.initiated >= before) continue
      if (upload.key.startsWith(uploadsPrefix) && live.has(uploadIdOf(upload.key, uploadsPrefix))) continue
      await this.abortMultipart(upload.key, upload.id)
      removed++
    }
    return removed
  }

  // ------------------------------------------------------------------ uploads: internals

  /**
   * Streams `body` after `tail` (the staged bytes of `state`) into parts of the multipart upload
   * and a new staged tail; resolves the state to record (the same object when the body was empty).
   */
  private async writeUpload(uploadId: string, state: UploadState, tail: Buffer, body: Readable, hash: Hash | undefined, maxBytes?: number): Promise<UploadState> {
    const dataKey = this.dataKey(uploadId)
    let multipartId = state.multipartId
    const parts = [...state.parts]
    const { received, rest } = await this.streamParts(body, tail, hash, maxBytes, async (data) => {
      multipartId ??= await this.createMultipart(dataKey)
      parts.push(await this.uploadPart(dataKey, multipartId, parts.length + 1, data))
    })
    if (received === 0) return state
    const size = state.size + received
    let nextTail: UploadState['tail']
    if (rest.length > 0) {
      nextTail = { key: `${this.uploadDir(uploadId)}tail.${size}`, size: rest.length }
      await this.putObject(nextTail.key, rest)
    }
    return { rev: newRev(), size, parts, ...(multipartId ? { multipartId } : {}), ...(nextTail ? { tail: nextTail } : {}) }
  }

  /**
   * Reads `body` after `lead` and hands every `partBytes` or more of it to `uploadPart`, one part in
   * flight while the next is read; resolves the bytes received and those left over (under a part).
   * On failure it waits for the part in flight before rethrowing.
   */
  private async streamParts(
    body: Readable,
    lead: Buffer,
    hash: Hash | undefined,
    maxBytes: number | undefined,
    uploadPart: (data: Buffer) => Promise<void>,
  ): Promise<{ received: number; rest: Buffer }> {
    let buffered: Buffer[] = lead.length > 0 ? [lead] : []
    let bufferedBytes = lead.length
    let received = 0
    let pending: Promise<void> | undefined
    try {
      for await (const chunk of iterate(body)) {
        if (!(chunk instanceof Uint8Array)) throw new TypeError('a blob body must yield bytes (Buffer/Uint8Array), not ' + typeof chunk)
        if (chunk.length === 0) continue
        if (maxBytes !== undefined && received + chunk.length > maxBytes) throw new SizeLimitError(maxBytes)
        hash?.update(chunk)
        buffered.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length))
        bufferedBytes += chunk.length
        received += chunk.length
        if (bufferedBytes >= this.partBytes) {
          const data = Buffer.concat(buffered, bufferedBytes)
          buffered = []
          bufferedBytes = 0
          if (pending) await pending
          pending = uploadPart(data)
          pending.catch(() => {}) // observed by the next await
        }
      }
      if (pending) await pending
    } catch (err) {
      if (pending) await pending.catch(() => {})
      throw err
    }
    return { received, rest: Buffer.concat(buffered, bufferedBytes) }
  }

  /**
   * Makes an upload whose bytes cannot simply be appended to (completed by a commit that failed
   * verification, or holding more than the session recorded) hold its first `length` bytes as a
   * fresh multipart upload plus tail, by copying them server-side part by part. Bytes still in an
   * open multipart upload cannot be read, so cutting into them loses the session.
   */
  private async restage(uploadId: string, state: UploadState, length: number): Promise<UploadState> {
    if (!state.completed) {
      const inParts = state.parts.reduce((n, p) => n + p.size, 0)
      if (length < inParts) throw new UploadCorruptError(uploadId, length, inParts)
      const { tail: _dropped, ...rest } = state
      const next: UploadState = { ...rest, rev: newRev(), size: length }
      if (length > inParts) {
        next.tail = { key: `${this.uploadDir(uploadId)}tail.${length}`, size: length - inParts }
        await this.putObject(next.tail.key, (await this.getBuffer(state.tail!.key)).subarray(0, next.tail.size))
      }
      await this.saveState(uploadId, next)
      if (state.tail && state.tail.key !== next.tail?.key) await this.deleteQuietly(state.tail.key)
      return next
    }
    const source = this.dataKey(uploadId)
    const dataKey = source
    const parts: Part[] = []
    let multipartId: string | undefined
    const whole = Math.floor(length / this.partBytes)
    try {
      for (let i = 0; i < whole; i++) {
        multipartId ??= await this.createMultipart(dataKey)
        const start = i * this.partBytes
        const res = await this.client.send(
          new UploadPartCopyCommand({
            Bucket: this.bucket,
            Key: dataKey,
            UploadId: multipartId,
            PartNumber: i + 1,
            CopySource: this.copySource(source),
            CopySourceRange: `bytes=${start}-${start + this.partBytes - 1}`,
          }),
        )
        parts.push({ number: i + 1, etag: res.CopyPartResult?.ETag ?? '', size: this.partBytes })
      }
      const rest = length - whole * this.partBytes
      let tail: UploadState['tail']
      if (rest > 0) {
        tail = { key: `${this.uploadDir(uploadId)}tail.${length}`, size: rest }
        await this.putObject(tail.key, await this.getBuffer(source, { start: whole * this.partBytes, end: length - 1 }))
      }
      const next: UploadState = { rev: newRev(), size: length, parts, ...(multipartId ? { multipartId } : {}), ...(tail ? { tail } : {}) }
      await this.saveState(uploadId, next)
      return next
    } catch (err) {
      if (multipartId !== undefined) await this.abortMultipart(dataKey, multipartId)
      throw err
    }
  }

  /** Completes the upload's multipart upload (its staged tail as the last part) into `data`. */
  private async complete(uploadId: string, state: UploadState): Promise<UploadState> {
    const last = state.tail ? await this.getBuffer(state.tail.key) : Buffer.alloc(0)
    await this.finishMultipart(this.dataKey(uploadId), state.multipartId!, state.parts, last)
    const next: UploadState = { rev: newRev(), size: state.size, parts: [], completed: true }
    await this.saveState(uploadId, next)
    if (state.tail) await this.deleteQuietly(state.tail.key)
    return next
  }

  /** Where an upload's bytes can be read whole: the completed object, or the staged tail when there are no parts. */
  private dataKey(uploadId: string, state?: UploadState): string {
    if (state && !state.completed && state.parts.length === 0) {
      if (!state.tail) throw new Error(`upload ${uploadId} holds no bytes`)
      return state.tail.key
    }
    return `${this.uploadDir(uploadId)}data`
  }

  /**
   * Removes what an upload holds: its state first (so that it is gone at once), then what the state
   * records. `unrecorded`: also what no state recorded (an append that failed before writing its
   * state), found by listing; a commit skips those two listings, as the sweep removes such
   * leftovers by their own age once the state is gone.
   */
  private async discard(uploadId: string, state: UploadState | null, unrecorded: boolean): Promise<void> {
    const dir = this.uploadDir(uploadId)
    this.hashes.delete(uploadId)
    await this.deleteQuietly(`${dir}state.json`)
    await Promise.all([
      state?.multipartId ? this.abortMultipart(this.dataKey(uploadId), state.multipartId) : undefined,
      state?.tail ? this.deleteQuietly(state.tail.key) : undefined,
      state?.completed ? this.deleteQuietly(this.dataKey(uploadId)) : undefined,
    ])
    if (!unrecorded) return
    for await (const upload of this.listMultipartUploads(dir)) await this.abortMultipart(upload.key, upload.id)
    for await (const object of this.listObjects(dir)) await this.deleteQuietly(object.key)
  }

  private async loadState(uploadId: string): Promise<UploadState | null> {
    try {
      return JSON.parse((await this.getBuffer(`${this.uploadDir(uploadId)}state.json`)).toString('utf8')) as UploadState
    } catch (err) {
      if (isNotFound(err)) return null
      throw err
    }
  }

  private async saveState(uploadId: string, state: UploadState): Promise<void> {
    await this.putObject(`${this.uploadDir(uploadId)}state.json`, Buffer.from(JSON.stringify(state)), 'application/json')
  }

  private cacheHash(uploadId: string, entry: CachedHash): void {
    this.hashes.delete(uploadId)
    this.hashes.set(uploadId, entry)
    while (this.hashes.size > MAX_CACHED_HASHES) {
      const oldest = this.hashes.keys().next().value
      if (oldest === undefined) break
      this.hashes.delete(oldest)
    }
  }

  // ------------------------------------------------------------------ S3 calls

  private blobKey(digest: Digest): string {
    if (typeof digest !== 'string' || !DIGEST_RE.test(digest)) {
      throw new TypeError(`invalid digest: ${JSON.stringify(String(digest).slice(0, 200))}`)
    }
    return `${this.prefix}blobs/${digest.replace(':', '/')}`
  }

  private uploadDir(uploadId: string): string {
    if (typeof uploadId !== 'string' || !UPLOAD_ID_RE.test(uploadId)) {
      throw new TypeError(`invalid upload id: ${JSON.stringify(String(uploadId).slice(0, 200))}`)
    }
    return `${this.prefix}uploads/${uploadId}/`
  }

  private copySource(key: string): string {
    return `${this.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`
  }

  private async head(key: string): Promise<{ size: number } | null> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }))
      return { size: res.ContentLength ?? 0 }
    } catch (err) {
      if (isNotFound(err)) return null
      throw err
    }
  }

  private async getBuffer(key: string, range?: ByteRange): Promise<Buffer> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }))
    return Buffer.from(await res.Body!.transformToByteArray())
  }

  private async putObject(key: string, data: Buffer, contentType = 'application/octet-stream'): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: data, ContentLength: data.length, ContentType: contentType }))
  }

  private async deleteQuietly(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))
    } catch (err) {
      if (!isNotFound(err)) this.logger?.warn({ err, key }, 'could not delete an upload object; the sweep will')
    }
  }

  /** sha of the object's first `length` bytes, read back. */
  private async hashObject(key: string, length: number, algorithm: Algorithm): Promise<string> {
    const hash = createHash(algorithm)
    if (length > 0) {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${length - 1}` }))
      for await (const chunk of res.Body as Readable) hash.update(chunk as Buffer)
    }
    this.logger?.debug({ key, bytes: length }, 'hashed upload by reading it back')
    return hash.digest('hex')
  }

  /** Copies the first `length` bytes of `source` to `target` server-side (`whole`: that is all of it). */
  private async copy(source: string, target: string, length: number, whole: boolean): Promise<void> {
    if (length === 0) return this.putObject(target, Buffer.alloc(0))
    if (whole && length <= MAX_COPY_BYTES) {
      await this.client.send(
        new CopyObjectCommand({ Bucket: this.bucket, Key: target, CopySource: this.copySource(source), ContentType: 'application/octet-stream', MetadataDirective: 'REPLACE' }),
      )
      return
    }
    const multipartId = await this.createMultipart(target)
    try {
      const parts: Part[] = []
      for (let start = 0; start < length; start += COPY_PART_BYTES) {
        const end = Math.min(start + COPY_PART_BYTES, length) - 1
        const res = await this.client.send(
          new UploadPartCopyCommand({
            Bucket: this.bucket,
            Key: target,
            UploadId: multipartId,
            PartNumber: parts.length + 1,
            CopySource: this.copySource(source),
            CopySourceRange: `bytes=${start}-${end}`,
          }),
        )
        parts.push({ number: parts.length + 1, etag: res.CopyPartResult?.ETag ?? '', size: end - start + 1 })
      }
      await this.finishMultipart(target, multipartId, parts, Buffer.alloc(0))
    } catch (err) {
      await this.abortMultipart(target, multipartId)
      throw err
    }
  }

  private async createMultipart(key: string): Promise<string> {
    const res = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: 'application/octet-stream' }))
    if (!res.UploadId) throw new Error(`CreateMultipartUpload for ${key} answered no UploadId`)
    return res.UploadId
  }

  private async uploadPart(key: string, multipartId: string, number: number, data: Buffer): Promise<Part> {
    const res = await this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: multipartId, PartNumber: number, Body: data, ContentLength: data.length }))
    return { number, etag: res.ETag ?? '', size: data.length }
  }

  /** Uploads `last` (unless empty) as the final part, then completes the multipart upload. */
  private async finishMultipart(key: string, multipartId: string, parts: Part[], last: Buffer): Promise<void> {
    const all = last.length > 0 ? [...parts, await this.uploadPart(key, multipartId, parts.length + 1, last)] : parts
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: multipartId,
        MultipartUpload: { Parts: all.map((p) => ({ PartNumber: p.number, ETag: p.etag })) },
      }),
    )
  }

  private async abortMultipart(key: string, multipartId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: multipartId }))
    } catch (err) {
      // Ceph answers NoSuchKey, not NoSuchUpload, for an upload that is already gone.
      if (!isNotFound(err) && (err as { name?: string }).name !== 'NoSuchUpload') throw err
    }
  }

  private async *listObjects(prefix: string): AsyncGenerator<{ key: string; modified: Date }> {
    let token: string | undefined
    do {
      const res = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }))
      for (const object of res.Contents ?? []) if (object.Key) yield { key: object.Key, modified: object.LastModified ?? new Date(0) }
      token = res.IsTruncated ? res.NextContinuationToken : undefined
    } while (token)
  }

  private async *listMultipartUploads(prefix: string): AsyncGenerator<{ key: string; id: string; initiated: Date }> {
    let keyMarker: string | undefined
    let idMarker: string | undefined
    for (;;) {
      const res = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: idMarker }))
      const uploads = (res.Uploads ?? []).filter((u) => u.Key && u.UploadId).map((u) => ({ key: u.Key!, id: u.UploadId!, initiated: u.Initiated ?? new Date(0) }))
      yield* uploads
      if (!res.IsTruncated) return
      keyMarker = res.NextKeyMarker
      idMarker = res.NextUploadIdMarker
    }
  }
}

// ------------------------------------------------------------------ helpers

function iterate(body: Readable): AsyncIterable<unknown> {
  // Leave the caller's stream alive when we stop early (size limit, S3 error): the caller decides
  // whether to drain it or drop the connection, e.g. after answering 413.
  if (typeof body.iterator === 'function') {
    const it = body.iterator({ destroyOnReturn: false })
    return { [Symbol.asyncIterator]: () => it }
  }
  return body
}

/** The upload id in `<uploadsPrefix><id>/<name>`. */
function uploadIdOf(key: string, uploadsPrefix: string): string {
  const rest = key.slice(uploadsPrefix.length)
  return rest.slice(0, rest.indexOf('/') >>> 0)
}

function verify(expected: Digest, actual: Digest): void {
  if (actual !== expected) throw new DigestMismatchError(expected, actual)
}

function newRev(): string {
  return randomBytes(8).toString('hex')
}

function algorithmOf(digest: Digest): Algorithm {
  return digest.slice(0, digest.indexOf(':')) as Algorithm
}

function checkMaxBytes(maxBytes: number | undefined): void {
  if (maxBytes !== undefined && !(typeof maxBytes === 'number' && maxBytes >= 0 && !Number.isNaN(maxBytes))) {
    throw new TypeError(`invalid maxBytes ${String(maxBytes)}`)
  }
}

function isNonNegativeInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode
}

function isNotFound(err: unknown): boolean {
  const name = (err as { name?: string })?.name
  return name === 'NoSuchKey' || name === 'NotFound' || (statusOf(err) === 404 && name !== 'NoSuchBucket')
}

function outOfRange(digest: Digest, range: ByteRange | undefined): RangeError {
  return Object.assign(new RangeError(`range ${range?.start}-${range?.end} is outside blob ${digest}`), { code: 'ERR_OUT_OF_RANGE' })
}

function codeError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code })
}
