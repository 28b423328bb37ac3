// Input validation: repository names, digests, unknown resources and routes, and the error body format.
import { beforeAll, describe, expect, it } from 'vitest'
import { expectApiVersion, expectOciError, expectStatus } from '../support/assertions'
import { registryUnderTest } from '../support/context'
import { MT, ociImage, randomBlob, randomUuid, sha256 } from '../support/oci'

const reg = registryUnderTest()
const client = reg.client()
const ours = reg.flavour === 'ours'

describe.skipIf(!ours)('invalid repository names answer NAME_INVALID', () => {
  const ns = reg.namespace
  const names = ['UPPER', `${ns}/UPPER`, 'a..b', `${ns}/a..b`, `${ns}/-leading`, `${ns}/trailing-`, `${ns}/_under`, `${ns}/a__b_`, `${ns}/has%20space`, `${ns}/a//b`]
  for (const name of names) {
    it(`${name.length > 60 ? name.slice(0, 40) + '…(' + name.length + ' chars)' : name}`, async () => {
      expectOciError(await client.get(`/v2/${name}/tags/list`), [400, 404], 'NAME_INVALID')
      expectOciError(await client.getManifest(name, 'latest'), [400, 404], 'NAME_INVALID')
      expectOciError(await client.getBlob(name, sha256('x')), [400, 404], 'NAME_INVALID')
      expectOciError(await client.startUpload(name), [400, 404], 'NAME_INVALID')
    })
  }

  it('PUT of a manifest under an invalid name stores nothing', async () => {
    const img = ociImage()
    const r = await client.putManifest('UPPER', 'latest', img.manifest)
    expectOciError(r, [400, 404], 'NAME_INVALID')
  })
})

describe('valid repository names', () => {
  const ns = reg.namespace

  it('names with separators the grammar allows are valid (., _, __, -, --, nested paths)', async () => {
    for (const name of [`${ns}/a.b`, `${ns}/a_b`, `${ns}/a__b`, `${ns}/a-b`, `${ns}/a--b`, `${ns}/x/y/z-${randomUuid().slice(0, 8)}`]) {
      const blob = randomBlob(8)
      await client.pushBlob(name, blob)
      expectStatus(await client.headBlob(name, blob.digest), 200)
    }
  })
})

describe('invalid digests', () => {
  const repo = reg.repo('err-digest')

  beforeAll(async () => {
    await client.pushBlob(repo, randomBlob(16))
  })

  it.skipIf(!ours)('GET/HEAD/DELETE blob with a malformed digest answer 400 DIGEST_INVALID', async () => {
    const bad = ['sha256:xyz', 'sha256:' + 'a'.repeat(63), 'sha256:' + 'A'.repeat(64), 'sha256' + 'a'.repeat(64), 'sha256:']
    for (const d of bad) {
      expectOciError(await client.getBlob(repo, d), 400, 'DIGEST_INVALID')
      const head = await client.headBlob(repo, d)
      expectStatus(head, 400)
      expectApiVersion(head)
      expectOciError(await client.delete(`/v2/${repo}/blobs/${d}`), 400, 'DIGEST_INVALID')
    }
  })

  it('an unsupported digest algorithm answers 400 (DIGEST_INVALID or UNSUPPORTED)', async () => {
    expectOciError(await client.getBlob(repo, 'md5:' + 'a'.repeat(32)), 400, ['DIGEST_INVALID', 'UNSUPPORTED'])
  })

  it('a well-formed digest that is not there answers 404 BLOB_UNKNOWN', async () => {
    expectOciError(await client.getBlob(repo, sha256(randomUuid())), 404, 'BLOB_UNKNOWN')
  })

  it.skipIf(!ours)('POST ?digest= with a malformed digest answers 400 DIGEST_INVALID', async () => {
    const r = await client.request('POST', `/v2/${repo}/blobs/uploads/?digest=sha256:nothex`, {
      headers: { 'content-type': MT.octetStream },
      body: Buffer.from('abc'),
    })
    expectOciError(r, 400, 'DIGEST_INVALID')
  })

  it('mount with a malformed digest answers 400 DIGEST_INVALID or falls back to a 202 session', async () => {
    const r = await client.startUpload(repo, { mount: 'sha256:nothex', from: repo })
    expectStatus(r, 400, 202)
    if (r.status === 400) expectOciError(r, 400, 'DIGEST_INVALID')
  })
})

describe('unknown routes and methods', () => {
  const repo = reg.repo('err-route')

  it.skipIf(!ours)('an unknown /v2 path answers 404 with the API version header and an OCI error body', async () => {
    const r = await client.get(`/v2/${repo}/not-an-endpoint`)
    expectStatus(r, 404)
    expectApiVersion(r)
    expectOciError(r, 404)
  })

  it('an unsupported method answers 405 (or 404) with the API version header', async () => {
    const r = await client.request('POST', `/v2/${repo}/manifests/latest`, { body: Buffer.from('{}') })
    expectStatus(r, 404, 405)
    expectApiVersion(r)
    const r2 = await client.request('PATCH', `/v2/${repo}/tags/list`)
    expectStatus(r2, 404, 405)
    expectApiVersion(r2)
  })
})

describe('error bodies', () => {
  const repo = reg.repo('err-body')

  it('use {"errors":[{"code","message","detail"?}]} with codes from the spec', async () => {
    await client.pushBlob(repo, randomBlob(4))
    const samples = [
      await client.getBlob(repo, sha256(randomUuid())),
      await client.getManifest(repo, 'nope'),
      await client.tags(reg.repo('nothing-here')),
      await client.putManifest(repo, 'x', { ...ociImage().manifest, content: Buffer.from('blablabla') }),
    ]
    for (const r of samples) {
      expect(r.status, r.describe()).toBeGreaterThanOrEqual(400)
      expectOciError(r, r.status)
      expect(r.header('content-type') ?? '', r.describe()).toMatch(/json/)
    }
  })
})
