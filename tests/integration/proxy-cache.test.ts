// Proxy-cache projects and the transparent mirror, end to end (issue #12): Debian's docker-registry
// (distribution 2.8) is the upstream, once open (behind a counting relay, which also plays the
// outage) and once behind htpasswd Basic; this registry reaches it on loopback through
// UPSTREAM_ALLOWED_NETWORKS. Endpoints and proxy projects are made through /api/v1, pulls go
// through /v2 as any client's. Starts its OWN server. Faults (a client going away, a corrupt upstream,
// replicas) are in proxy-cache-faults.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient, type ApiClient } from '../support/api'
import { expectOciError, expectStatus } from '../support/assertions'
import { startCountingRelay, type CountingRelay } from '../support/counting-relay'
import { ACCEPT_ALL_MANIFESTS, ociImage, parseChallenge, randomBlob, registryClient, sha256, type RegistryClient } from '../support/oci'
import { startOwnServer, type OwnServerWithReceiver } from '../support/own-server'
import { LOOPBACK, proxyProject, pull, registryEndpoint } from '../support/proxy-cache'
import { startReferenceRegistry } from '../support/reference-registry'
import type { ReceivedRequest } from '../support/webhook-receiver'

const skip = !!process.env.REGISTRY_URL
/** How long the server waits for an upstream (UPSTREAM_TIMEOUT) in these tests. */
const UPSTREAM_TIMEOUT_MS = 2_000

type Reference = Awaited<ReturnType<typeof startReferenceRegistry>>

describe.skipIf(skip)('proxy-cache projects and the transparent mirror', () => {
  let upstream: Reference
  let securedUpstream: Reference
  let relay: CountingRelay
  let own: OwnServerWithReceiver
  let api: ApiClient
  let admin: { user: string; password: string }
  let anonymous: RegistryClient
  let registryId: number
  const app = ociImage({ layers: 2 })
  const alpine = ociImage()
  const secured = ociImage()

  beforeAll(async () => {
    ;[upstream, securedUpstream] = await Promise.all([startReferenceRegistry(), startReferenceRegistry({ auth: true })])
    relay = await startCountingRelay(upstream.url)
    const open = registryClient(upstream.url)
    expectStatus(await open.pushImage('team/app', app, 'v1'), 201)
    expectStatus(await open.pushImage('library/alpine', alpine, 'latest'), 201)
    expectStatus(await registryClient(securedUpstream.url, { user: securedUpstream.adminUser, password: securedUpstream.adminPassword }).pushImage('team/app', secured, 'v1'), 201)
    own = await startOwnServer({ receiver: true, options: () => ({ env: { ...LOOPBACK, UPSTREAM_TIMEOUT: `${UPSTREAM_TIMEOUT_MS}ms` } }) })
    api = apiClient(own.server.url)
    admin = own.admin
    anonymous = registryClient(own.server.url)
    registryId = await registryEndpoint(api, admin, { name: 'upstream', type: 'distribution', url: relay.url })
  }, 300_000)
  afterAll(async () => {
    await own?.dispose()
    await relay?.close()
    await upstream?.dispose()
    await securedUpstream?.dispose()
  })

  it('creates a proxy-cache project for system admins only, naming its upstream; 400 for an unknown endpoint', async () => {
    const project = await proxyProject(api, admin, 'cache', registryId)
    expect(project.proxy).toEqual({ registryId, registryName: 'upstream', url: relay.url, tagTtlSeconds: 300 })
    expect((await api.get('/api/v1/projects/cache', { auth: admin })).json().proxy).toMatchObject({ registryId, registryName: 'upstream' })
    const unknown = await api.post('/api/v1/projects', { name: 'nowhere', public: true, proxy: { registryId: 999_999 } }, { auth: admin })
    expect(unknown.status, unknown.describe()).toBe(400)
    expect(unknown.text).toContain('999999')
    const plain = await api.signup()
    const refused = await api.post('/api/v1/projects', { name: 'mine', public: true, proxy: { registryId } }, { auth: plain })
    expect(refused.status, refused.describe()).toBe(403)
    const hosted = await api.post('/api/v1/projects', { name: 'hosted', public: true }, { auth: admin })
    expect(hosted.json().proxy).toBeNull()
    // The tag TTL changes later (system admins only; proxy-cache projects only).
    const ttl = await api.patch('/api/v1/projects/cache', { proxy: { tagTtlSeconds: 600 } }, { auth: admin })
    expect(ttl.status, ttl.describe()).toBe(200)
    expect(ttl.json().proxy.tagTtlSeconds).toBe(600)
    expect((await api.patch('/api/v1/projects/hosted', { proxy: { tagTtlSeconds: 600 } }, { auth: admin })).status).toBe(400)
    expect((await api.patch('/api/v1/projects/cache', {}, { auth: admin })).status).toBe(400)
    // An endpoint in use cannot be deleted.
    expect((await api.delete(`/api/v1/registries/${registryId}`, { auth: admin })).status).toBe(409)
  })

  it('pings an endpoint: ok, credentials refused, unreachable', async () => {
    const ok = await api.post(`/api/v1/registries/${registryId}/ping`, undefined, { auth: admin })
    expect(ok.status, ok.describe()).toBe(200)
    expect(ok.json()).toEqual({ ok: true })
    const wrong = await registryEndpoint(api, admin, { name: 'wrong-password', type: 'distribution', url: securedUpstream.url, username: 'admin', password: 'not-it' })
    expect((await api.post(`/api/v1/registries/${wrong}/ping`, undefined, { auth: admin })).json()).toMatchObject({ ok: false, kind: 'unauthorized' })
    const gone = await registryEndpoint(api, admin, { name: 'gone', type: 'distribution', url: 'http://127.0.0.1:9' })
    expect((await api.post(`/api/v1/registries/${gone}/ping`, undefined, { auth: admin })).json()).toMatchObject({ ok: false, kind: 'unreachable' })
    expect((await api.post(`/api/v1/registries/${gone}/ping`, undefined, {})).status).toBe(401)
  })

  it('pulls through the cache (manifest and blobs verified), then from the cache with the upstream down, with a Warning', async () => {
    await proxyProject(api, admin, 'fresh', registryId, 0)
    expect(await pull(anonymous, 'fresh/team/app', 'v1', app)).toBe('')
    expect(relay.count('GET', `/v2/team/app/blobs/${app.layers[0].digest}`)).toBe(1)
    await relay.down()
    try {
      const started = Date.now()
      expect(await pull(anonymous, 'fresh/team/app', 'v1', app)).toMatch(/^110 /)
      // Nothing cached: a clear error naming the upstream, in bounded time (never a hang).
      // UNAVAILABLE is distribution's code for this (errcode.ErrorCodeUnavailable), not one of the OCI spec's.
      const uncached = await anonymous.getManifest('fresh/team/other', 'v1')
      expectStatus(uncached, 502)
      expect(uncached.errors()?.[0]).toEqual({ code: 'UNAVAILABLE', message: 'upstream registry upstream is unreachable' })
      const blob = await anonymous.getBlob('fresh/team/app', randomBlob().digest)
      expectStatus(blob, 502)
      expect(blob.errors()?.[0].code).toBe('UNAVAILABLE')
      expect(Date.now() - started).toBeLessThan(15_000)
    } finally {
      await relay.up()
    }
  })

  it.each([
    ['answers 429', 429, 429, 'TOOMANYREQUESTS'],
    ['answers 500', 500, 502, 'UNKNOWN'],
    ['does not answer', 'stall', 504, 'UNAVAILABLE'],
  ] as const)('when the upstream %s: cached tags are served with a Warning, uncached content fails in bounded time', async (_what, how, status, code) => {
    relay.misbehave(how)
    try {
      const started = Date.now()
      expect(await pull(anonymous, 'fresh/team/app', 'v1', app)).toMatch(/^110 /)
      const uncached = await anonymous.getManifest('fresh/team/other', 'v1')
      expectStatus(uncached, status)
      expect(uncached.errors()?.[0].code).toBe(code)
      expect(uncached.errors()?.[0].message).toContain('upstream registry upstream')
      if (how === 429) expect(uncached.header('retry-after')).toBe('7')
      expect(Date.now() - started).toBeLessThan(4 * UPSTREAM_TIMEOUT_MS + 2_000)
    } finally {
      relay.misbehave('forward')
    }
  })

  it('pulls from an upstream behind htpasswd Basic with the endpoint credentials', async () => {
    const id = await registryEndpoint(api, admin, {
      name: 'secured',
      type: 'distribution',
      url: securedUpstream.url,
      username: securedUpstream.adminUser,
      password: securedUpstream.adminPassword,
    })
    expect((await api.post(`/api/v1/registries/${id}/ping`, undefined, { auth: admin })).json()).toEqual({ ok: true })
    await proxyProject(api, admin, 'securedcache', id)
    await pull(anonymous, 'securedcache/team/app', 'v1', secured)
  })

  it('is read-only for pushes (DENIED); a deleted artifact is fetched again on the next pull', async () => {
    const client = registryClient(own.server.url, admin)
    const push = await client.startUpload('cache/team/app')
    expectOciError(push, 403, 'DENIED')
    expect(push.errors()?.[0].message).toBe('proxy-cache project is read-only')
    expectOciError(await client.putManifest('cache/team/app', 'v2', app.manifest), 403, 'DENIED')

    await pull(anonymous, 'cache/team/app', 'v1', app)
    const before = relay.count('GET', `/v2/team/app/manifests/${app.manifest.digest}`)
    expectStatus(await client.deleteManifest('cache/team/app', app.manifest.digest), 202)
    await pull(anonymous, 'cache/team/app', 'v1', app)
    expect(relay.count('GET', `/v2/team/app/manifests/${app.manifest.digest}`)).toBeGreaterThan(before)
  })

  it('revalidates a tag with one HEAD per TTL, never a GET', async () => {
    await proxyProject(api, admin, 'ttl', registryId, 2)
    const head = () => relay.count('HEAD', '/v2/team/app/manifests/v1')
    const gets = () => relay.count('GET', '/v2/team/app/manifests/v1')
    const [heads0, gets0] = [head(), gets()]
    for (let i = 0; i < 5; i++) expectStatus(await anonymous.getManifest('ttl/team/app', 'v1'), 200)
    expect(head() - heads0).toBe(1)
    await new Promise((r) => setTimeout(r, 2_200))
    for (let i = 0; i < 5; i++) expectStatus(await anonymous.getManifest('ttl/team/app', 'v1'), 200)
    expect(head() - heads0).toBe(2)
    expect(gets() - gets0).toBe(0)
    // The dashboard shows when the tag was last checked upstream.
    const tags = await api.get('/api/v1/projects/ttl/repositories/team%2Fapp/artifacts/v1/tags', { auth: admin })
    expect(tags.json()).toEqual([{ name: 'v1', pushedAt: expect.any(String), checkedUpstreamAt: expect.any(String), immutable: false }])
    expect(Date.now() - Date.parse(tags.json()[0].checkedUpstreamAt)).toBeLessThan(10_000)
  })

  it('fires PULL_ARTIFACT for pulls through a proxy project, cold and warm, and no PUSH_ARTIFACT for the cache fill', async () => {
    await proxyProject(api, admin, 'events', registryId)
    const hook = await api.post('/api/v1/projects/events/webhooks', { name: 'all', eventTypes: ['PUSH_ARTIFACT', 'PULL_ARTIFACT'], targetUrl: own.receiver.url }, { auth: admin })
    expect(hook.status, hook.describe()).toBe(201)
    const ofThisProject = (event: string) => (r: ReceivedRequest) => r.event === event && r.json().event_data.repository.namespace === 'events'
    const pulled = (count: number) => own.receiver.waitForCount(ofThisProject('PULL_ARTIFACT'), count, 15_000)
    // Cold: fetched from the upstream (and recorded), then a pull like any other.
    await pull(anonymous, 'events/team/app', 'v1', app)
    const [cold] = await pulled(1)
    expect(cold.json()).toMatchObject({
      operator: 'anonymous',
      event_data: { resources: [{ digest: app.manifest.digest, tag: 'v1' }], repository: { name: 'team/app', namespace: 'events' } },
    })
    // Warm: served from the cache.
    await pull(anonymous, 'events/team/app', 'v1', app)
    const [, warm] = await pulled(2)
    expect(warm.json()).toMatchObject({ operator: 'anonymous', event_data: { resources: [{ digest: app.manifest.digest, tag: 'v1' }] } })
    // The fill's event would have been queued before the pulls': none came, so none was queued.
    expect(own.receiver.requests.filter(ofThisProject('PUSH_ARTIFACT'))).toEqual([])
  })

  it("changes a proxy project's endpoint (system admins): the cache stays, tags are revalidated at the new endpoint when their TTL expires", async () => {
    const ttlSeconds = 6
    await proxyProject(api, admin, 'moving', registryId, ttlSeconds)
    const movedTo = await registryEndpoint(api, admin, {
      name: 'moved-to',
      type: 'distribution',
      url: securedUpstream.url,
      username: securedUpstream.adminUser,
      password: securedUpstream.adminPassword,
    })
    const plain = await api.signup()
    expect((await api.patch('/api/v1/projects/moving', { proxy: { registryId: movedTo } }, { auth: plain })).status).toBe(403)
    const unknown = await api.patch('/api/v1/projects/moving', { proxy: { registryId: 999_999 } }, { auth: admin })
    expect(unknown.status, unknown.describe()).toBe(400)
    expect(unknown.text).toContain('999999')
    await pull(anonymous, 'moving/team/app', 'v1', app)
    const pulledAt = Date.now()
    const heads = relay.count('HEAD', '/v2/team/app/manifests/v1')
    const moved = await api.patch('/api/v1/projects/moving', { proxy: { registryId: movedTo } }, { auth: admin })
    expect(moved.status, moved.describe()).toBe(200)
    expect(moved.json().proxy).toEqual({ registryId: movedTo, registryName: 'moved-to', url: securedUpstream.url, tagTtlSeconds: ttlSeconds })
    // Within the TTL the cached resolution is served; content addressed by digest is served from the cache for good.
    expect(Date.now() - pulledAt).toBeLessThan(ttlSeconds * 1000)
    expect((await anonymous.getManifest('moving/team/app', 'v1')).header('docker-content-digest')).toBe(app.manifest.digest)
    await pull(anonymous, 'moving/team/app', app.manifest.digest, app)
    // Once it expired, the tag is revalidated at the new endpoint (where it names another image), never at the old one.
    await new Promise((resolve) => setTimeout(resolve, ttlSeconds * 1000 - (Date.now() - pulledAt) + 200))
    await pull(anonymous, 'moving/team/app', 'v1', secured)
    expect(relay.count('HEAD', '/v2/team/app/manifests/v1')).toBe(heads)
    expect((await api.get('/api/v1/projects/moving', { auth: admin })).json().proxy).toMatchObject({ registryId: movedTo, registryName: 'moved-to' })
  })

  it('never turns a proxy project into a hosted one, nor a hosted project into a proxy one (400)', async () => {
    const unproxied = await api.patch('/api/v1/projects/cache', { proxy: null }, { auth: admin })
    expect(unproxied.status, unproxied.describe()).toBe(400)
    expect(unproxied.text).toContain('stays one')
    const proxied = await api.patch('/api/v1/projects/hosted', { proxy: { registryId } }, { auth: admin })
    expect(proxied.status, proxied.describe()).toBe(400)
    expect(proxied.text).toContain('cannot become one')
    expect((await api.get('/api/v1/projects/cache', { auth: admin })).json().proxy).toMatchObject({ registryId })
    expect((await api.get('/api/v1/projects/hosted', { auth: admin })).json().proxy).toBeNull()
  })

  it('coalesces 20 concurrent pulls of one cold blob into one upstream GET', async () => {
    const big = randomBlob(8 * 1024 * 1024)
    expectStatus(await registryClient(upstream.url).pushBlob('team/big', big), 201)
    const bodies = await Promise.all(Array.from({ length: 20 }, () => anonymous.getBlob('cache/team/big', big.digest)))
    for (const body of bodies) {
      expectStatus(body, 200)
      expect(sha256(body.body)).toBe(big.digest)
    }
    expect(relay.count('GET', `/v2/team/big/blobs/${big.digest}`)).toBe(1)
  }, 60_000)

  describe('the transparent mirror', () => {
    it('accepts only a proxy-cache project as the mirror (400 otherwise)', async () => {
      expect((await api.put('/api/v1/settings', { mirrorProject: 'no-such-project' }, { auth: admin })).status).toBe(400)
      expect((await api.put('/api/v1/settings', { mirrorProject: 'hosted' }, { auth: admin })).status).toBe(400)
      const set = await api.put('/api/v1/settings', { mirrorProject: 'cache' }, { auth: admin })
      expect(set.status, set.describe()).toBe(200)
      expect(set.json()).toMatchObject({ mirrorProject: 'cache' })
    })

    it('serves names that are not local projects through the mirror project (dockerd asks for library/alpine)', async () => {
      const res = await anonymous.request('GET', '/v2/library/alpine/manifests/latest', { headers: { accept: ACCEPT_ALL_MANIFESTS } })
      expectStatus(res, 200)
      expect(res.header('docker-content-digest')).toBe(alpine.manifest.digest)
      for (const blob of alpine.blobs) expect(sha256((await anonymous.getBlob('library/alpine', blob.digest)).body)).toBe(blob.digest)
      // It is cached in the mirror project under the name asked for.
      expectStatus(await anonymous.getManifest('cache/library/alpine', alpine.manifest.digest), 200)
    })

    it("grants a mirror client's anonymous Bearer token for the name it asked for (dockerd's flow)", async () => {
      const challenge = parseChallenge((await anonymous.request('GET', '/v2/')).header('www-authenticate'))
      expect(challenge?.scheme).toBe('bearer')
      const query = new URLSearchParams({ service: challenge!.params.service, scope: 'repository:library/alpine:pull' })
      const token = ((await (await fetch(`${new URL(challenge!.params.realm, own.server.url)}?${query}`)).json()) as { token: string }).token
      const res = await fetch(`${own.server.url}/v2/library/alpine/manifests/latest`, { headers: { authorization: `Bearer ${token}`, accept: ACCEPT_ALL_MANIFESTS } })
      expect(res.status).toBe(200)
      expect(res.headers.get('docker-content-digest')).toBe(alpine.manifest.digest)
    })

    it('local projects win over the mirror', async () => {
      const local = ociImage()
      expectStatus(await registryClient(upstream.url).pushImage('hosted/app', ociImage(), 'v1'), 201)
      expectStatus(await registryClient(own.server.url, admin).pushImage('hosted/app', local, 'v1'), 201)
      const res = await anonymous.getManifest('hosted/app', 'v1')
      expectStatus(res, 200)
      expect(res.header('docker-content-digest')).toBe(local.manifest.digest)
    })

    it('with ns=, the proxy project of that registry serves the request', async () => {
      const res = await anonymous.request('GET', `/v2/team/app/manifests/v1?ns=127.0.0.1:${securedUpstream.port}`, { headers: { accept: ACCEPT_ALL_MANIFESTS } })
      expectStatus(res, 200)
      expect(res.header('docker-content-digest')).toBe(secured.manifest.digest)
      // An ns no proxy project serves falls back to the mirror project.
      const mirrored = await anonymous.request('GET', '/v2/team/app/manifests/v1?ns=registry.example.com', { headers: { accept: ACCEPT_ALL_MANIFESTS } })
      expectStatus(mirrored, 200)
      expect(mirrored.header('docker-content-digest')).toBe(app.manifest.digest)
    })

    it('turns off with null', async () => {
      const off = await api.put('/api/v1/settings', { mirrorProject: null }, { auth: admin })
      expect(off.json()).toMatchObject({ mirrorProject: null })
      expectStatus(await anonymous.request('GET', '/v2/library/alpine/manifests/latest'), 401, 404)
    })
  })
})
