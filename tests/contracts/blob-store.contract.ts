// The BlobStore contract (registry-core/src/ports.ts) as one suite, run against every implementation
// (tests/unit/contracts/blob-stores.test.ts). Implementation details (files, fsync, restarts) stay in
// each implementation's own tests. Not a test file itself.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { DigestMismatchError, SizeLimitError, UploadCorruptError, type BlobStore } from '../../registry-core/src/ports'

export interface BlobStoreFixture {
  store: BlobStore
  cleanup?: () => Promise<void>
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`
const sha512 = (data: Buffer) => `sha512:${createHash('sha512').update(data).digest('hex')}`

/** A body delivered in several chunks, like an HTTP request. */
function body(data: Buffer, chunk = 7): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk)
    })(),
  )
}

/** A body that yields `good` and then fails, like a client that went away. */
function failingBody(good: Buffer): Readable {
  let sent = false
  return new Readable({
    read() {
      if (sent) return
      sent = true
      this.push(good)
      setTimeout(() => this.destroy(new Error('client went away')), 5)
    },
  })
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const c of stream) parts.push(c as Buffer)
  return Buffer.concat(parts)
}

export function describeBlobStoreContract(name: string, open: () => Promise<BlobStoreFixture>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let fixture: BlobStoreFixture
    let store: BlobStore
    beforeEach(async () => {
      fixture = await open()
      store = fixture.store
    })
    afterEach(async () => {
      await fixture.cleanup?.()
    })

    const blobOf = async (data: Buffer) => (await readAll(await store.read(sha256(data)))).toString()

    describe('committed blobs', () => {
      it('stat, read and delete; a missing blob has no stat, cannot be read, and deletes as a no-op', async () => {
        const data = Buffer.from(`blob ${randomUUID()}`)
        const digest = sha256(data)
        expect(await store.stat(digest)).toBeNull()
        await expect(store.read(digest)).rejects.toMatchObject({ code: 'ENOENT' })
        await expect(store.delete(digest)).resolves.toBeUndefined()
        expect(await store.storeBlob(digest, body(data))).toBe(data.length)
        expect(await store.stat(digest)).toEqual({ size: data.length })
        expect(await blobOf(data)).toBe(data.toString())
        await store.delete(digest)
        expect(await store.stat(digest)).toBeNull()
        await expect(store.read(digest)).rejects.toMatchObject({ code: 'ENOENT' })
      })

      it('reads inclusive byte ranges and refuses inverted or out-of-bounds ones', async () => {
        const data = Buffer.from('0123456789abcdefghij')
        const digest = sha256(data)
        await store.storeBlob(digest, body(data))
        expect((await readAll(await store.read(digest, { start: 3, end: 7 }))).toString()).toBe('34567')
        expect((await readAll(await store.read(digest, { start: 0, end: 0 }))).toString()).toBe('0')
        expect((await readAll(await store.read(digest, { start: 10, end: 19 }))).toString()).toBe('abcdefghij')
        await expect(store.read(digest, { start: 5, end: 4 })).rejects.toBeInstanceOf(RangeError)
        await expect(store.read(digest, { start: 0, end: data.length })).rejects.toBeInstanceOf(RangeError)
        await expect(store.read(sha256(Buffer.from('absent')), { start: 0, end: 1 })).rejects.toMatchObject({ code: 'ENOENT' })
      })
    })

    describe('chunked uploads (appendUpload + commitUpload)', () => {
      it('appends chunks at their offsets and commits them as the blob; the upload is then gone', async () => {
        const data = randomBytes(1000)
        const id = randomUUID()
        expect(await store.appendUpload(id, 0, body(data.subarray(0, 300)))).toBe(300)
        expect(await store.appendUpload(id, 300, body(data.subarray(300)))).toBe(1000)
        expect(await store.stat(sha256(data))).toBeNull()
        await store.commitUpload(id, 1000, sha256(data))
        expect(await store.stat(sha256(data))).toEqual({ size: 1000 })
        expect((await readAll(await store.read(sha256(data)))).equals(data)).toBe(true)
        await expect(store.appendUpload(id, 1000, body(Buffer.from('x')))).rejects.toMatchObject({ code: 'ENOENT' })
      })

      it('an upload that never received a byte commits as the empty blob', async () => {
        const empty = Buffer.alloc(0)
        await store.commitUpload(randomUUID(), 0, sha256(empty))
        expect(await store.stat(sha256(empty))).toEqual({ size: 0 })
        expect((await readAll(await store.read(sha256(empty)))).length).toBe(0)
      })

      it('commits sha512 digests', async () => {
        const data = Buffer.from(`sha512 ${randomUUID()}`)
        const id = randomUUID()
        await store.appendUpload(id, 0, body(data))
        await store.commitUpload(id, data.length, sha512(data))
        expect(await store.stat(sha512(data))).toEqual({ size: data.length })
      })

      it('a wrong digest rejects with DigestMismatchError and keeps the upload, which can still commit', async () => {
        const data = Buffer.from(`mismatch ${randomUUID()}`)
        const wrong = sha256(Buffer.from('something else'))
        const id = randomUUID()
        await store.appendUpload(id, 0, body(data))
        const err = await store.commitUpload(id, data.length, wrong).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(DigestMismatchError)
        expect(err).toMatchObject({ expected: wrong, actual: sha256(data) })
        expect(await store.stat(wrong)).toBeNull()
        await store.commitUpload(id, data.length, sha256(data))
        expect(await blobOf(data)).toBe(data.toString())
      })

      it('commits only the first `size` bytes', async () => {
        const data = Buffer.from('abcdef')
        const id = randomUUID()
        await store.appendUpload(id, 0, body(data))
        await store.commitUpload(id, 3, sha256(Buffer.from('abc')))
        expect(await blobOf(Buffer.from('abc'))).toBe('abc')
      })

      it('a size beyond the stored bytes rejects with UploadCorruptError and keeps the upload', async () => {
        const id = randomUUID()
        await store.appendUpload(id, 0, body(Buffer.from('abc')))
        await expect(store.commitUpload(id, 4, sha256(Buffer.from('abcd')))).rejects.toBeInstanceOf(UploadCorruptError)
        await expect(store.appendUpload(id, 5, body(Buffer.from('x')))).rejects.toBeInstanceOf(UploadCorruptError)
        expect(await store.appendUpload(id, 3, body(Buffer.from('d')))).toBe(4)
        await store.commitUpload(id, 4, sha256(Buffer.from('abcd')))
        expect(await blobOf(Buffer.from('abcd'))).toBe('abcd')
      })

      it('committing a digest that exists already keeps the stored blob and finishes the upload', async () => {
        const data = Buffer.from(`twice ${randomUUID()}`)
        await store.storeBlob(sha256(data), body(data))
        const id = randomUUID()
        await store.appendUpload(id, 0, body(data))
        await store.commitUpload(id, data.length, sha256(data))
        expect(await blobOf(data)).toBe(data.toString())
        await expect(store.appendUpload(id, data.length, body(Buffer.from('x')))).rejects.toMatchObject({ code: 'ENOENT' })
      })

      it('an append past maxBytes rejects with SizeLimitError and leaves the upload as it was', async () => {
        const id = randomUUID()
        await store.appendUpload(id, 0, body(Buffer.from('abc')))
        const err = await store.appendUpload(id, 3, body(Buffer.alloc(100, 1)), 10).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(SizeLimitError)
        expect(err).toMatchObject({ limit: 10 })
        expect(await store.appendUpload(id, 3, body(Buffer.from('def')), 3)).toBe(6)
        await store.commitUpload(id, 6, sha256(Buffer.from('abcdef')))
      })

      it('an append whose body fails halfway leaves the upload as it was', async () => {
        const id = randomUUID()
        await store.appendUpload(id, 0, body(Buffer.from('abc')))
        await expect(store.appendUpload(id, 3, failingBody(Buffer.from('garbage')))).rejects.toThrow('client went away')
        expect(await store.appendUpload(id, 3, body(Buffer.from('def')))).toBe(6)
        await store.commitUpload(id, 6, sha256(Buffer.from('abcdef')))
        expect(await blobOf(Buffer.from('abcdef'))).toBe('abcdef')
      })

      it('an append at an offset other than 0 to an upload that does not exist rejects with ENOENT', async () => {
        await expect(store.appendUpload(randomUUID(), 3, body(Buffer.from('abc')))).rejects.toMatchObject({ code: 'ENOENT' })
        await expect(store.commitUpload(randomUUID(), 3, sha256(Buffer.from('abc')))).rejects.toMatchObject({ code: 'ENOENT' })
      })

      it('concurrent appends to one upload are serialised: the second sees the first one’s size', async () => {
        const id = randomUUID()
        const first = store.appendUpload(id, 0, body(Buffer.from('abc')))
        const second = store.appendUpload(id, 3, body(Buffer.from('def')))
        expect(await Promise.all([first, second])).toEqual([3, 6])
        await store.commitUpload(id, 6, sha256(Buffer.from('abcdef')))
      })
    })

    describe('whole blobs (putBlob, storeBlob)', () => {
      it('putBlob stores, verifies and finishes the upload in one pass', async () => {
        const data = Buffer.from(`whole ${randomUUID()}`)
        const id = randomUUID()
        expect(await store.putBlob(id, sha256(data), body(data))).toBe(data.length)
        expect(await blobOf(data)).toBe(data.toString())
        await expect(store.appendUpload(id, 1, body(Buffer.from('x')))).rejects.toMatchObject({ code: 'ENOENT' })
      })

      it('putBlob stores the empty blob and sha512 digests', async () => {
        const empty = Buffer.alloc(0)
        expect(await store.putBlob(randomUUID(), sha256(empty), body(empty))).toBe(0)
        expect(await store.stat(sha256(empty))).toEqual({ size: 0 })
        const data = Buffer.from(`sha512 whole ${randomUUID()}`)
        expect(await store.putBlob(randomUUID(), sha512(data), body(data))).toBe(data.length)
        expect(await store.stat(sha512(data))).toEqual({ size: data.length })
      })

      for (const method of ['putBlob', 'storeBlob'] as const) {
        const write = (store: BlobStore, digest: string, data: Readable, maxBytes?: number) =>
          method === 'putBlob' ? store.putBlob(randomUUID(), digest, data, maxBytes) : store.storeBlob(digest, data, maxBytes)

        it(`${method}: a wrong digest, a body over maxBytes or one that fails halfway store nothing`, async () => {
          const data = Buffer.from(`refused ${randomUUID()}`)
          const wrong = sha256(Buffer.from('other'))
          await expect(write(store, wrong, body(data))).rejects.toBeInstanceOf(DigestMismatchError)
          await expect(write(store, sha256(data), body(data), 4)).rejects.toBeInstanceOf(SizeLimitError)
          await expect(write(store, sha256(data), failingBody(data.subarray(0, 3)))).rejects.toThrow('client went away')
          expect(await store.stat(wrong)).toBeNull()
          expect(await store.stat(sha256(data))).toBeNull()
          expect(await write(store, sha256(data), body(data), data.length)).toBe(data.length)
        })

        it(`${method}: a blob that exists already stays readable`, async () => {
          const data = Buffer.from(`again ${randomUUID()}`)
          await write(store, sha256(data), body(data))
          await write(store, sha256(data), body(data))
          expect(await blobOf(data)).toBe(data.toString())
        })
      }

      describe('storeBlobVerifiedByCaller (optional: the caller hashed the bytes)', () => {
        /** A verdict the test settles by hand, as the proxy's pump does once the body has ended. */
        const verdict = () => {
          let accept = () => {}
          let refuse: (reason: unknown) => void = () => {}
          const promise = new Promise<void>((resolve, reject) => {
            accept = resolve
            refuse = reject
          })
          return { promise, accept, refuse }
        }
        const trusted = (ctx: { skip: (note?: string) => never }) => store.storeBlobVerifiedByCaller?.bind(store) ?? ctx.skip('this store has no storeBlobVerifiedByCaller')

        it('stores the bytes once the verdict accepts them, not before', async (ctx) => {
          const storeVerified = trusted(ctx)
          const data = Buffer.from(`verified ${randomUUID()}`)
          const v = verdict()
          let settled = false
          const storing = storeVerified(sha256(data), body(data), v.promise).finally(() => (settled = true))
          await new Promise((resolve) => setTimeout(resolve, 50)) // the body has long ended
          expect(settled).toBe(false)
          expect(await store.stat(sha256(data))).toBeNull()
          v.accept()
          expect(await storing).toBe(data.length)
          expect(await blobOf(data)).toBe(data.toString())
        })

        it('a refused verdict (bytes that are not the digest) stores nothing, even after the body ended whole', async (ctx) => {
          const storeVerified = trusted(ctx)
          const data = Buffer.from(`not what the digest says ${randomUUID()}`)
          const claimed = sha256(Buffer.from(`the real blob ${randomUUID()}`))
          const v = verdict()
          const refusal = new DigestMismatchError(claimed, sha256(data))
          const storing = storeVerified(claimed, body(data), v.promise)
          // Refused while the body is still being written, and after it ended.
          v.refuse(refusal)
          await expect(storing).rejects.toBe(refusal)
          const late = verdict()
          const lateStoring = storeVerified(claimed, body(data), late.promise)
          await new Promise((resolve) => setTimeout(resolve, 50))
          late.refuse(refusal)
          await expect(lateStoring).rejects.toBe(refusal)
          expect(await store.stat(claimed)).toBeNull()
          await expect(store.read(claimed)).rejects.toMatchObject({ code: 'ENOENT' })
          expect(await store.sweepUploads(new Date(Date.now() + 60_000))).toBe(0) // no bytes left behind either
        })

        it('a body over maxBytes or one that fails halfway stores nothing, whatever the verdict', async (ctx) => {
          const storeVerified = trusted(ctx)
          const data = Buffer.from(`refused ${randomUUID()}`)
          const accepted = Promise.resolve()
          await expect(storeVerified(sha256(data), body(data), accepted, 4)).rejects.toBeInstanceOf(SizeLimitError)
          await expect(storeVerified(sha256(data), failingBody(data.subarray(0, 3)), accepted)).rejects.toThrow('client went away')
          expect(await store.stat(sha256(data))).toBeNull()
          expect(await storeVerified(sha256(data), body(data), accepted, data.length)).toBe(data.length)
        })
      })

      it('putBlob with a wrong digest keeps the bytes the upload already had', async () => {
        const id = randomUUID()
        await store.appendUpload(id, 0, body(Buffer.from('abc')))
        await expect(store.putBlob(id, sha256(Buffer.from('zzz')), body(Buffer.from('xyz')))).rejects.toBeInstanceOf(DigestMismatchError)
        await store.commitUpload(id, 3, sha256(Buffer.from('abc')))
        expect(await blobOf(Buffer.from('abc'))).toBe('abc')
      })

      it('storeBlob leaves the bytes of every upload alone', async () => {
        const id = randomUUID()
        await store.appendUpload(id, 0, body(Buffer.from('abc')))
        const data = Buffer.from(`monolithic ${randomUUID()}`)
        await store.storeBlob(sha256(data), body(data))
        expect(await store.appendUpload(id, 3, body(Buffer.from('def')))).toBe(6)
        await store.commitUpload(id, 6, sha256(Buffer.from('abcdef')))
      })
    })

    describe('abort and sweep', () => {
      it('abortUpload discards the bytes and is idempotent', async () => {
        const id = randomUUID()
        await store.appendUpload(id, 0, body(Buffer.from('abc')))
        await store.abortUpload(id)
        await store.abortUpload(id)
        await store.abortUpload(randomUUID())
        await expect(store.appendUpload(id, 3, body(Buffer.from('d')))).rejects.toMatchObject({ code: 'ENOENT' })
        await expect(store.commitUpload(id, 3, sha256(Buffer.from('abc')))).rejects.toMatchObject({ code: 'ENOENT' })
      })

      it('sweepUploads discards uploads untouched since a time, and nothing newer or committed', async () => {
        const kept = Buffer.from(`kept ${randomUUID()}`)
        await store.storeBlob(sha256(kept), body(kept))
        const id = randomUUID()
        await store.appendUpload(id, 0, body(Buffer.from('abc')))
        expect(await store.sweepUploads(new Date(Date.now() - 60_000))).toBe(0)
        expect(await store.appendUpload(id, 3, body(Buffer.from('d')))).toBe(4)
        expect(await store.sweepUploads(new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1)
        await expect(store.appendUpload(id, 4, body(Buffer.from('e')))).rejects.toMatchObject({ code: 'ENOENT' })
        expect(await store.stat(sha256(kept))).toEqual({ size: kept.length })
      })
    })
  })
}
