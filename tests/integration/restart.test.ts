// Crash safety of uploads. This file starts its OWN server (not the global one) so it can kill it.
//
// - A chunked upload (two PATCHes) survives SIGKILL + restart: the status GET reports the same Range,
//   the remaining chunk and the PUT succeed, and the blob's digest verifies. So does a session that
//   had no bytes yet (nothing is recorded for it: its signed id must still be honoured).
// - A PATCH interrupted midway (the client aborts after part of the body, or the server is killed
//   during it) never makes a blob visible, and the session's Range never covers bytes that would
//   break the digest: resuming from the reported Range completes the blob exactly.
//
// Runs against this project's build (on PostgreSQL when TEST_DATABASE=postgres, else PGlite).
// RESTART_TEST_TARGET=reference runs it against Debian's
// docker-registry instead (to validate the test itself). Skipped when REGISTRY_URL is set.
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectBody, expectOciError, expectStatus } from '../support/assertions'
import { MT, ociImage, parseUploadRange, randomBlob, registryClient, sha256, withDigest, type Blob, type RegistryClient } from '../support/oci'
import { createTestDatabase, type TestDatabase } from '../support/postgres'
import { startReferenceRegistry } from '../support/reference-registry'
import { startRegistryServer, type RunningServer } from '../support/registry-server'

const target = process.env.RESTART_TEST_TARGET === 'reference' ? 'reference' : 'ours'
const skip = !!process.env.REGISTRY_URL && target === 'ours'

describe.skipIf(skip)(`uploads across crashes and interrupted requests (${target})`, () => {
  let server: RunningServer
  let db: TestDatabase | undefined
  let client: RegistryClient
  let ns: string
  let n = 0
  const repo = () => `${ns}/restart-${Date.now().toString(36)}-${n++}`

  beforeAll(async () => {
    if (target === 'ours' && process.env.TEST_DATABASE === 'postgres') db = await createTestDatabase()
    server = target === 'reference' ? await startReferenceRegistry() : await startRegistryServer({ databaseUrl: db?.url })
    ns = process.env.TEST_NAMESPACE ?? (target === 'reference' ? 'conformance' : server.adminUser)
    client = registryClient(server.url, target === 'reference' ? undefined : { user: server.adminUser, password: server.adminPassword })
  }, 300_000)

  afterAll(async () => {
    if (process.env.SHOW_SERVER_LOGS === '1') process.stderr.write(server?.logs() ?? '')
    await server?.dispose()
    await db?.drop()
  })

  function authHeader(): Record<string, string> {
    const c = client.credentials
    return c ? { authorization: 'Basic ' + Buffer.from(`${c.user}:${c.password}`).toString('base64') } : {}
  }

  /** The session's received byte count from a 204 status response (Range 0-<end>; "0-0" = 0 when nothing was sent). */
  async function uploadedBytes(location: string, atLeastOne: boolean): Promise<{ bytes: number; location: string }> {
    const r = await client.get(location)
    expectStatus(r, 204)
    const range = parseUploadRange(r.header('range'))
    expect(range, `Range on ${r.describe()}`).toBeDefined()
    expect(range!.start).toBe(0)
    const loc = r.header('location')
    expect(loc, r.describe()).toBeTruthy()
    const bytes = range!.end === 0 && !atLeastOne ? 0 : range!.end + 1
    return { bytes, location: loc! }
  }

  /**
   * Sends a PATCH announcing `announced` bytes but writes only `sent` of `body`, then either aborts
   * the connection itself or lets `whileOpen` (e.g. killing the server) happen with the request open.
   */
  async function partialPatch(location: string, body: Buffer, opts: { offset?: number; sendBytes: number; streamed?: boolean; whileOpen?: () => Promise<void> }) {
    const url = new URL(location, server.url + '/')
    const headers: Record<string, string> = { 'content-type': MT.octetStream, ...authHeader() }
    if (!opts.streamed) {
      headers['content-length'] = String(body.length)
      headers['content-range'] = `${opts.offset}-${opts.offset! + body.length - 1}`
    }
    const req = http.request(url, { method: 'PATCH', headers, agent: false })
    let response: number | undefined
    req.on('response', (res) => {
      response = res.statusCode
      res.resume()
    })
    req.on('error', () => {
      /* expected: the connection is cut */
    })
    req.flushHeaders()
    for (let off = 0; off < opts.sendBytes; off += 16 * 1024) {
      req.write(body.subarray(off, Math.min(off + 16 * 1024, opts.sendBytes)))
      await new Promise((r) => setTimeout(r, 5))
    }
    await new Promise((r) => setTimeout(r, 400)) // let the server take in what was sent
    if (opts.whileOpen) await opts.whileOpen()
    req.destroy()
    await new Promise((r) => setTimeout(r, 500)) // let the server notice the abort
    expect(response, 'the interrupted PATCH must not have been answered with a success').not.toBe(202)
  }

  /** Resumes from what the session reports, finishes with PUT ?digest=, and verifies the stored blob. */
  async function resumeAndFinish(repoName: string, location: string, blob: Blob, minBytes: number, maxBytes: number) {
    const status = await uploadedBytes(location, minBytes > 0)
    expect(status.bytes, `resume offset must be between ${minBytes} (acknowledged) and ${maxBytes} (sent)`).toBeGreaterThanOrEqual(minBytes)
    expect(status.bytes).toBeLessThanOrEqual(maxBytes)
    const rest = blob.content.subarray(status.bytes)
    let loc = status.location
    if (rest.length > 0) {
      const p = await client.patchChunk(loc, rest, status.bytes)
      expectStatus(p, 202)
      expect(p.header('range')).toBe(`0-${blob.size - 1}`)
      loc = p.header('location')!
    }
    const put = await client.request('PUT', withDigest(loc, blob.digest), { headers: { 'content-length': '0' } })
    expectStatus(put, 201)
    expect(put.header('docker-content-digest')).toBe(blob.digest)
    const get = await client.getBlob(repoName, blob.digest)
    expectStatus(get, 200)
    expect(sha256(get.body)).toBe(blob.digest)
    expectBody(get, blob.content)
  }

  it('a chunked upload survives SIGKILL + restart: same Range, then the rest and the PUT succeed', async () => {
    const r = repo()
    const blob = randomBlob(3 * 256 * 1024 + 77)
    const cs = 256 * 1024
    const img = ociImage()
    await client.pushImage(r, img, 'before-crash')

    const post = await client.startUpload(r)
    expectStatus(post, 202)
    let loc = post.header('location')!
    for (const off of [0, cs]) {
      const p = await client.patchChunk(loc, blob.content.subarray(off, off + cs), off)
      expectStatus(p, 202)
      loc = p.header('location')!
    }
    const before = await client.get(loc)
    expectStatus(before, 204)
    expect(before.header('range')).toBe(`0-${2 * cs - 1}`)

    await server.kill()
    await server.restart()

    const after = await client.get(loc)
    expectStatus(after, 204)
    expect(after.header('range'), after.describe()).toBe(`0-${2 * cs - 1}`)
    expectStatus(await client.headBlob(r, blob.digest), 404)

    const p3 = await client.patchChunk(after.header('location')!, blob.content.subarray(2 * cs), 2 * cs)
    expectStatus(p3, 202)
    expect(p3.header('range')).toBe(`0-${blob.size - 1}`)
    const put = await client.request('PUT', withDigest(p3.header('location')!, blob.digest), { headers: { 'content-length': '0' } })
    expectStatus(put, 201)
    const get = await client.getBlob(r, blob.digest)
    expect(sha256(get.body)).toBe(blob.digest)
    // what was there before the crash is still there
    const m = await client.getManifest(r, 'before-crash')
    expectStatus(m, 200)
    expectBody(m, img.manifest.content)
    expectBody(await client.getBlob(r, img.layers[0].digest), img.layers[0].content)
  })

  it('a session started before a crash, with no bytes yet, continues after the restart; a finished one stays finished', async () => {
    const r = repo()
    await client.pushBlob(r, randomBlob(10))
    const fresh = (await client.startUpload(r)).header('location')!
    const done = (await client.startUpload(r)).header('location')!
    const first = randomBlob(64)
    expectStatus(await client.request('PUT', withDigest(done, first.digest), { body: first.content }), 201)
    await server.kill()
    await server.restart()

    const status = await client.get(fresh)
    expectStatus(status, 204)
    expect(status.header('range')).toBe('0-0')
    const blob = randomBlob(1000)
    const put = await client.request('PUT', withDigest(fresh, blob.digest), { body: blob.content })
    expectStatus(put, 201)
    expect(sha256((await client.getBlob(r, blob.digest)).body)).toBe(blob.digest)
    expectOciError(await client.get(done), 404, 'BLOB_UPLOAD_UNKNOWN')
    expectOciError(await client.request('PUT', withDigest(done, first.digest), { body: first.content }), 404, 'BLOB_UPLOAD_UNKNOWN')
  })

  it('a session cancelled before a crash stays unknown after the restart', async () => {
    const r = repo()
    await client.pushBlob(r, randomBlob(10))
    const post = await client.startUpload(r)
    const loc = post.header('location')!
    const patch = await client.patchChunk(loc, randomBlob(100).content, 0)
    expectStatus(patch, 202)
    expectStatus(await client.delete(patch.header('location')!), 204)
    await server.kill()
    await server.restart()
    expectOciError(await client.get(loc), 404, 'BLOB_UPLOAD_UNKNOWN')
  })

  it('client aborts a Content-Range PATCH midway: no blob appears, the Range covers only good bytes, resuming completes it', async () => {
    const r = repo()
    const blob = randomBlob(1024 * 1024)
    const first = 128 * 1024
    const post = await client.startUpload(r)
    const p1 = await client.patchChunk(post.header('location')!, blob.content.subarray(0, first), 0)
    expectStatus(p1, 202)
    const loc = p1.header('location')!
    const sent = 300 * 1024
    await partialPatch(loc, blob.content.subarray(first), { offset: first, sendBytes: sent })
    expectStatus(await client.headBlob(r, blob.digest), 404)
    await resumeAndFinish(r, loc, blob, first, first + sent)
  })

  it('client aborts a streamed PATCH (Transfer-Encoding: chunked) midway: same guarantees', async () => {
    const r = repo()
    const blob = randomBlob(1024 * 1024)
    const post = await client.startUpload(r)
    const loc = post.header('location')!
    const sent = 400 * 1024
    await partialPatch(loc, blob.content, { streamed: true, sendBytes: sent })
    expectStatus(await client.headBlob(r, blob.digest), 404)
    await resumeAndFinish(r, loc, blob, 0, sent)
  })

  it('server killed during a PATCH: after the restart no blob appears and resuming from the Range completes it', async () => {
    const r = repo()
    const blob = randomBlob(1024 * 1024)
    const first = 100 * 1024
    const post = await client.startUpload(r)
    const p1 = await client.patchChunk(post.header('location')!, blob.content.subarray(0, first), 0)
    expectStatus(p1, 202)
    const loc = p1.header('location')!
    const sent = 250 * 1024
    await partialPatch(loc, blob.content.subarray(first), {
      offset: first,
      sendBytes: sent,
      whileOpen: async () => {
        await server.kill()
      },
    })
    await server.restart()
    expectStatus(await client.headBlob(r, blob.digest), 404)
    await resumeAndFinish(r, loc, blob, first, first + sent)
  })

  it('server killed during a streamed PATCH of a fresh session: same guarantees', async () => {
    const r = repo()
    const blob = randomBlob(900 * 1024)
    const post = await client.startUpload(r)
    const loc = post.header('location')!
    const sent = 200 * 1024
    await partialPatch(loc, blob.content, { streamed: true, sendBytes: sent, whileOpen: () => server.kill() })
    await server.restart()
    expectStatus(await client.headBlob(r, blob.digest), 404)
    await resumeAndFinish(r, loc, blob, 0, sent)
  })

  it('server killed during a monolithic PUT: the blob never appears half-written', async () => {
    const r = repo()
    await client.pushBlob(r, randomBlob(10))
    const blob = randomBlob(1024 * 1024)
    const post = await client.startUpload(r)
    const url = new URL(withDigest(post.header('location')!, blob.digest), server.url + '/')
    const req = http.request(url, {
      method: 'PUT',
      headers: { 'content-type': MT.octetStream, 'content-length': String(blob.size), ...authHeader() },
      agent: false,
    })
    req.on('error', () => {})
    req.on('response', (res) => res.resume())
    req.write(blob.content.subarray(0, 500 * 1024))
    await new Promise((res) => setTimeout(res, 400))
    await server.kill()
    req.destroy()
    await server.restart()
    expectStatus(await client.headBlob(r, blob.digest), 404)
    expectOciError(await client.getBlob(r, blob.digest), 404, 'BLOB_UNKNOWN')
  })
})
