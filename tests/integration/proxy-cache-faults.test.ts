// The pull-through cache's faults, over HTTP against the real server (issue #12), with Debian's
// docker-registry as the upstream behind a counting relay (which slows blob bodies down so a test can
// act mid-pull, and corrupts them on demand): a client going away mid cold pull, an upstream sending
// bytes that are not the digest, and 20 concurrent cold pulls across two server processes on one
// PostgreSQL (that part runs with TEST_DATABASE=postgres only). Starts its OWN servers.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient } from '../support/api'
import { expectStatus } from '../support/assertions'
import { startCountingRelay, type CountingRelay } from '../support/counting-relay'
import { ACCEPT_ALL_MANIFESTS, ociImage, randomBlob, registryClient } from '../support/oci'
import { startOwnServer, type OwnServer } from '../support/own-server'
import { createTestDatabase, type TestDatabase } from '../support/postgres'
import { LOOPBACK, proxyProject, registryEndpoint, streamBody, type StreamedBody } from '../support/proxy-cache'
import { startReferenceRegistry } from '../support/reference-registry'
import { startRegistryServer, type RunningServer } from '../support/registry-server'

const skip = !!process.env.REGISTRY_URL
const onPostgres = process.env.TEST_DATABASE === 'postgres'
const MiB = 1024 * 1024

type Reference = Awaited<ReturnType<typeof startReferenceRegistry>>

/** A body that is all of `digest`: a 200 that arrived complete with the right bytes. */
function expectWhole(body: StreamedBody, digest: string, size: number) {
  expect(body.status, body.text).toBe(200)
  expect(body.complete).toBe(true)
  expect(body.received).toBe(size)
  expect(body.digest).toBe(digest)
}

describe.skipIf(skip)('proxy-cache faults on one server', () => {
  let upstream: Reference
  let relay: CountingRelay
  let own: OwnServer
  const blobUrl = (digest: string) => `${own.server.url}/v2/cache/team/big/blobs/${digest}`

  beforeAll(async () => {
    upstream = await startReferenceRegistry()
    relay = await startCountingRelay(upstream.url)
    own = await startOwnServer({ options: () => ({ env: LOOPBACK }) })
    const api = apiClient(own.server.url)
    await proxyProject(api, own.admin, 'cache', await registryEndpoint(api, own.admin, { name: 'upstream', type: 'distribution', url: relay.url }))
  }, 300_000)
  afterAll(async () => {
    await own?.dispose()
    await relay?.close()
    await upstream?.dispose()
  })

  it('a client that goes away halfway through a cold pull leaves the fetch to the clients waiting on it; the blob is then cached, fetched once', async () => {
    const big = randomBlob(32 * MiB)
    expectStatus(await registryClient(upstream.url).pushBlob('team/big', big), 201)
    // About four seconds for the whole blob: the disconnect and the second and third clients fall inside the fetch.
    relay.throttle(8 * MiB)
    try {
      let before: Promise<StreamedBody> | undefined
      // The first client starts the fetch; once its first bytes arrive a second client asks too, and at half it goes away.
      const goneAway = await streamBody(blobUrl(big.digest), (received, request) => {
        before ??= streamBody(blobUrl(big.digest))
        if (received >= big.size / 2) request.destroy()
      })
      expect(goneAway.status).toBe(200)
      expect(goneAway.complete).toBe(false)
      expect(goneAway.received).toBeLessThan(big.size)
      const after = await streamBody(blobUrl(big.digest))
      expectWhole(await before!, big.digest, big.size)
      expectWhole(after, big.digest, big.size)
      expect(relay.count('GET', `/v2/team/big/blobs/${big.digest}`)).toBe(1)
    } finally {
      relay.throttle(null)
    }
    // Served from the cache now: nothing more upstream, even with the upstream gone.
    await relay.down()
    try {
      expectWhole(await streamBody(blobUrl(big.digest)), big.digest, big.size)
    } finally {
      await relay.up()
    }
    expect(relay.count('GET', `/v2/team/big/blobs/${big.digest}`)).toBe(1)
  }, 120_000)

  it('an upstream sending bytes that are not the digest: clients get a cut body or an error, never the bytes as complete; nothing is stored or served', async () => {
    const blob = randomBlob(4 * MiB)
    expectStatus(await registryClient(upstream.url).pushBlob('team/big', blob), 201)
    const upstreamGets = () => relay.count('GET', `/v2/team/big/blobs/${blob.digest}`)
    relay.misbehave('corrupt')
    /** One cold pull by two clients, the second joining the first's fetch (slowed down to a second so that it can). */
    const corruptPull = async () => {
      relay.throttle(4 * MiB)
      try {
        let waiting: Promise<StreamedBody> | undefined
        const fetcher = await streamBody(blobUrl(blob.digest), () => void (waiting ??= streamBody(blobUrl(blob.digest))))
        // The client the fetch streams to gets every byte but the last, then the connection is cut.
        expect(fetcher.status).toBe(200)
        expect(fetcher.announced).toBe(blob.size)
        expect(fetcher.complete).toBe(false)
        expect(fetcher.received).toBeLessThan(blob.size)
        // A client waiting on the same fetch is told the upstream failed (once the fetch is over).
        const waiter = await waiting!
        expect(waiter.status, waiter.text).toBe(502)
        expect(JSON.parse(waiter.text).errors[0]).toEqual({ code: 'UNKNOWN', message: 'upstream registry upstream sent content that failed verification' })
      } finally {
        relay.throttle(null)
      }
    }
    await corruptPull()
    expect(upstreamGets()).toBe(1)
    // Nothing was stored: with the upstream gone there is nothing to serve.
    await relay.down()
    try {
      const gone = await streamBody(blobUrl(blob.digest))
      expect(gone.status, gone.text).toBe(502)
      expect(JSON.parse(gone.text).errors[0].code).toBe('UNAVAILABLE')
    } finally {
      await relay.up()
    }
    // Still corrupt: fetched again and refused again.
    await corruptPull()
    expect(upstreamGets()).toBe(2)
    // Fixed upstream: fetched once more, and right.
    relay.misbehave('forward')
    expectWhole(await streamBody(blobUrl(blob.digest)), blob.digest, blob.size)
    expect(upstreamGets()).toBe(3)
    expectWhole(await streamBody(blobUrl(blob.digest)), blob.digest, blob.size)
    expect(upstreamGets()).toBe(3)
  }, 120_000)

  it('an upstream sending a manifest that is not its digest: the client gets an error, nothing is stored', async () => {
    const image = ociImage()
    expectStatus(await registryClient(upstream.url).pushImage('team/corrupt', image, 'v1'), 201)
    const client = registryClient(own.server.url)
    const upstreamGets = () => relay.count('GET', `/v2/team/corrupt/manifests/${image.manifest.digest}`)
    relay.misbehave('corrupt')
    try {
      for (const reference of ['v1', image.manifest.digest]) {
        const refused = await client.getManifest('cache/team/corrupt', reference, { headers: { accept: ACCEPT_ALL_MANIFESTS } })
        expectStatus(refused, 502)
        expect(refused.errors()?.[0]).toEqual({ code: 'UNKNOWN', message: 'upstream registry upstream sent content that failed verification' })
      }
    } finally {
      relay.misbehave('forward')
    }
    expect(upstreamGets()).toBe(2)
    // Nothing was stored: the next pull fetches it again, and right.
    const fixed = await client.getManifest('cache/team/corrupt', 'v1', { headers: { accept: ACCEPT_ALL_MANIFESTS } })
    expectStatus(fixed, 200)
    expect(fixed.header('docker-content-digest')).toBe(image.manifest.digest)
    expect(fixed.body.equals(image.manifest.content)).toBe(true)
    expect(upstreamGets()).toBe(3)
  })
})

describe.skipIf(skip || !onPostgres)('proxy-cache fetches across two server processes on one PostgreSQL', () => {
  let upstream: Reference
  let relay: CountingRelay
  let db: TestDatabase
  let dataDir: string
  let servers: RunningServer[] = []

  beforeAll(async () => {
    upstream = await startReferenceRegistry()
    relay = await startCountingRelay(upstream.url)
    db = await createTestDatabase()
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'proxy-replicas-'))
    const first = await startRegistryServer({ databaseUrl: db.url, dataDir, env: LOOPBACK })
    const second = await startRegistryServer({ databaseUrl: db.url, dataDir, env: { ...LOOPBACK, ADMIN_PASSWORD: first.adminPassword } })
    servers = [first, second]
    const api = apiClient(first.url)
    const admin = { user: first.adminUser, password: first.adminPassword }
    await proxyProject(api, admin, 'cache', await registryEndpoint(api, admin, { name: 'upstream', type: 'distribution', url: relay.url }))
  }, 300_000)
  afterAll(async () => {
    for (const s of servers) await s.dispose()
    await db?.drop()
    await rm(dataDir ?? '', { recursive: true, force: true })
    await relay?.close()
    await upstream?.dispose()
  })

  it('20 concurrent pulls of one cold 64 MiB blob, split over both processes, make one upstream GET and all get the right bytes', async () => {
    const big = randomBlob(64 * MiB)
    expectStatus(await registryClient(upstream.url).pushBlob('team/big', big), 201)
    const bodies = await Promise.all(Array.from({ length: 20 }, (_, i) => streamBody(`${servers[i % 2].url}/v2/cache/team/big/blobs/${big.digest}`)))
    for (const body of bodies) expectWhole(body, big.digest, big.size)
    expect(relay.count('GET', `/v2/team/big/blobs/${big.digest}`)).toBe(1)
  }, 240_000)

  it('20 concurrent pulls of a cold tag, split over both processes, make one upstream HEAD and one manifest GET', async () => {
    const image = ociImage()
    expectStatus(await registryClient(upstream.url).pushImage('team/app', image, 'v1'), 201)
    const clients = servers.map((s) => registryClient(s.url))
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => clients[i % 2].getManifest('cache/team/app', 'v1', { headers: { accept: ACCEPT_ALL_MANIFESTS } })))
    for (const answer of answers) {
      expectStatus(answer, 200)
      expect(answer.header('docker-content-digest')).toBe(image.manifest.digest)
      expect(answer.body.equals(image.manifest.content)).toBe(true)
    }
    expect(relay.count('HEAD', '/v2/team/app/manifests/v1')).toBe(1)
    expect(relay.count('GET', `/v2/team/app/manifests/${image.manifest.digest}`)).toBe(1)
    expect(relay.count('GET', '/v2/team/app/manifests/v1')).toBe(0)
  }, 120_000)
})
