// Webhooks end to end over HTTP against the running server, with receivers on 127.0.0.1 (the test
// server allows 127.0.0.1/32 and retries fast: tests/support/registry-server.ts):
// policies (validation, write-only secrets, permissions), every event type with its payload and
// signature, CloudEvents, filters, retries with a stable delivery id, the failed state and
// redelivery, refused targets and redirects that are not followed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registryUnderTest } from '../support/context'
import { apiClient, type ApiCredentials } from '../support/api'
import { ociImage, randomId, registryClient } from '../support/oci'
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../support/webhook-receiver'
import { verifySignature } from '../../lib/webhooks/signature'

const reg = registryUnderTest()
const api = apiClient(reg.url)
const admin: ApiCredentials = { user: reg.user, password: reg.password }
const ours = reg.flavour === 'ours'
const SECRET = 'ci-shared-secret-0123456789abcdef'
const ALL_EVENTS = ['PUSH_ARTIFACT', 'PULL_ARTIFACT', 'DELETE_ARTIFACT', 'DELETE_TAG']
const host = new URL(reg.url).host

interface Delivery {
  id: string
  status: string
  attempts: number
  lastStatusCode: number | null
  lastError: string | null
  attemptLog?: { number: number; statusCode: number | null; error: string | null; requestHeaders: Record<string, string> }[]
}

describe.runIf(ours)('webhooks', () => {
  let owner: ApiCredentials
  let project: string
  let base: string
  const receivers: WebhookReceiver[] = []

  const receiver = async () => {
    const r = await startWebhookReceiver()
    receivers.push(r)
    return r
  }
  const createPolicy = async (body: Record<string, unknown>, auth: ApiCredentials = owner, path = base) => {
    const res = await api.post(path, { name: `hook-${randomId(6)}`, eventTypes: ALL_EVENTS, ...body }, { auth })
    expect(res.status, res.describe()).toBe(201)
    return res.json() as { id: number; name: string }
  }
  const delivery = async (policyId: number, id: string, path = base): Promise<Delivery> => {
    const res = await api.get(`${path}/${policyId}/deliveries/${id}`, { auth: owner })
    expect(res.status, res.describe()).toBe(200)
    return res.json()
  }
  /** Polls the delivery log until the delivery reaches `status`. */
  const waitForStatus = async (policyId: number, id: string, status: string, timeoutMs = 20_000): Promise<Delivery> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const current = await delivery(policyId, id)
      if (current.status === status) return current
      if (Date.now() > deadline) throw new Error(`delivery ${id} is ${current.status} (attempts ${current.attempts}, ${current.lastError}), not ${status}`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  const signed = (request: ReceivedRequest) =>
    verifySignature(SECRET, String(request.headers['x-registry-timestamp']), request.body, String(request.headers['x-registry-signature-256']))

  beforeAll(async () => {
    owner = await api.signup('whown')
    project = `wh${randomId(8)}`
    expect((await api.post('/api/v1/projects', { name: project, public: false }, { auth: owner })).status).toBe(201)
    base = `/api/v1/projects/${project}/webhooks`
  })
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()))
  })

  describe('policies', () => {
    it('creates, reads, updates and deletes a policy; secrets and the Authorization value are never returned', async () => {
      const target = await receiver()
      const res = await api.post(
        base,
        { name: 'ci', eventTypes: ['PUSH_ARTIFACT', 'PUSH_ARTIFACT'], targetUrl: `${target.url}/hook`, secret: SECRET, authHeader: 'Bearer ci-token' },
        { auth: owner },
      )
      expect(res.status, res.describe()).toBe(201)
      expect(res.header('location')).toMatch(new RegExp(`${base}/\\d+$`))
      const policy = res.json()
      expect(policy).toMatchObject({
        name: 'ci',
        project,
        enabled: true,
        eventTypes: ['PUSH_ARTIFACT'],
        format: 'default',
        hasSecret: true,
        hasAuthHeader: true,
        createdBy: owner.user,
        lastDelivery: null,
      })
      expect(res.text).not.toContain(SECRET)
      expect(res.text).not.toContain('ci-token')

      const list = await api.get(base, { auth: owner })
      expect(list.header('x-total-count')).toBe('1')
      expect(list.json().map((p: { id: number }) => p.id)).toEqual([policy.id])

      const patched = await api.patch(`${base}/${policy.id}`, { enabled: false, secret: null, tagFilter: 'v*' }, { auth: owner })
      expect(patched.status, patched.describe()).toBe(200)
      expect(patched.json()).toMatchObject({ enabled: false, hasSecret: false, hasAuthHeader: true, tagFilter: 'v*' })

      expect((await api.post(base, { name: 'ci', eventTypes: ['DELETE_TAG'], targetUrl: target.url }, { auth: owner })).status).toBe(409)
      expect((await api.delete(`${base}/${policy.id}`, { auth: owner })).status).toBe(204)
      expect((await api.get(`${base}/${policy.id}`, { auth: owner })).status).toBe(404)
    })

    it('refuses bad input with the reason, private and loopback targets included', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ eventTypes: [], targetUrl: 'http://127.0.0.1:9/' }, /at least one event type/],
        [{ eventTypes: ['PUSH_IMAGE'], targetUrl: 'http://127.0.0.1:9/' }, /event types must be among/],
        [{ targetUrl: 'ftp://example.com/' }, /http:\/\/ or https:\/\//],
        [{ targetUrl: 'http://10.1.2.3/hook' }, /not allowed.*10\.1\.2\.3/],
        [{ targetUrl: 'http://127.0.0.2:9/' }, /not allowed.*127\.0\.0\.2.*loopback/],
        [{ targetUrl: 'http://169.254.169.254/latest/meta-data' }, /not allowed.*169\.254\.169\.254/],
        [{ targetUrl: 'http://127.0.0.1:9/', tagFilter: '{v1' }, /unbalanced/],
        [{ targetUrl: 'http://127.0.0.1:9/', secret: 'short' }, /at least 16/],
        [{ targetUrl: 'http://127.0.0.1:9/', authHeader: 'Bearer x\r\nX-Injected: 1' }, /one line/],
      ]
      for (const [body, message] of cases) {
        const res = await api.post(base, { name: `bad-${randomId(4)}`, eventTypes: ['PUSH_ARTIFACT'], ...body }, { auth: owner })
        expect(res.status, res.describe()).toBe(400)
        expect(res.json().errors[0].message).toMatch(message)
      }
      expect((await api.get(base, { auth: owner })).header('x-total-count')).toBe('0')
    })

    it('lets only project admins (and system admins) manage project policies, and only system admins system ones', async () => {
      const accounts = reg.accounts!
      const path = `/api/v1/projects/${accounts.privateProject}/webhooks`
      expect((await api.get(path, { auth: accounts.owner })).status).toBe(200)
      expect((await api.get(path, { auth: admin })).status).toBe(200)
      for (const role of ['maintainer', 'developer', 'guest'] as const) {
        expect((await api.get(path, { auth: accounts.roles[role] })).status).toBe(403)
        const res = await api.post(path, { name: 'x', eventTypes: ['PUSH_ARTIFACT'], targetUrl: 'http://127.0.0.1:9/' }, { auth: accounts.roles[role] })
        expect(res.status).toBe(403)
      }
      expect((await api.get(path, { auth: accounts.outsider })).status).toBe(404)
      expect((await api.get(path)).status).toBe(401)
      expect((await api.get(path, { auth: accounts.tokens.readWriteDelete })).status).toBe(403)
      expect((await api.get('/api/v1/webhooks', { auth: accounts.owner })).status).toBe(403)
      expect((await api.get('/api/v1/webhooks', { auth: admin })).status).toBe(200)
    })
  })

  describe('events', () => {
    let target: WebhookReceiver
    let repo: string
    let image: ReturnType<typeof ociImage>
    const v2 = () => registryClient(reg.url, owner)
    const forRepo = (type: string) => (r: ReceivedRequest) => r.event === type && r.path === '/default' && r.json().event_data.repository.repo_full_name === repo

    beforeAll(async () => {
      target = await receiver()
      repo = `${project}/app-${randomId(6)}`
      await createPolicy({ targetUrl: `${target.url}/default`, secret: SECRET, repositoryFilter: `${project}/app-*` })
      await createPolicy({ targetUrl: `${target.url}/cloud`, format: 'cloudevents', eventTypes: ['PUSH_ARTIFACT'], repositoryFilter: `${project}/app-*` })
      await createPolicy({ targetUrl: `${target.url}/filtered`, repositoryFilter: `${project}/app-*`, tagFilter: 'release-*' })
      await createPolicy({ targetUrl: `${target.url}/elsewhere`, repositoryFilter: `${project}/other-*` })
      await createPolicy({ targetUrl: `${target.url}/disabled`, enabled: false })
      image = ociImage({ platform: { os: 'linux', architecture: 'amd64' } })
    })

    it('delivers PUSH_ARTIFACT within 2 s, signed, with the fields of the push (Harbor Default format)', async () => {
      await v2().pushImage(repo, image, 'v1')
      const pushedAt = Date.now()
      const hit = await target.waitFor(forRepo('PUSH_ARTIFACT'), 10_000)
      expect(hit.receivedAt - pushedAt).toBeLessThan(2000)
      expect(hit.method).toBe('POST')
      expect(hit.headers['content-type']).toBe('application/json')
      expect(hit.delivery).toMatch(/^[0-9a-f-]{36}$/)
      expect(signed(hit)).toBe(true)
      expect(verifySignature('another-secret-0123456789', String(hit.headers['x-registry-timestamp']), hit.body, String(hit.headers['x-registry-signature-256']))).toBe(false)
      const body = hit.json()
      expect(body.type).toBe('PUSH_ARTIFACT')
      expect(body.operator).toBe(owner.user)
      expect(Math.abs(body.occur_at - pushedAt / 1000)).toBeLessThan(10)
      expect(body.event_data.resources).toEqual([expect.objectContaining({ digest: image.manifest.digest, tag: 'v1', resource_url: `${host}/${repo}:v1` })])
      expect(body.event_data.repository).toMatchObject({ name: repo.slice(project.length + 1), namespace: project, repo_full_name: repo, repo_type: 'private' })
      expect(typeof body.event_data.repository.date_created).toBe('number')
    })

    it('delivers the same push as CloudEvents 1.0 to a CloudEvents policy', async () => {
      const hit = await target.waitFor((r) => r.path === '/cloud' && r.json().subject === repo, 10_000)
      expect(hit.headers['content-type']).toBe('application/cloudevents+json')
      expect(hit.headers['x-registry-signature-256']).toBeUndefined() // no secret on this policy
      const event = hit.json()
      expect(event).toMatchObject({ specversion: '1.0', type: 'registry.artifact.pushed', subject: repo, datacontenttype: 'application/json' })
      expect(event.id).toMatch(/^[0-9a-f-]{36}$/)
      expect(event.source).toContain(project)
      expect(new Date(event.time).getTime()).toBeGreaterThan(Date.now() - 60_000)
      expect(JSON.stringify(event.data)).toContain(image.manifest.digest)
    })

    it('delivers PULL_ARTIFACT for a pull, with the pull count', async () => {
      expect((await v2().getManifest(repo, 'v1')).status).toBe(200)
      const hit = await target.waitFor(forRepo('PULL_ARTIFACT'), 10_000)
      const body = hit.json()
      expect(body.operator).toBe(owner.user)
      expect(body.event_data.resources[0]).toMatchObject({ digest: image.manifest.digest, tag: 'v1' })
      expect(body.event_data.pull_count).toBeGreaterThanOrEqual(1)
      expect(signed(hit)).toBe(true)
    })

    it('delivers DELETE_TAG for a tag deleted through the API and DELETE_ARTIFACT for an artifact deleted through /v2', async () => {
      expect((await v2().putManifest(repo, 'release-1', image.manifest)).status).toBe(201)
      const short = encodeURIComponent(repo.slice(project.length + 1))
      const res = await api.delete(`/api/v1/projects/${project}/repositories/${short}/artifacts/${image.manifest.digest}/tags/v1`, { auth: owner })
      expect(res.status, res.describe()).toBe(204)
      const tagHit = await target.waitFor(forRepo('DELETE_TAG'), 10_000)
      expect(tagHit.json().operator).toBe(owner.user)
      expect(tagHit.json().event_data.resources).toEqual([expect.objectContaining({ digest: image.manifest.digest, tag: 'v1' })])

      expect((await v2().deleteManifest(repo, image.manifest.digest)).status).toBe(202)
      const artifactHit = await target.waitFor(forRepo('DELETE_ARTIFACT'), 10_000)
      expect(artifactHit.json().event_data.resources).toEqual([expect.objectContaining({ digest: image.manifest.digest, tag: 'release-1' })])
      expect(signed(artifactHit)).toBe(true)
    })

    it('respects repository and tag filters and disabled policies', async () => {
      // By now: pushes of v1 and release-1 in app-*; only release-1 passes the tag filter.
      const filtered = await target.waitFor((r) => r.path === '/filtered' && r.event === 'PUSH_ARTIFACT', 10_000)
      expect(filtered.json().event_data.resources[0].tag).toBe('release-1')
      await new Promise((r) => setTimeout(r, 1500))
      const seen = target.requests.filter((r) => r.path === '/filtered').map((r) => `${r.event}:${r.json().event_data.resources.map((x: { tag: string }) => x.tag)}`)
      expect(seen.sort()).toEqual(['DELETE_ARTIFACT:release-1', 'PUSH_ARTIFACT:release-1'])
      expect(target.requests.filter((r) => r.path === '/elsewhere' || r.path === '/disabled')).toEqual([])
    })
  })

  describe('delivery', () => {
    it('retries after 500, 500 and delivers on the third attempt with the same delivery id', async () => {
      const target = await receiver()
      target.respondWith(500, 500)
      const policy = await createPolicy({ targetUrl: target.url, secret: SECRET })
      const test = await api.post(`${base}/${policy.id}/test`, {}, { auth: owner })
      expect(test.status, test.describe()).toBe(202)
      const queued = test.json() as Delivery
      const hits = await target.waitForCount((r) => r.event === 'TEST', 3, 15_000)
      expect(hits.map((h) => h.delivery)).toEqual([queued.id, queued.id, queued.id])
      expect(new Set(hits.map((h) => h.body)).size).toBe(1) // the same body every time
      expect(hits.every(signed)).toBe(true)
      const done = await waitForStatus(policy.id, queued.id, 'delivered')
      expect(done.attempts).toBe(3)
      expect(done.attemptLog!.map((a) => [a.number, a.statusCode])).toEqual([
        [1, 500],
        [2, 500],
        [3, 200],
      ])
      expect(done.attemptLog![0].requestHeaders['X-Registry-Delivery']).toBe(queued.id)
      const listed = (await api.get(`${base}/${policy.id}`, { auth: owner })).json()
      expect(listed.lastDelivery).toMatchObject({ status: 'delivered', lastStatusCode: 200 })
      const log = await api.get(`${base}/${policy.id}/deliveries?status=delivered`, { auth: owner })
      expect(log.json().map((d: Delivery) => d.id)).toContain(queued.id)
      expect((await api.get(`${base}/${policy.id}/deliveries?status=failed`, { auth: owner })).header('x-total-count')).toBe('0')
    })

    it('marks a delivery failed when the receiver is down for the whole backoff, logs why, and redelivers it', async () => {
      const probe = await startWebhookReceiver()
      const port = probe.port
      await probe.close() // nothing listens there now
      const policy = await createPolicy({ targetUrl: `http://127.0.0.1:${port}/hook`, authHeader: 'Bearer ci-token' })
      const queued = (await api.post(`${base}/${policy.id}/test`, {}, { auth: owner })).json() as Delivery
      const failed = await waitForStatus(policy.id, queued.id, 'failed', 30_000)
      expect(failed.attempts).toBe(8)
      expect(failed.lastError).toMatch(/ECONNREFUSED|refused/i)
      expect(failed.attemptLog!.length).toBe(8)
      expect(failed.attemptLog![0].requestHeaders.Authorization).toBe('[redacted]')
      const failedList = await api.get(`${base}/${policy.id}/deliveries?status=failed`, { auth: owner })
      expect(failedList.json().map((d: Delivery) => d.id)).toEqual([queued.id])

      const back = await startWebhookReceiver({ port })
      receivers.push(back)
      const redelivered = await api.post(`${base}/${policy.id}/deliveries/${queued.id}/redeliver`, {}, { auth: owner })
      expect(redelivered.status, redelivered.describe()).toBe(202)
      const hit = await back.waitFor((r) => r.delivery === queued.id, 10_000)
      expect(hit.headers.authorization).toBe('Bearer ci-token')
      const done = await waitForStatus(policy.id, queued.id, 'delivered')
      expect(done.attemptLog!.map((a) => a.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    })

    it('does not follow a redirect, not even to an allowed address', async () => {
      const second = await receiver()
      const first = await startWebhookReceiver({ respond: () => ({ status: 302, headers: { location: `${second.url}/stolen` } }) })
      receivers.push(first)
      const policy = await createPolicy({ targetUrl: first.url })
      const queued = (await api.post(`${base}/${policy.id}/test`, {}, { auth: owner })).json() as Delivery
      await first.waitForCount((r) => r.delivery === queued.id, 2, 10_000)
      expect(second.requests).toEqual([])
      const current = await delivery(policy.id, queued.id)
      expect(current.attemptLog![0].statusCode).toBe(302)
      expect(current.status).not.toBe('delivered')
      expect((await api.delete(`${base}/${policy.id}`, { auth: owner })).status).toBe(204)
    })

    it('refuses to redeliver a pending delivery and answers 404 for unknown ids', async () => {
      const target = await receiver()
      target.hang = true
      const policy = await createPolicy({ targetUrl: target.url })
      const queued = (await api.post(`${base}/${policy.id}/test`, {}, { auth: owner })).json() as Delivery
      await target.waitFor((r) => r.delivery === queued.id, 10_000)
      expect((await api.post(`${base}/${policy.id}/deliveries/${queued.id}/redeliver`, {}, { auth: owner })).status).toBe(409)
      expect((await api.get(`${base}/${policy.id}/deliveries/not-a-uuid`, { auth: owner })).status).toBe(404)
      expect((await api.get(`${base}/${policy.id}/deliveries/00000000-0000-4000-8000-000000000000`, { auth: owner })).status).toBe(404)
      expect((await api.delete(`${base}/${policy.id}`, { auth: owner })).status).toBe(204)
    })

    it('sends system-wide policies the events of every project', async () => {
      const target = await receiver()
      const repo = `${project}/sys-${randomId(6)}`
      const policy = await createPolicy({ targetUrl: target.url, eventTypes: ['PUSH_ARTIFACT'], repositoryFilter: repo }, admin, '/api/v1/webhooks')
      await registryClient(reg.url, owner).pushImage(repo, ociImage(), 'latest')
      const hit = await target.waitFor((r) => r.event === 'PUSH_ARTIFACT', 10_000)
      expect(hit.json().event_data.repository.repo_full_name).toBe(repo)
      expect((await api.delete(`/api/v1/webhooks/${policy.id}`, { auth: admin })).status).toBe(204)
    })
  })
})
