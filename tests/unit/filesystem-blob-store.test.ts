import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { appendFile, mkdtemp, open, readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { DigestMismatchError, SizeLimitError } from '../../registry-core/src/ports'
import { FilesystemBlobStore } from '../../registry-core/src/storage/filesystem-blob-store'
import { UploadCorruptError } from '../../registry-core/src/ports'

const sha256 = (...parts: Buffer[]) => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return `sha256:${h.digest('hex')}`
}
const sha512 = (...parts: Buffer[]) => {
  const h = createHash('sha512')
  for (const p of parts) h.update(p)
  return `sha512:${h.digest('hex')}`
}

/** A body delivered in several chunks, like an HTTP request. */
function body(data: Buffer, chunk = 7): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk)
    })(),
  )
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const c of stream) parts.push(c as Buffer)
  return Buffer.concat(parts)
}

/** Byte comparison without vitest's element-wise deep equality (very slow on MiB-sized buffers). */
function expectBytes(actual: Buffer, expected: Buffer): void {
  expect(actual.length).toBe(expected.length)
  expect(actual.equals(expected)).toBe(true)
}

/** A body that yields `good` and then fails (or is destroyed without an error, like a client disconnect). */
function failingBody(good: Buffer, how: 'error' | 'destroy'): Readable {
  let sent = false
  const r = new Readable({
    read() {
      if (!sent) {
        sent = true
        this.push(good)
        setTimeout(() => (how === 'error' ? this.destroy(new Error('client went away')) : this.destroy()), 5)
      }
    },
  })
  return r
}

let root: string
let store: FilesystemBlobStore
let stores: FilesystemBlobStore[] = []

/** A store closed after the test (it keeps directory handles open). */
function openStore(storeRoot: string): FilesystemBlobStore {
  const s = new FilesystemBlobStore({ root: storeRoot })
  stores.push(s)
  return s
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fs-blob-store-'))
  store = openStore(root)
  await store.init()
})

afterEach(async () => {
  await Promise.all(stores.map((s) => s.close()))
  stores = []
  await rm(root, { recursive: true, force: true })
})

const uploadFile = (id: string) => join(root, 'uploads', id)

// Range reads, missing blobs and delete are in the BlobStore contract (tests/contracts/blob-store.contract.ts).
describe('FilesystemBlobStore', () => {
  it('init creates the layout', async () => {
    expect((await readdir(root)).sort()).toEqual(['blobs', 'uploads'])
  })

  it('single append + commit makes the blob readable at its content-addressed path', async () => {
    const data = Buffer.from('hello, registry')
    const digest = sha256(data)
    const id = randomUUID()
    expect(await store.appendUpload(id, 0, body(data))).toBe(data.length)
    expect(await store.stat(digest)).toBeNull()
    await store.commitUpload(id, data.length, digest)

    const hex = digest.slice('sha256:'.length)
    expect(await readFile(join(root, 'blobs', 'sha256', hex.slice(0, 2), hex))).toEqual(data)
    expect(existsSync(uploadFile(id))).toBe(false)
    expect(await store.stat(digest)).toEqual({ size: data.length })
    expectBytes(await readAll(await store.read(digest)), data)
  })

  it('an upload has no file until its first append', async () => {
    const id = randomUUID()
    await store.appendUpload(id, 0, Readable.from([]))
    expect((await stat(uploadFile(id))).size).toBe(0)
    await store.abortUpload(id)
    expect(existsSync(uploadFile(id))).toBe(false)
    // only an append at offset 0 may begin an upload
    await expect(store.appendUpload(randomUUID(), 1, body(Buffer.from('x')))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('an empty blob can be committed', async () => {
    const id = randomUUID()
    await store.commitUpload(id, 0, sha256(Buffer.alloc(0)))
    expect(await store.stat(sha256(Buffer.alloc(0)))).toEqual({ size: 0 })
    expect(await readAll(await store.read(sha256(Buffer.alloc(0))))).toEqual(Buffer.alloc(0))
  })

  it('multi-chunk appends at the right offsets', async () => {
    const a = randomBytes(1000)
    const b = randomBytes(3 * 1024 * 1024 + 17) // crosses the internal write batch size
    const c = randomBytes(1)
    const id = randomUUID()
    expect(await store.appendUpload(id, 0, body(a, 100))).toBe(1000)
    expect(await store.appendUpload(id, 1000, body(b, 64 * 1024))).toBe(1000 + b.length)
    expect(await store.appendUpload(id, 1000 + b.length, body(c))).toBe(1001 + b.length)
    // an empty append is a no-op
    expect(await store.appendUpload(id, 1001 + b.length, Readable.from([]))).toBe(1001 + b.length)
    const digest = sha256(a, b, c)
    await store.commitUpload(id, 1001 + b.length, digest)
    expectBytes(await readAll(await store.read(digest)), Buffer.concat([a, b, c]))
  })

  it('a wrong digest throws DigestMismatchError and keeps the upload', async () => {
    const data = randomBytes(5000)
    const id = randomUUID()
    await store.appendUpload(id, 0, body(data, 999))
    const wrong = sha256(Buffer.from('something else'))
    const err = await store.commitUpload(id, data.length, wrong).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DigestMismatchError)
    expect(err).toMatchObject({ expected: wrong, actual: sha256(data) })
    expect(await store.stat(wrong)).toBeNull()
    expect((await stat(uploadFile(id))).size).toBe(data.length)

    // the upload can still be continued and committed
    const more = randomBytes(10)
    await store.appendUpload(id, data.length, body(more))
    await store.commitUpload(id, data.length + 10, sha256(data, more))
    expect(await store.stat(sha256(data, more))).toEqual({ size: data.length + 10 })
  })

  it('a size that does not match the stored bytes is rejected', async () => {
    const id = randomUUID()
    await store.appendUpload(id, 0, body(Buffer.from('abc')))
    await expect(store.commitUpload(id, 4, sha256(Buffer.from('abcd')))).rejects.toBeInstanceOf(UploadCorruptError)
    expect((await stat(uploadFile(id))).size).toBe(3)
  })

  it('committing a digest that already exists just removes the upload, leaving the stored blob alone', async () => {
    const data = randomBytes(2048)
    const digest = sha256(data)
    const hex = digest.slice('sha256:'.length)
    const blobFile = join(root, 'blobs', 'sha256', hex.slice(0, 2), hex)
    const inodes = new Set<number>()
    for (let i = 0; i < 2; i++) {
      const id = randomUUID()
      await store.appendUpload(id, 0, body(data, 500))
      await store.commitUpload(id, data.length, digest)
      expect(existsSync(uploadFile(id))).toBe(false)
      inodes.add((await stat(blobFile)).ino)
    }
    expect(inodes.size).toBe(1)
    expectBytes(await readAll(await store.read(digest)), data)
    expect(await readdir(join(root, 'uploads'))).toEqual([])
  })

  describe('putBlob (a whole blob in one body)', () => {
    it('writes, verifies and publishes in one pass, leaving no upload file', async () => {
      const data = randomBytes(5000)
      const id = randomUUID()
      expect(await store.putBlob(id, sha256(data), body(data, 999))).toBe(data.length)
      expect(existsSync(uploadFile(id))).toBe(false)
      expect(await store.stat(sha256(data))).toEqual({ size: data.length })
      expectBytes(await readAll(await store.read(sha256(data))), data)
      expect(await readdir(join(root, 'uploads'))).toEqual([])
    })

    it('sha512 and the empty blob', async () => {
      const data = randomBytes(70_000)
      expect(await store.putBlob(randomUUID(), sha512(data), body(data, 8192))).toBe(data.length)
      expectBytes(await readAll(await store.read(sha512(data))), data)
      expect(await store.putBlob(randomUUID(), sha256(Buffer.alloc(0)), Readable.from([]))).toBe(0)
      expect(await store.stat(sha256(Buffer.alloc(0)))).toEqual({ size: 0 })
    })

    it('a wrong digest throws DigestMismatchError and leaves nothing behind', async () => {
      const data = randomBytes(3000)
      const wrong = sha256(Buffer.from('something else'))
      const id = randomUUID()
      const err = await store.putBlob(id, wrong, body(data)).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(DigestMismatchError)
      expect(err).toMatchObject({ expected: wrong, actual: sha256(data) })
      expect(await store.stat(wrong)).toBeNull()
      expect(await store.stat(sha256(data))).toBeNull()
      expect(await readdir(join(root, 'uploads'))).toEqual([])
      // the upload is still empty: it can be retried, or continued with appends
      expect(await store.putBlob(id, sha256(data), body(data))).toBe(data.length)
    })

    it('maxBytes exceeded -> SizeLimitError, nothing stored, stream left to the caller', async () => {
      const id = randomUUID()
      const data = randomBytes(3 * 1024 * 1024)
      const tooBig = body(data, 64 * 1024)
      const err = await store.putBlob(id, sha256(data), tooBig, 1024 * 1024).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(SizeLimitError)
      expect(tooBig.destroyed).toBe(false)
      tooBig.destroy()
      expect(await readdir(join(root, 'uploads'))).toEqual([])
      expect(await store.stat(sha256(data))).toBeNull()
    })

    for (const how of ['error', 'destroy'] as const) {
      it(`a body that ${how === 'error' ? 'errors' : 'is destroyed'} halfway stores nothing`, async () => {
        const id = randomUUID()
        const half = randomBytes(1024 * 1024 + 100)
        await expect(store.putBlob(id, sha256(half), failingBody(half, how))).rejects.toThrow()
        expect(await readdir(join(root, 'uploads'))).toEqual([])
        expect(await store.stat(sha256(half))).toBeNull()
      })
    }

    it('replaces what a crashed attempt left in an upload that holds no bytes', async () => {
      const id = randomUUID()
      await store.appendUpload(id, 0, body(randomBytes(100)))
      await appendFile(uploadFile(id), randomBytes(50))
      const data = randomBytes(64)
      expect(await store.putBlob(id, sha256(data), body(data))).toBe(64)
      expectBytes(await readAll(await store.read(sha256(data))), data)
      expect(existsSync(uploadFile(id))).toBe(false)
    })

    it('publishes exactly the bytes it hashed, whatever another writer does to the upload meanwhile', async () => {
      const id = randomUUID()
      const data = randomBytes(3 * 1024 * 1024)
      const slow = new Readable({ read() {} })
      slow.push(data.subarray(0, 1024 * 1024))
      const putting = store.putBlob(id, sha256(data), slow)
      await sleep(20)
      // e.g. a PATCH of the same session on another replica
      await appendFile(uploadFile(id), randomBytes(4096))
      slow.push(data.subarray(1024 * 1024))
      slow.push(null)
      expect(await putting).toBe(data.length)
      expectBytes(await readAll(await store.read(sha256(data))), data)
    })

    it('a blob that already exists just removes the upload', async () => {
      const data = randomBytes(2048)
      await store.putBlob(randomUUID(), sha256(data), body(data))
      const id = randomUUID()
      expect(await store.putBlob(id, sha256(data), body(data))).toBe(2048)
      expect(existsSync(uploadFile(id))).toBe(false)
      expectBytes(await readAll(await store.read(sha256(data))), data)
    })
  })

  describe('storeBlob (a whole blob that belongs to no upload)', () => {
    it('writes, verifies and publishes, and leaves the bytes of every upload alone', async () => {
      const id = randomUUID()
      const partial = randomBytes(100)
      await store.appendUpload(id, 0, body(partial))
      const data = randomBytes(5000)
      expect(await store.storeBlob(sha256(data), body(data, 999))).toBe(data.length)
      expectBytes(await readAll(await store.read(sha256(data))), data)
      expect(await readdir(join(root, 'uploads'))).toEqual([id])
      expectBytes(await readFile(uploadFile(id)), partial)
      // and a blob that exists already is simply there again
      expect(await store.storeBlob(sha256(data), body(data))).toBe(data.length)
      expect(await readdir(join(root, 'uploads'))).toEqual([id])
    })

    it('a wrong digest, a body over maxBytes or one that fails halfway store nothing', async () => {
      const data = randomBytes(3 * 1024 * 1024)
      const wrong = sha256(Buffer.from('something else'))
      await expect(store.storeBlob(wrong, body(data, 64 * 1024))).rejects.toBeInstanceOf(DigestMismatchError)
      await expect(store.storeBlob(sha256(data), body(data, 64 * 1024), 1024 * 1024)).rejects.toBeInstanceOf(SizeLimitError)
      await expect(store.storeBlob(sha256(data), failingBody(data.subarray(0, 1024 * 1024 + 100), 'error'))).rejects.toThrow()
      expect(await store.stat(wrong)).toBeNull()
      expect(await store.stat(sha256(data))).toBeNull()
      expect(await readdir(join(root, 'uploads'))).toEqual([])
    })
  })

  it('sweepUploads removes upload bytes untouched since a time, and nothing newer', async () => {
    const old = randomUUID()
    const fresh = randomUUID()
    await store.appendUpload(old, 0, body(randomBytes(100)))
    await store.appendUpload(fresh, 0, body(randomBytes(100)))
    await writeFile(join(root, 'uploads', 'put.0123456789abcdef01234567'), randomBytes(10)) // an interrupted storeBlob
    const longAgo = new Date(Date.now() - 2 * 3600_000)
    await utimes(uploadFile(old), longAgo, longAgo)
    await utimes(join(root, 'uploads', 'put.0123456789abcdef01234567'), longAgo, longAgo)
    expect(await store.sweepUploads(new Date(Date.now() - 3600_000))).toBe(2)
    expect(await readdir(join(root, 'uploads'))).toEqual([fresh])
    // The swept upload starts over when appended to again (its hash state went with it).
    const data = randomBytes(64)
    expect(await store.appendUpload(old, 0, body(data))).toBe(64)
    await store.commitUpload(old, 64, sha256(data))
    expectBytes(await readAll(await store.read(sha256(data))), data)
  })

  it('recreates a blob directory removed behind its back', async () => {
    // Two blobs in the same fan-out directory (same first two hex digits of the digest).
    const first = randomBytes(32)
    const prefix = sha256(first).slice('sha256:'.length, 'sha256:'.length + 2)
    let second = randomBytes(32)
    while (sha256(second).slice('sha256:'.length, 'sha256:'.length + 2) !== prefix) second = randomBytes(32)
    await store.putBlob(randomUUID(), sha256(first), body(first))
    await rm(join(root, 'blobs', 'sha256', prefix), { recursive: true })
    await store.putBlob(randomUUID(), sha256(second), body(second))
    expectBytes(await readAll(await store.read(sha256(second))), second)
  })

  it('abortUpload removes the bytes and is idempotent; appending afterwards fails with ENOENT', async () => {
    const id = randomUUID()
    await store.appendUpload(id, 0, body(Buffer.from('abc')))
    await store.abortUpload(id)
    expect(existsSync(uploadFile(id))).toBe(false)
    await store.abortUpload(id)
    await store.abortUpload(randomUUID())
    await expect(store.appendUpload(id, 3, body(Buffer.from('d')))).rejects.toMatchObject({ code: 'ENOENT' })
    await expect(store.commitUpload(id, 3, sha256(Buffer.from('abc')))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('abortUpload does not wait for a running append and leaves nothing behind', async () => {
    const id = randomUUID()
    const slow = new Readable({ read() {} })
    slow.push(randomBytes(2 * 1024 * 1024))
    const appending = store.appendUpload(id, 0, slow)
    await sleep(20)
    await store.abortUpload(id) // resolves although the body is still open
    expect(existsSync(uploadFile(id))).toBe(false)
    slow.push(null)
    await appending // wrote into the orphaned file; the engine's index update then finds the session gone
    expect(existsSync(uploadFile(id))).toBe(false)
    await expect(store.appendUpload(id, 2 * 1024 * 1024, body(Buffer.from('x')))).rejects.toMatchObject({ code: 'ENOENT' })
    await expect(store.commitUpload(id, 2 * 1024 * 1024, sha256(Buffer.from('x')))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('a new instance (restart) continues an upload, rebuilding the hash from disk', async () => {
    const a = randomBytes(2 * 1024 * 1024 + 5)
    const b = randomBytes(4096)
    const id = randomUUID()
    await store.appendUpload(id, 0, body(a, 65536))

    const restarted = openStore(root)
    await restarted.init()
    expect(await restarted.appendUpload(id, a.length, body(b, 1000))).toBe(a.length + b.length)
    await restarted.commitUpload(id, a.length + b.length, sha256(a, b))
    expectBytes(await readAll(await store.read(sha256(a, b))), Buffer.concat([a, b]))
  })

  it('a new instance can commit an upload it never saw (hash rebuilt at commit)', async () => {
    const a = randomBytes(10_000)
    const id = randomUUID()
    await store.appendUpload(id, 0, body(a, 333))
    const other = openStore(root)
    await expect(other.commitUpload(id, a.length, sha256(Buffer.from('x')))).rejects.toBeInstanceOf(DigestMismatchError)
    await other.commitUpload(id, a.length, sha256(a))
    expect(await other.stat(sha256(a))).toEqual({ size: a.length })
  })

  it('does not trust its cached hash when another writer replaced the bytes meanwhile', async () => {
    const x = Buffer.alloc(4096, 'x')
    const y = Buffer.alloc(4096, 'y')
    const id = randomUUID()
    await store.appendUpload(id, 0, body(x, 512)) // cached: sha256(x), size 4096
    await sleep(25) // coarse filesystem timestamps
    // another replica, told that the session is at 0 (e.g. its first attempt lost its index update), rewrites it
    const replica = openStore(root)
    await replica.appendUpload(id, 0, body(y, 512))
    // same size as the cached state, different bytes: the store must notice and rehash
    await expect(store.commitUpload(id, 4096, sha256(x))).rejects.toBeInstanceOf(DigestMismatchError)
    await store.commitUpload(id, 4096, sha256(y))
    expectBytes(await readAll(await store.read(sha256(y))), y)
  })

  for (const how of ['error', 'destroy'] as const) {
    it(`an append whose body ${how === 'error' ? 'errors' : 'is destroyed'} halfway leaves the upload unchanged`, async () => {
      const a = randomBytes(3000)
      const id = randomUUID()
      await store.appendUpload(id, 0, body(a, 1000))

      const half = randomBytes(1024 * 1024 + 100) // big enough to have been written (not just batched)
      await expect(store.appendUpload(id, a.length, failingBody(half, how))).rejects.toThrow()
      expect((await stat(uploadFile(id))).size).toBe(a.length)

      const b = randomBytes(500)
      expect(await store.appendUpload(id, a.length, body(b, 100))).toBe(a.length + b.length)
      await store.commitUpload(id, a.length + b.length, sha256(a, b))
      expectBytes(await readAll(await store.read(sha256(a, b))), Buffer.concat([a, b]))
    })
  }

  it('a crashed leftover (file longer than the offset) is truncated before appending', async () => {
    const a = randomBytes(1000)
    const id = randomUUID()
    await store.appendUpload(id, 0, body(a, 100))
    await appendFile(uploadFile(id), randomBytes(777)) // half-written append of a crashed replica

    const restarted = openStore(root)
    const b = randomBytes(50)
    expect(await restarted.appendUpload(id, 1000, body(b))).toBe(1050)
    expect((await stat(uploadFile(id))).size).toBe(1050)
    await restarted.commitUpload(id, 1050, sha256(a, b))
    expectBytes(await readAll(await restarted.read(sha256(a, b))), Buffer.concat([a, b]))
  })

  it('the same instance also notices a leftover written behind its back', async () => {
    const a = randomBytes(1000)
    const id = randomUUID()
    await store.appendUpload(id, 0, body(a, 100))
    await appendFile(uploadFile(id), randomBytes(10))
    const b = randomBytes(20)
    expect(await store.appendUpload(id, 1000, body(b))).toBe(1020)
    await store.commitUpload(id, 1020, sha256(a, b))
  })

  it('a file shorter than the offset is reported as a corrupt session', async () => {
    const id = randomUUID()
    await store.appendUpload(id, 0, body(randomBytes(100)))
    await truncate(uploadFile(id), 40)
    const err = await store.appendUpload(id, 100, body(Buffer.from('z'))).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UploadCorruptError)
    expect((err as Error).message).toMatch(/corrupt/)
    expect((await stat(uploadFile(id))).size).toBe(40)
  })

  it('maxBytes exceeded -> SizeLimitError, size unchanged, stream left to the caller', async () => {
    const a = randomBytes(100)
    const id = randomUUID()
    await store.appendUpload(id, 0, body(a), 100)

    const tooBig = body(randomBytes(3 * 1024 * 1024), 64 * 1024)
    const err = await store.appendUpload(id, 100, tooBig, 2 * 1024 * 1024).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SizeLimitError)
    expect((err as SizeLimitError).limit).toBe(2 * 1024 * 1024)
    expect((await stat(uploadFile(id))).size).toBe(100)
    expect(tooBig.destroyed).toBe(false) // the engine may still answer 413 on the same connection
    tooBig.destroy()

    // exactly at the limit is fine
    const b = randomBytes(64)
    expect(await store.appendUpload(id, 100, body(b, 10), 64)).toBe(164)
    await store.commitUpload(id, 164, sha256(a, b))
  })

  it('rejects an offset that does not match the stored bytes after a restart when shorter', async () => {
    const id = randomUUID()
    await store.appendUpload(id, 0, body(Buffer.from('abc')))
    const restarted = openStore(root)
    await expect(restarted.appendUpload(id, 5, body(Buffer.from('x')))).rejects.toBeInstanceOf(UploadCorruptError)
  })

  it('sha512 commit', async () => {
    const a = randomBytes(70_000)
    const b = randomBytes(123)
    const id = randomUUID()
    await store.appendUpload(id, 0, body(a, 8192))
    await store.appendUpload(id, a.length, body(b))
    const digest = sha512(a, b)
    await expect(store.commitUpload(id, a.length + b.length, sha512(b))).rejects.toBeInstanceOf(DigestMismatchError)
    await store.commitUpload(id, a.length + b.length, digest)
    const hex = digest.slice('sha512:'.length)
    expect(existsSync(join(root, 'blobs', 'sha512', hex.slice(0, 2), hex))).toBe(true)
    expect(await store.stat(digest)).toEqual({ size: a.length + b.length })
    expectBytes(await readAll(await store.read(digest, { start: 1, end: 3 })), a.subarray(1, 4))
  })

  it('serialises concurrent appends to the same upload within a process', async () => {
    const id = randomUUID()
    const x = randomBytes(2 * 1024 * 1024)
    const y = randomBytes(2 * 1024 * 1024)
    // Both think the session is at 0 (a client retry racing the original request).
    const results = await Promise.allSettled([store.appendUpload(id, 0, body(x, 65536)), store.appendUpload(id, 0, body(y, 65536))])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled'])
    // The second one truncated the first one's bytes and wrote its own: the file is exactly y.
    await store.commitUpload(id, y.length, sha256(y))
    expectBytes(await readAll(await store.read(sha256(y))), y)
  })

  it('streams a 64 MiB append without buffering it', async () => {
    const total = 64 * 1024 * 1024
    const chunk = 64 * 1024
    const expected = createHash('sha256')
    let produced = 0
    // Chunks come from a ring of reused buffers (allocated before measuring), so the measurement is
    // not dominated by garbage the collector has not reclaimed yet. A store that held on to more
    // chunks than the ring has would see them overwritten, and the digest check below would fail.
    const ring = Array.from({ length: 128 }, () => Buffer.alloc(chunk))
    const source = Readable.from(
      (function* () {
        for (let i = 0; produced < total; i++) {
          const c = ring[i % ring.length]
          c.fill(i & 0xff)
          c.writeUInt32BE(i, 0)
          expected.update(c)
          produced += c.length
          yield c
        }
      })(),
    )
    const id = randomUUID()
    const before = process.memoryUsage().rss
    let peak = before
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
    try {
      expect(await store.appendUpload(id, 0, source)).toBe(total)
    } finally {
      clearInterval(timer)
    }
    const after = process.memoryUsage().rss
    peak = Math.max(peak, after)
    expect(after - before).toBeLessThan(32 * 1024 * 1024)
    expect(peak - before).toBeLessThan(32 * 1024 * 1024)
    const digest = `sha256:${expected.digest('hex')}`
    await store.commitUpload(id, total, digest)
    expect(await store.stat(digest)).toEqual({ size: total })
    // The commit may trust the in-memory hash, so check the bytes that actually reached the disk.
    const stored = createHash('sha256')
    for await (const c of await store.read(digest)) stored.update(c as Buffer)
    expect(`sha256:${stored.digest('hex')}`).toBe(digest)
  })

  describe('background flush of large bodies', () => {
    const MiB = 1024 * 1024
    /** The prototype of the FileHandle the store writes through, to watch its fdatasync calls. */
    async function fileHandlePrototype(): Promise<{ datasync(): Promise<void> }> {
      const probe = await open(join(root, 'probe'), 'w')
      await probe.close()
      return Object.getPrototypeOf(probe) as { datasync(): Promise<void> }
    }
    /** 24 MiB in 64 KiB chunks, counting what has been handed out. */
    function countedBody(data: Buffer): { stream: Readable; produced: () => number } {
      let produced = 0
      const stream = Readable.from(
        (function* () {
          for (let i = 0; i < data.length; i += 64 * 1024) {
            produced += 64 * 1024
            yield data.subarray(i, i + 64 * 1024)
          }
        })(),
      )
      return { stream, produced: () => produced }
    }

    afterEach(() => vi.restoreAllMocks())

    it('flushes the bytes to disk while the body still arrives, not all at publish', async () => {
      const data = randomBytes(24 * MiB)
      const { stream, produced } = countedBody(data)
      const seen: number[] = []
      const proto = await fileHandlePrototype()
      const original = proto.datasync
      vi.spyOn(proto, 'datasync').mockImplementation(function (this: unknown) {
        seen.push(produced())
        return original.call(this)
      })
      expect(await store.storeBlob(sha256(data), stream)).toBe(data.length)
      expect(seen.length).toBeGreaterThanOrEqual(2)
      expect(seen[0]).toBeLessThan(data.length)
      expectBytes(await readAll(await store.read(sha256(data))), data)
    })

    it('a background flush that fails (disk full) fails the write, which stores nothing and keeps an upload resumable', async () => {
      const data = randomBytes(24 * MiB)
      const proto = await fileHandlePrototype()
      vi.spyOn(proto, 'datasync').mockRejectedValue(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }))
      await expect(store.storeBlob(sha256(data), countedBody(data).stream)).rejects.toMatchObject({ code: 'ENOSPC' })
      expect(await store.stat(sha256(data))).toBeNull()
      expect(await readdir(join(root, 'uploads'))).toEqual([])

      const id = randomUUID()
      const head = randomBytes(100)
      await store.appendUpload(id, 0, body(head))
      await expect(store.appendUpload(id, head.length, countedBody(data).stream)).rejects.toMatchObject({ code: 'ENOSPC' })
      expect((await stat(uploadFile(id))).size).toBe(head.length)
      vi.restoreAllMocks()
      expect(await store.appendUpload(id, head.length, countedBody(data).stream)).toBe(head.length + data.length)
      await store.commitUpload(id, head.length + data.length, sha256(head, data))
      expect(await store.stat(sha256(head, data))).toEqual({ size: head.length + data.length })
    })
  })

  describe('rejects invalid digests and upload ids before touching the filesystem', () => {
    const badDigests = [
      'sha256:' + 'a'.repeat(63),
      'sha256:' + 'A'.repeat(64),
      'sha256:../../../../etc/passwd',
      'sha512:' + 'a'.repeat(64),
      'md5:' + 'a'.repeat(32),
      'sha256:' + 'a'.repeat(64) + '/x',
      '../sha256:' + 'a'.repeat(64),
      '',
    ]
    const badIds = ['', '../x', 'a/b', '..', 'a'.repeat(129), 'x y', 'a\0b', 'a.b']
    const good = sha256(Buffer.from('ok'))

    it('digests', async () => {
      const nowhere = join(root, 'does-not-exist')
      const s = openStore(nowhere)
      for (const d of badDigests) {
        await expect(s.stat(d), d).rejects.toBeInstanceOf(TypeError)
        await expect(s.read(d), d).rejects.toBeInstanceOf(TypeError)
        await expect(s.delete(d), d).rejects.toBeInstanceOf(TypeError)
        await expect(s.commitUpload(randomUUID(), 0, d), d).rejects.toBeInstanceOf(TypeError)
        await expect(s.putBlob(randomUUID(), d, body(Buffer.from('ok'))), d).rejects.toBeInstanceOf(TypeError)
      }
      expect(existsSync(nowhere)).toBe(false)
    })

    it('upload ids', async () => {
      const nowhere = join(root, 'does-not-exist')
      const s = openStore(nowhere)
      for (const id of badIds) {
        await expect(s.putBlob(id, good, body(Buffer.from('ok'))), id).rejects.toBeInstanceOf(TypeError)
        await expect(s.appendUpload(id, 0, body(Buffer.from('x'))), id).rejects.toBeInstanceOf(TypeError)
        await expect(s.commitUpload(id, 0, good), id).rejects.toBeInstanceOf(TypeError)
        await expect(s.abortUpload(id), id).rejects.toBeInstanceOf(TypeError)
      }
      expect(existsSync(nowhere)).toBe(false)
      // and the real store's uploads folder stays empty
      expect(await readdir(join(root, 'uploads'))).toEqual([])
    })

    it('offsets, sizes and ranges', async () => {
      const id = randomUUID()
      await expect(store.appendUpload(id, -1, body(Buffer.from('x')))).rejects.toBeInstanceOf(TypeError)
      await expect(store.appendUpload(id, 1.5, body(Buffer.from('x')))).rejects.toBeInstanceOf(TypeError)
      await expect(store.appendUpload(id, 0, body(Buffer.from('x')), -1)).rejects.toBeInstanceOf(TypeError)
      await expect(store.commitUpload(id, -1, good)).rejects.toBeInstanceOf(TypeError)
      await expect(store.putBlob(id, good, body(Buffer.from('ok')), -1)).rejects.toBeInstanceOf(TypeError)
      await expect(store.read(good, { start: -1, end: 2 })).rejects.toBeInstanceOf(RangeError)
      expect(existsSync(uploadFile(id))).toBe(false)
    })
  })

  it('a body yielding strings is refused without changing the upload', async () => {
    const id = randomUUID()
    await store.appendUpload(id, 0, body(Buffer.from('abc')))
    await expect(store.appendUpload(id, 3, Readable.from(['text'], { objectMode: true }))).rejects.toBeInstanceOf(TypeError)
    expect((await stat(uploadFile(id))).size).toBe(3)
  })

  it('works without init() for uploads (creates the folder lazily)', async () => {
    const fresh = join(root, 'fresh')
    const s = openStore(fresh)
    const id = randomUUID()
    await s.appendUpload(id, 0, body(Buffer.from('lazy')))
    await s.commitUpload(id, 4, sha256(Buffer.from('lazy')))
    expect(await s.stat(sha256(Buffer.from('lazy')))).toEqual({ size: 4 })
  })
})
