// The S3 blob store against a real S3: the BlobStore contract, and what only S3 has (multipart
// uploads across processes, their abort and expiry, presigned URLs), on one Ceph cluster per file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3'
import { DigestMismatchError } from '../../registry-core/src/ports'
import { S3BlobStore } from '../../registry-core/src/storage/s3-blob-store'
import { describeBlobStoreContract } from '../contracts/blob-store.contract'
import { startCephS3, type CephS3 } from '../support/ceph'

const MiB = 1024 * 1024
const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`

let ceph: CephS3
let bucket: string

beforeAll(async () => {
  ceph = await startCephS3()
  bucket = await ceph.createBucket()
}, 300_000)

afterAll(async () => {
  await ceph?.stop()
}, 60_000)

/** A store on the shared bucket, under a prefix of its own (so that sweeps see only its uploads). */
function openStore(prefix = `t-${randomUUID()}/`, options: { redirect?: boolean } = {}): S3BlobStore {
  return new S3BlobStore({
    endpoint: ceph.endpoint,
    region: ceph.region,
    bucket,
    credentials: { accessKeyId: ceph.accessKeyId, secretAccessKey: ceph.secretAccessKey },
    forcePathStyle: true,
    prefix,
    partBytes: 5 * MiB,
    ...options,
  })
}

describeBlobStoreContract('S3BlobStore on Ceph', async () => {
  const store = openStore()
  return { store, cleanup: () => store.close() }
})

/** A body in chunks of `chunk` bytes, like an HTTP request. */
function body(data: Buffer, chunk = 64 * 1024): Readable {
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

async function multipartUploads(prefix: string): Promise<string[]> {
  const client = ceph.client()
  try {
    const res = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }))
    return (res.Uploads ?? []).map((u) => u.Key!)
  } finally {
    client.destroy()
  }
}

async function objects(prefix: string): Promise<string[]> {
  const client = ceph.client()
  try {
    const res = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))
    return (res.Contents ?? []).map((o) => o.Key!)
  } finally {
    client.destroy()
  }
}

describe('S3BlobStore: multipart uploads', () => {
  it('a chunked upload of small and large chunks continues on another process (no shared memory) and commits', async () => {
    const prefix = `t-${randomUUID()}/`
    const [a, b] = [openStore(prefix), openStore(prefix)]
    const data = randomBytes(13 * MiB + 12345)
    const id = randomUUID()
    const cuts = [0, 100, 3 * MiB, 9 * MiB, 9 * MiB + 7, data.length]
    for (let i = 0; i + 1 < cuts.length; i++) {
      const store = i % 2 === 0 ? a : b
      expect(await store.appendUpload(id, cuts[i], body(data.subarray(cuts[i], cuts[i + 1])))).toBe(cuts[i + 1])
    }
    expect(await multipartUploads(prefix)).toEqual([`${prefix}uploads/${id}/data`])
    // Committed by a process that saw only part of the bytes: it hashes them by reading them back.
    await b.commitUpload(id, data.length, sha256(data))
    expect((await readAll(await a.read(sha256(data)))).equals(data)).toBe(true)
    expect(await multipartUploads(prefix)).toEqual([])
    expect(await objects(`${prefix}uploads/`)).toEqual([])
    await Promise.all([a.close(), b.close()])
  })

  it('a commit whose digest does not match keeps the upload, which can still be appended to and committed', async () => {
    const prefix = `t-${randomUUID()}/`
    const store = openStore(prefix)
    const data = randomBytes(11 * MiB)
    const id = randomUUID()
    expect(await store.appendUpload(id, 0, body(data.subarray(0, 6 * MiB)))).toBe(6 * MiB)
    // Another process does not have the hash state, so it completes the multipart upload to read it back.
    const other = openStore(prefix)
    await expect(other.commitUpload(id, 6 * MiB, sha256(Buffer.from('wrong')))).rejects.toEqual(
      new DigestMismatchError(sha256(Buffer.from('wrong')), sha256(data.subarray(0, 6 * MiB))),
    )
    expect(await store.appendUpload(id, 6 * MiB, body(data.subarray(6 * MiB)))).toBe(data.length)
    await store.commitUpload(id, data.length, sha256(data))
    expect((await readAll(await store.read(sha256(data), { start: 6 * MiB - 3, end: 6 * MiB + 2 }))).equals(data.subarray(6 * MiB - 3, 6 * MiB + 3))).toBe(true)
    await Promise.all([store.close(), other.close()])
  })

  it('aborted and expired uploads leave no multipart upload and no object behind', async () => {
    const prefix = `t-${randomUUID()}/`
    const store = openStore(prefix)
    const [aborted, expired, live] = [randomUUID(), randomUUID(), randomUUID()]
    for (const id of [aborted, expired]) await store.appendUpload(id, 0, body(randomBytes(6 * MiB)))
    expect((await multipartUploads(prefix)).length).toBe(2)
    await store.abortUpload(aborted)
    expect(await multipartUploads(prefix)).toEqual([`${prefix}uploads/${expired}/data`])
    const cutoff = new Date(Date.now() + 1000)
    // S3 keeps modification times in whole seconds.
    await new Promise((r) => setTimeout(r, 2100))
    await store.appendUpload(live, 0, body(randomBytes(6 * MiB)))
    expect(await store.sweepUploads(cutoff)).toBeGreaterThanOrEqual(1)
    expect(await multipartUploads(prefix)).toEqual([`${prefix}uploads/${live}/data`])
    expect((await objects(`${prefix}uploads/`)).every((key) => key.startsWith(`${prefix}uploads/${live}/`))).toBe(true)
    await store.abortUpload(live)
    expect(await multipartUploads(prefix)).toEqual([])
    expect(await objects(`${prefix}uploads/`)).toEqual([])
    await store.close()
  })

  it('storeBlob streams a large blob through a multipart upload and refuses a wrong digest without a trace', async () => {
    const prefix = `t-${randomUUID()}/`
    const store = openStore(prefix)
    const data = randomBytes(12 * MiB)
    await expect(store.storeBlob(sha256(Buffer.from('other')), body(data))).rejects.toMatchObject({ actual: sha256(data) })
    expect(await multipartUploads(prefix)).toEqual([])
    expect(await store.storeBlob(sha256(data), body(data))).toBe(data.length)
    expect(await store.stat(sha256(data))).toEqual({ size: data.length })
    expect((await readAll(await store.read(sha256(data)))).equals(data)).toBe(true)
    await store.close()
  })
})

/** Records each S3 request the store sends (command and headers, as signed), from now on. */
function recordRequests(store: S3BlobStore): { command: string; headers: Record<string, string> }[] {
  const seen: { command: string; headers: Record<string, string> }[] = []
  store.client.middlewareStack.add(
    (next, context) => async (args) => {
      seen.push({ command: String(context.commandName).replace(/Command$/, ''), headers: { ...(args.request as { headers: Record<string, string> }).headers } })
      return next(args)
    },
    { step: 'deserialize', name: 'recordRequests' },
  )
  return seen
}

describe('S3BlobStore: S3 requests per operation', () => {
  it('a blob under the part size is one PutObject; larger ones go in parts, unsigned and without Expect: 100-continue', async () => {
    const store = openStore()
    const seen = recordRequests(store)
    const small = randomBytes(4096)
    await store.storeBlob(sha256(small), body(small))
    expect(seen.map((r) => r.command)).toEqual(['PutObject'])
    seen.length = 0
    const large = randomBytes(6 * MiB)
    await store.storeBlob(sha256(large), body(large))
    expect(seen.map((r) => r.command)).toEqual(['CreateMultipartUpload', 'UploadPart', 'UploadPart', 'CompleteMultipartUpload'])
    for (const part of seen.filter((r) => r.command === 'UploadPart')) {
      // Our digest already covers the bytes: the SDK neither hashes them again for the signature nor
      // waits for a 100 Continue (which also cost it a fresh connection per part).
      expect(part.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD')
      expect(part.headers.expect ?? part.headers.Expect).toBeUndefined()
    }
    expect((await readAll(await store.read(sha256(large)))).equals(large)).toBe(true)
    await store.close()
  })

  it('committing a chunked upload reads its state, copies and deletes what the state records: no HEAD, no listing', async () => {
    const prefix = `t-${randomUUID()}/`
    const store = openStore(prefix)
    const data = randomBytes(256 * 1024)
    const id = randomUUID()
    await store.appendUpload(id, 0, body(data))
    const seen = recordRequests(store)
    await store.commitUpload(id, data.length, sha256(data))
    expect(seen.map((r) => r.command).sort()).toEqual(['CopyObject', 'DeleteObject', 'DeleteObject', 'GetObject'])
    expect((await readAll(await store.read(sha256(data)))).equals(data)).toBe(true)
    expect(await objects(`${prefix}uploads/`)).toEqual([])
    // The same bytes committed again through another upload: the blob stays as it was.
    const again = randomUUID()
    await store.appendUpload(again, 0, body(data))
    await store.commitUpload(again, data.length, sha256(data))
    expect((await readAll(await store.read(sha256(data)))).equals(data)).toBe(true)
    expect(await objects(`${prefix}uploads/`)).toEqual([])
    await store.close()
  })

  it('an abort still finds what no state recorded (listing the upload), so nothing is left', async () => {
    const prefix = `t-${randomUUID()}/`
    const store = openStore(prefix)
    const id = randomUUID()
    await store.appendUpload(id, 0, body(randomBytes(6 * MiB)))
    // What an append that failed before writing its state leaves: an object the state does not name.
    await store.client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}uploads/${id}/tail.999`, Body: Buffer.from('stray') }))
    await store.abortUpload(id)
    expect(await multipartUploads(prefix)).toEqual([])
    expect(await objects(`${prefix}uploads/`)).toEqual([])
    await store.close()
  })
})

describe('S3BlobStore: redirects', () => {
  it('presigns a GET of the blob when redirects are on, with Range honoured by the gateway; none when off', async () => {
    const prefix = `t-${randomUUID()}/`
    const store = openStore(prefix, { redirect: true })
    const data = Buffer.from(`presigned ${randomUUID()}`)
    await store.storeBlob(sha256(data), body(data))
    const url = await store.redirectUrl(sha256(data))
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//)
    const whole = await fetch(url!)
    expect(whole.status).toBe(200)
    expect(Buffer.from(await whole.arrayBuffer()).equals(data)).toBe(true)
    const ranged = await fetch(url!, { headers: { Range: 'bytes=2-5' } })
    expect(ranged.status).toBe(206)
    expect(await ranged.text()).toBe(data.subarray(2, 6).toString())
    const plain = openStore(prefix)
    expect(await plain.redirectUrl(sha256(data))).toBeNull()
    await Promise.all([store.close(), plain.close()])
  })
})
