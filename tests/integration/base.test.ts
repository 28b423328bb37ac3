// API version check, authentication challenges, and the headers/body format every response shares.
import { describe, expect, it } from 'vitest'
import { expectApiVersion, expectChallenge, expectOciError, expectStatus } from '../support/assertions'
import { registryUnderTest } from '../support/context'
import { EMPTY_JSON_BLOB, MT, ociImage, randomBlob, randomUuid, sha256, withDigest } from '../support/oci'

const reg = registryUnderTest()
const client = reg.client()
const anon = reg.anonymous()
const wrong = { user: reg.user || 'nobody', password: 'definitely-wrong-password' }

describe('GET /v2/ (API version check)', () => {
  it('answers 200 with Docker-Distribution-Api-Version: registry/2.0 for a valid client', async () => {
    const r = await client.get('/v2/')
    expectStatus(r, 200)
    expectApiVersion(r)
  })

  it('answers 200 or 401 (+ WWW-Authenticate) without credentials', async () => {
    const r = await anon.get('/v2/')
    expectStatus(r, 200, 401)
    expectApiVersion(r)
    if (r.status === 401) {
      expectChallenge(r)
      expectOciError(r, 401, 'UNAUTHORIZED')
    }
  })

  it.skipIf(!reg.authEnabled)('answers 401 UNAUTHORIZED with WWW-Authenticate for wrong credentials', async () => {
    const r = await client.get('/v2/', { credentials: wrong })
    expectOciError(r, 401, 'UNAUTHORIZED')
    expectChallenge(r)
  })

  it.skipIf(!reg.authEnabled)('answers 401 for a malformed Authorization header', async () => {
    const r = await anon.get('/v2/', { headers: { authorization: 'Basic !!!not-base64' } })
    expectOciError(r, 401, 'UNAUTHORIZED')
    expectChallenge(r)
  })
})

describe.skipIf(!reg.authEnabled)('authentication on push and delete', () => {
  const repo = reg.repo('auth')

  it('POST upload without credentials answers 401 UNAUTHORIZED + WWW-Authenticate', async () => {
    const r = await anon.startUpload(repo)
    expectOciError(r, 401, 'UNAUTHORIZED')
    expectChallenge(r)
  })

  it('POST upload with wrong credentials answers 401 UNAUTHORIZED', async () => {
    const r = await client.startUpload(repo, {}, { credentials: wrong })
    expectOciError(r, 401, 'UNAUTHORIZED')
    expectChallenge(r)
  })

  it('monolithic POST ?digest= without credentials is refused and stores nothing', async () => {
    const blob = randomBlob(100)
    const r = await anon.request('POST', `/v2/${repo}/blobs/uploads/?digest=${blob.digest}`, {
      headers: { 'content-type': MT.octetStream },
      body: blob.content,
    })
    expectOciError(r, 401, 'UNAUTHORIZED')
    expectChallenge(r)
    const head = await client.headBlob(repo, blob.digest)
    expectStatus(head, 404)
  })

  it('PUT manifest without credentials answers 401 and does not create the tag', async () => {
    const img = ociImage()
    await client.pushBlobs(repo, img.blobs)
    const r = await anon.putManifest(repo, 'anon', img.manifest)
    expectOciError(r, 401, 'UNAUTHORIZED')
    expectChallenge(r)
    const get = await client.getManifest(repo, 'anon')
    expectStatus(get, 404)
  })

  it('PATCH/PUT on an upload session without credentials answer 401', async () => {
    const post = await client.startUpload(repo)
    expectStatus(post, 202)
    const loc = post.header('location')!
    const blob = randomBlob(10)
    const patch = await anon.patchChunk(loc, blob.content, 0)
    expectOciError(patch, 401, 'UNAUTHORIZED')
    const put = await anon.request('PUT', withDigest(loc, blob.digest), { body: blob.content })
    expectOciError(put, 401, 'UNAUTHORIZED')
    await client.delete(loc)
  })

  it('DELETE manifest and blob without credentials answer 401 and delete nothing', async () => {
    const img = ociImage()
    await client.pushImage(repo, img, 'keep')
    const dm = await anon.deleteManifest(repo, img.manifest.digest)
    expectOciError(dm, 401, 'UNAUTHORIZED')
    expectChallenge(dm)
    const db = await anon.delete(`/v2/${repo}/blobs/${img.layers[0].digest}`)
    expectOciError(db, 401, 'UNAUTHORIZED')
    expectStatus(await client.getManifest(repo, 'keep'), 200)
    expectStatus(await client.headBlob(repo, img.layers[0].digest), 200)
  })
})

describe('every /v2 response carries Docker-Distribution-Api-Version: registry/2.0', () => {
  const repo = reg.repo('hdr')
  const missing = sha256('no such content ' + randomUuid())

  it('on successes and errors of every endpoint', async () => {
    const img = ociImage()
    const responses = []
    // successes
    responses.push(await client.get('/v2/'))
    const post = await client.startUpload(repo)
    responses.push(post)
    const loc = post.header('location')!
    responses.push(await client.patchChunk(loc, img.config.content, 0))
    responses.push(await client.get(loc))
    responses.push(await client.request('PUT', withDigest(loc, img.config.digest), { headers: { 'content-length': '0' } }))
    for (const l of img.layers) responses.push(await client.pushBlob(repo, l))
    responses.push(await client.putManifest(repo, 'v1', img.manifest))
    responses.push(await client.getManifest(repo, 'v1'))
    responses.push(await client.headManifest(repo, img.manifest.digest))
    responses.push(await client.getBlob(repo, img.config.digest))
    responses.push(await client.headBlob(repo, img.config.digest))
    responses.push(await client.getBlob(repo, img.config.digest, { headers: { range: 'bytes=0-3' } }))
    responses.push(await client.tags(repo))
    responses.push(await client.catalog({ n: 5 }))
    const cancel = await client.startUpload(repo)
    responses.push(await client.delete(cancel.header('location')!))
    responses.push(await client.deleteManifest(repo, img.manifest.digest))
    responses.push(await client.delete(`/v2/${repo}/blobs/${img.config.digest}`))
    // errors
    responses.push(await client.getBlob(repo, missing))
    responses.push(await client.headBlob(repo, missing))
    responses.push(await client.getManifest(repo, 'no-such-tag'))
    responses.push(await client.headManifest(repo, missing))
    responses.push(await client.tags(reg.repo('never-pushed')))
    responses.push(await client.get(`/v2/${repo}/blobs/uploads/${randomUuid()}`))
    responses.push(await client.putManifest(repo, 'bad', { ...img.manifest, content: Buffer.from('{not json') }))
    const bad = await client.startUpload(repo)
    responses.push(await client.request('PUT', withDigest(bad.header('location')!, EMPTY_JSON_BLOB.digest), { body: Buffer.from('not {}') }))
    const ooo = await client.startUpload(repo)
    responses.push(await client.patchChunk(ooo.header('location')!, Buffer.from('abc'), 10))
    responses.push(await anon.get('/v2/', { headers: { authorization: 'Basic d3Jvbmc6d3Jvbmc=' } }))
    for (const r of responses) expectApiVersion(r)
  })

  it('on 401 responses to anonymous push', async () => {
    const r = await anon.startUpload(repo)
    if (reg.authEnabled) expectStatus(r, 401)
    expectApiVersion(r)
  })

  it('on errors for malformed names and digests', async () => {
    for (const path of ['/v2/UPPER/tags/list', `/v2/${repo}/blobs/sha256:xyz`, `/v2/${repo}/manifests/-bad-tag`]) {
      const r = await client.get(path)
      expect(r.status, r.describe()).toBeGreaterThanOrEqual(400)
      expectApiVersion(r)
    }
  })
})
