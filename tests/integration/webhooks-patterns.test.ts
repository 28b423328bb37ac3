// Webhook filters cannot take the registry down. Its own server, started on a database that already
// holds what an older version let in: a policy whose filter no longer compiles and one whose filter
// made a backtracking regular expression run for ages, and events waiting in the outbox.
// - The server listens all the same, the broken policy's deliveries are marked failed with the
//   reason, and the other policies' deliveries go out.
// - A signed-up user's policy with the pathological filter, and a push of a tag of 128 `a`s: the
//   push and the delivery of another policy take well under a second and `/v2/` answers throughout.
// - Filters are bounded when saved.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUser } from '../../lib/users'
import { apiClient, type ApiCredentials } from '../support/api'
import { ociImage, registryClient } from '../support/oci'
import { startOwnServer, type OwnServerWithReceiver } from '../support/own-server'
import type { RunningServer } from '../support/registry-server'
import { seedDatabase } from '../support/seed'
import type { WebhookReceiver } from '../support/webhook-receiver'

const PATHOLOGICAL = '*a*a*a*a*a*a*a*a*a*a*b'
const LONG_TAG = 'a'.repeat(128)

describe.skipIf(!!process.env.REGISTRY_URL)('webhook filters against a hostile or broken policy', () => {
  let own: OwnServerWithReceiver
  let server: RunningServer
  let receiver: WebhookReceiver

  /** Policies and pending outbox events in project `legacy`, written as an older version allowed. */
  const seedLegacyRows = (databaseUrl: string, receiver: WebhookReceiver) =>
    seedDatabase(databaseUrl, async (prisma) => {
      await createUser(prisma, { username: 'legacy', password: `Legacy-${randomUUID()}` }, { isAdmin: false })
      const project = await prisma.project.findUniqueOrThrow({ where: { name: 'legacy' } })
      const policy = (name: string, filters: { repositoryFilter?: string; tagFilter?: string }) =>
        prisma.webhookPolicy.create({ data: { projectId: project.id, name, eventTypes: ['PUSH_ARTIFACT'], targetUrl: `${receiver.url}/${name}`, ...filters } })
      // In this order the former worker ran the stalling filter first, before the server listened.
      await policy('stalling', { tagFilter: PATHOLOGICAL })
      await policy('broken', { repositoryFilter: `legacy/${'x'.repeat(300)}` })
      await policy('plain', {})
      const digest = `sha256:${'a'.repeat(64)}`
      for (const tag of [LONG_TAG, 'v1']) {
        await prisma.webhookEvent.create({ data: { type: 'PUSH_ARTIFACT', projectId: project.id, repository: 'legacy/app', digest, tags: [tag], operator: 'legacy' } })
      }
    })

  beforeAll(async () => {
    own = await startOwnServer({ receiver: true, options: (r) => ({ readyTimeoutMs: 60_000, prepare: ({ databaseUrl }) => seedLegacyRows(databaseUrl, r) }) })
    ;({ server, receiver } = own)
  }, 300_000)
  afterAll(() => own?.dispose())

  const admin = () => ({ user: server.adminUser, password: server.adminPassword })
  const tagOf = (r: { json(): any }) => r.json().event_data.resources[0].tag as string

  it('listens, marks the broken policy’s deliveries failed, and delivers everyone else’s', async () => {
    const plain = await receiver.waitForCount((r) => r.path === '/plain', 2, 15_000)
    expect(plain.map(tagOf).sort()).toEqual([LONG_TAG, 'v1'].sort())
    expect(receiver.requests.filter((r) => r.path !== '/plain')).toEqual([])
    const api = apiClient(server.url)
    const policies = (await api.get('/api/v1/projects/legacy/webhooks', { auth: admin() })).json() as { id: number; name: string }[]
    const broken = policies.find((p) => p.name === 'broken')!
    const deliveries = (await api.get(`/api/v1/projects/legacy/webhooks/${broken.id}/deliveries`, { auth: admin() })).json() as { id: string; status: string; lastError: string }[]
    expect(deliveries.map((d) => d.status)).toEqual(['failed', 'failed'])
    expect(deliveries[0].lastError).toMatch(/repository filter is invalid \(a pattern must be at most 256 characters\)/)
    const again = await api.post(`/api/v1/projects/legacy/webhooks/${broken.id}/deliveries/${deliveries[0].id}/redeliver`, {}, { auth: admin() })
    expect(again.status, again.describe()).toBe(409)
    expect(again.json().errors[0].message).toMatch(/was never prepared \(.*repository filter is invalid/)
  }, 60_000)

  it('a user’s pathological tag filter costs nothing: push, delivery and /v2/ stay fast', async () => {
    const api = apiClient(server.url)
    const mallory: ApiCredentials = await api.signup('mallory')
    const base = `/api/v1/projects/${mallory.user}/webhooks`
    const hostile = await api.post(base, { name: 'hostile', eventTypes: ['PUSH_ARTIFACT'], targetUrl: `${receiver.url}/hostile`, tagFilter: PATHOLOGICAL }, { auth: mallory })
    expect(hostile.status, hostile.describe()).toBe(201)
    const watcher = await api.post(base, { name: 'watcher', eventTypes: ['PUSH_ARTIFACT'], targetUrl: `${receiver.url}/watcher`, tagFilter: 'a*' }, { auth: mallory })
    expect(watcher.status, watcher.describe()).toBe(201)

    // /v2/ is probed every 50 ms while the push and its fan-out run; every probe must answer quickly.
    let probing = true
    const probes: number[] = []
    const prober = (async () => {
      while (probing) {
        const started = performance.now()
        const res = await fetch(`${server.url}/v2/`, { signal: AbortSignal.timeout(2000) })
        await res.arrayBuffer()
        expect([200, 401]).toContain(res.status)
        probes.push(performance.now() - started)
        await new Promise((r) => setTimeout(r, 50))
      }
    })()
    const image = ociImage()
    const client = registryClient(server.url, mallory)
    await client.pushImage(`${mallory.user}/app`, image, 'base') // blobs and the repository exist; the timed push is the tag
    const startedAt = Date.now()
    const started = performance.now()
    const put = await client.putManifest(`${mallory.user}/app`, LONG_TAG, image.manifest)
    expect(put.status).toBe(201)
    const pushedMs = performance.now() - started
    const delivered = await receiver.waitFor((r) => r.path === '/watcher' && tagOf(r) === LONG_TAG, 5_000)
    const deliveredMs = delivered.receivedAt - startedAt
    await new Promise((r) => setTimeout(r, 300))
    probing = false
    await prober
    expect(pushedMs).toBeLessThan(1000)
    expect(deliveredMs).toBeLessThan(1000)
    expect(probes.length).toBeGreaterThan(3)
    expect(Math.max(...probes)).toBeLessThan(1000)
    expect(receiver.requests.filter((r) => r.path === '/hostile')).toEqual([])
  }, 60_000)

  it('refuses a filter longer than 256 characters when it is saved, saying why', async () => {
    const api = apiClient(server.url)
    const base = `/api/v1/projects/${server.adminUser}/webhooks`
    const tooLong = `v${'*a'.repeat(128)}`
    const created = await api.post(base, { name: 'long', eventTypes: ['PUSH_ARTIFACT'], targetUrl: `${receiver.url}/long`, tagFilter: tooLong }, { auth: admin() })
    expect(created.status, created.describe()).toBe(400)
    expect(created.json().errors[0].message).toMatch(/tagFilter.*at most 256 characters/)
    const ok = await api.post(base, { name: 'ok', eventTypes: ['PUSH_ARTIFACT'], targetUrl: `${receiver.url}/ok` }, { auth: admin() })
    const patched = await api.patch(`${base}/${ok.json().id}`, { repositoryFilter: 'x'.repeat(257) }, { auth: admin() })
    expect(patched.status, patched.describe()).toBe(400)
    expect(patched.json().errors[0].message).toMatch(/repositoryFilter.*at most 256 characters/)
  })
})
