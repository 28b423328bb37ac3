// Pulling, checking and deleting blobs: GET/HEAD, ranges, DELETE (spec: Pull, Content Management).
import { beforeAll, describe, expect, it } from 'vitest'
import { expectApiVersion, expectBody, expectOciError, expectStatus } from '../support/assertions'
import { registryUnderTest } from '../support/context'
import { randomBlob, randomUuid, sha256 } from '../support/oci'

const reg = registryUnderTest()
const client = reg.client()

describe('GET and HEAD /v2/<name>/blobs/<digest>', () => {
  const repo = reg.repo('blobs')
  const blob = randomBlob(2048)
  const missing = sha256('missing ' + randomUuid())

  beforeAll(async () => {
    await client.pushBlob(repo, blob)
  })

  it('GET answers 200 with the exact bytes, Content-Length and Docker-Content-Digest', async () => {
    const r = await client.getBlob(repo, blob.digest)
    expectStatus(r, 200)
    expectBody(r, blob.content)
    expect(r.header('content-length'), r.describe()).toBe(String(blob.size))
    expect(r.header('docker-content-digest'), r.describe()).toBe(blob.digest)
    expectApiVersion(r)
  })

  it('HEAD answers 200 with Content-Length and Docker-Content-Digest and no body', async () => {
    const r = await client.headBlob(repo, blob.digest)
    expectStatus(r, 200)
    expect(r.header('content-length'), r.describe()).toBe(String(blob.size))
    expect(r.header('docker-content-digest'), r.describe()).toBe(blob.digest)
    expect(r.body.length).toBe(0)
  })

  it('GET of an unknown blob answers 404 BLOB_UNKNOWN', async () => {
    expectOciError(await client.getBlob(repo, missing), 404, 'BLOB_UNKNOWN')
  })

  it('HEAD of an unknown blob answers 404', async () => {
    const r = await client.headBlob(repo, missing)
    expectStatus(r, 404)
    expectApiVersion(r)
  })

  it('a blob is served only through repositories it was pushed to (404 BLOB_UNKNOWN elsewhere)', async () => {
    const other = reg.repo('blobs-other')
    await client.pushBlob(other, randomBlob(10)) // make the other repository exist
    expectOciError(await client.getBlob(other, blob.digest), 404, 'BLOB_UNKNOWN')
    expectStatus(await client.headBlob(other, blob.digest), 404)
  })

  it('a zero-length blob can be pushed, checked and pulled', async () => {
    const empty = { content: Buffer.alloc(0), digest: sha256(''), size: 0 }
    await client.pushBlob(repo, empty)
    const head = await client.headBlob(repo, empty.digest)
    expectStatus(head, 200)
    expect(head.header('content-length')).toBe('0')
    const get = await client.getBlob(repo, empty.digest)
    expectStatus(get, 200)
    expect(get.body.length).toBe(0)
    expect(get.header('docker-content-digest')).toBe(empty.digest)
  })

  it('a blob pushed twice (same digest) stays readable', async () => {
    await client.pushBlob(repo, blob)
    expectBody(await client.getBlob(repo, blob.digest), blob.content)
  })
})

describe('Range requests on blobs (RFC 9110)', () => {
  const repo = reg.repo('range')
  const blob = randomBlob(2048)
  const size = blob.size

  beforeAll(async () => {
    await client.pushBlob(repo, blob)
  })

  const cases: { range: string; start: number; end: number }[] = [
    { range: 'bytes=500-1499', start: 500, end: 1499 },
    { range: 'bytes=0-0', start: 0, end: 0 },
    { range: 'bytes=500-', start: 500, end: size - 1 },
    { range: 'bytes=-500', start: size - 500, end: size - 1 },
    { range: 'bytes=2000-5000', start: 2000, end: size - 1 }, // end past the blob is clamped
    { range: 'bytes=-5000', start: 0, end: size - 1 }, // suffix longer than the blob: the whole blob
  ]
  for (const c of cases) {
    it(`${c.range} answers 206 with Content-Range bytes ${c.start}-${c.end}/${size}`, async () => {
      const r = await client.getBlob(repo, blob.digest, { headers: { range: c.range } })
      expectStatus(r, 206)
      expect(r.header('content-range'), r.describe()).toMatch(new RegExp(`^bytes ${c.start}-${c.end}/(${size}|\\*)$`))
      expect(r.header('content-length'), r.describe()).toBe(String(c.end - c.start + 1))
      expectBody(r, blob.content.subarray(c.start, c.end + 1))
      expectApiVersion(r)
    })
  }

  // distribution 2.8 answers these with a Content-Length its empty body does not honour (a broken response)
  for (const range of ['bytes=5000-10000', `bytes=${size}-`, 'bytes=500-0']) {
    it.skipIf(reg.flavour === 'external')(`${range} is unsatisfiable: 416 with Content-Range bytes */${size}`, async () => {
      const r = await client.getBlob(repo, blob.digest, { headers: { range } })
      expectStatus(r, 416)
      expectApiVersion(r)
      const cr = r.header('content-range')
      if (cr !== null) expect(cr, r.describe()).toBe(`bytes */${size}`)
    })
  }

  it('a HEAD with Range does not send a body', async () => {
    const r = await client.headBlob(repo, blob.digest, { headers: { range: 'bytes=0-9' } })
    expectStatus(r, 200, 206)
    expect(r.body.length).toBe(0)
  })
})

describe('DELETE /v2/<name>/blobs/<digest>', () => {
  const repo = reg.repo('blobdel')

  it('answers 202, then the blob is gone (HEAD 404, GET 404 BLOB_UNKNOWN, DELETE again 404)', async () => {
    const blob = randomBlob(300)
    await client.pushBlob(repo, blob)
    const del = await client.delete(`/v2/${repo}/blobs/${blob.digest}`)
    expectStatus(del, 202)
    expectApiVersion(del)
    expectStatus(await client.headBlob(repo, blob.digest), 404)
    expectOciError(await client.getBlob(repo, blob.digest), 404, 'BLOB_UNKNOWN')
    expectOciError(await client.delete(`/v2/${repo}/blobs/${blob.digest}`), 404, 'BLOB_UNKNOWN')
  })

  it('DELETE of an unknown blob answers 404 BLOB_UNKNOWN', async () => {
    await client.pushBlob(repo, randomBlob(10))
    expectOciError(await client.delete(`/v2/${repo}/blobs/${sha256(randomUuid())}`), 404, 'BLOB_UNKNOWN')
  })

  it('deleting a blob from one repository leaves it in another', async () => {
    const other = reg.repo('blobdel-other')
    const blob = randomBlob(200)
    await client.pushBlob(repo, blob)
    await client.pushBlob(other, blob)
    expectStatus(await client.delete(`/v2/${repo}/blobs/${blob.digest}`), 202)
    expectStatus(await client.headBlob(repo, blob.digest), 404)
    expectBody(await client.getBlob(other, blob.digest), blob.content)
  })

  it('a deleted blob can be pushed again', async () => {
    const blob = randomBlob(128)
    await client.pushBlob(repo, blob)
    expectStatus(await client.delete(`/v2/${repo}/blobs/${blob.digest}`), 202)
    await client.pushBlob(repo, blob)
    expectBody(await client.getBlob(repo, blob.digest), blob.content)
  })
})
