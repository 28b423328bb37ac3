// A server with the default outbound rules (no WEBHOOK_ALLOWED_NETWORKS): a webhook on 127.0.0.1, or
// on a host name that resolves to loopback, is refused when saved, and so is a name that does not
// resolve. A policy an older version saved with such a name is refused when connecting: the delivery
// fails at once with the reason and the receiver never hears a thing. Its own server.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient } from '../support/api'
import { createUser } from '../../lib/users'
import { startOwnServer, type OwnServerWithReceiver } from '../support/own-server'
import type { RunningServer } from '../support/registry-server'
import { seedDatabase } from '../support/seed'
import type { WebhookReceiver } from '../support/webhook-receiver'

describe.skipIf(!!process.env.REGISTRY_URL)('webhook targets with the default outbound rules', () => {
  let own: OwnServerWithReceiver
  let server: RunningServer
  let receiver: WebhookReceiver
  let base: string
  let auth: { user: string; password: string }

  beforeAll(async () => {
    // Saved by an older version, which checked only literal addresses when saving.
    const seedLegacyPolicy = (databaseUrl: string, receiver: WebhookReceiver) =>
      seedDatabase(databaseUrl, async (prisma) => {
        const owner = await createUser(prisma, { username: 'legacy', password: `Legacy-${randomUUID()}` })
        const project = await prisma.project.findUniqueOrThrow({ where: { name: owner.username } })
        await prisma.webhookPolicy.create({ data: { projectId: project.id, name: 'by-name', eventTypes: ['PUSH_ARTIFACT'], targetUrl: `http://localhost:${receiver.port}/hook` } })
      })
    own = await startOwnServer({
      receiver: true,
      options: (r) => ({ env: { WEBHOOK_ALLOWED_NETWORKS: '' }, prepare: ({ databaseUrl }) => seedLegacyPolicy(databaseUrl, r) }),
    })
    ;({ server, receiver, admin: auth } = own)
    base = `/api/v1/projects/${server.adminUser}/webhooks`
  }, 300_000)
  afterAll(() => own?.dispose())

  it('refuses a policy whose target is a loopback address, saying why', async () => {
    const res = await apiClient(server.url).post(base, { name: 'loop', eventTypes: ['PUSH_ARTIFACT'], targetUrl: receiver.url }, { auth })
    expect(res.status, res.describe()).toBe(400)
    expect(res.json().errors[0].message).toMatch(/127\.0\.0\.1.*loopback/)
  })

  it('refuses a host name that resolves to loopback when the policy is saved, as created or changed', async () => {
    const api = apiClient(server.url)
    const byName = `http://localhost:${receiver.port}/hook`
    const created = await api.post(base, { name: 'by-name', eventTypes: ['PUSH_ARTIFACT'], targetUrl: byName }, { auth })
    expect(created.status, created.describe()).toBe(400)
    // The first refused address is named: 127.0.0.1, or ::1 where localhost resolves to it first.
    expect(created.json().errors[0].message).toMatch(
      /^targetUrl is not allowed: localhost resolves to (127\.0\.0\.1: 127\.0\.0\.1 is a loopback address \(127\.0\.0\.0\/8\)|::1: ::1 is a loopback address \(::1\/128\)); allow it with WEBHOOK_ALLOWED_NETWORKS$/,
    )
    const public_ = await api.post(base, { name: 'public', eventTypes: ['PUSH_ARTIFACT'], targetUrl: 'http://93.184.215.14/hook' }, { auth })
    expect(public_.status, public_.describe()).toBe(201)
    const patched = await api.patch(`${base}/${public_.json().id}`, { targetUrl: byName }, { auth })
    expect(patched.status, patched.describe()).toBe(400)
    expect(patched.json().errors[0].message).toMatch(/^targetUrl is not allowed: localhost resolves to .*loopback/)
    expect((await api.get(`${base}/${public_.json().id}`, { auth })).json().targetUrl).toBe('http://93.184.215.14/hook')
  })

  it('refuses a host name that does not resolve when the policy is saved', async () => {
    const res = await apiClient(server.url).post(base, { name: 'nowhere', eventTypes: ['PUSH_ARTIFACT'], targetUrl: 'http://hook.does-not-exist.invalid/' }, { auth })
    expect(res.status, res.describe()).toBe(400)
    expect(res.json().errors[0].message).toMatch(/^targetUrl is not allowed: hook\.does-not-exist\.invalid does not resolve \([A-Z_]+\)/)
  })

  it('refuses at connect time a host name that resolves to loopback (a policy saved by an older version)', async () => {
    const api = apiClient(server.url)
    const legacy = '/api/v1/projects/legacy/webhooks'
    const [policy] = (await api.get(legacy, { auth })).json()
    expect(policy.targetUrl).toBe(`http://localhost:${receiver.port}/hook`)
    const queued = (await api.post(`${legacy}/${policy.id}/test`, {}, { auth })).json()
    const deadline = Date.now() + 15_000
    let delivery
    do {
      await new Promise((r) => setTimeout(r, 200))
      delivery = (await api.get(`${legacy}/${policy.id}/deliveries/${queued.id}`, { auth })).json()
    } while (delivery.status === 'pending' && Date.now() < deadline)
    expect(delivery.status).toBe('failed')
    expect(delivery.attempts).toBe(1) // a refusal is final: no retries
    expect(delivery.lastError).toMatch(/loopback/)
    expect(receiver.requests).toEqual([])
  })
})
