// A server with the default outbound rules (no WEBHOOK_ALLOWED_NETWORKS): a webhook on 127.0.0.1 is
// refused when saved, and a host name that resolves to loopback is refused when connecting; the
// delivery fails at once with the reason and the receiver never hears a thing. Its own server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient } from '../support/api'
import { createTestDatabase, type TestDatabase } from '../support/postgres'
import { startRegistryServer, type RunningServer } from '../support/registry-server'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver'

describe.skipIf(!!process.env.REGISTRY_URL)('webhook targets with the default outbound rules', () => {
  let server: RunningServer
  let db: TestDatabase | undefined
  let receiver: WebhookReceiver
  let base: string
  let auth: { user: string; password: string }

  beforeAll(async () => {
    if (process.env.TEST_DATABASE === 'postgres') db = await createTestDatabase()
    server = await startRegistryServer({ databaseUrl: db?.url, env: { WEBHOOK_ALLOWED_NETWORKS: '' } })
    receiver = await startWebhookReceiver()
    base = `/api/v1/projects/${server.adminUser}/webhooks`
    auth = { user: server.adminUser, password: server.adminPassword }
  }, 300_000)
  afterAll(async () => {
    await receiver?.close()
    await server?.dispose()
    await db?.drop()
  })

  it('refuses a policy whose target is a loopback address, saying why', async () => {
    const res = await apiClient(server.url).post(base, { name: 'loop', eventTypes: ['PUSH_ARTIFACT'], targetUrl: receiver.url }, { auth })
    expect(res.status, res.describe()).toBe(400)
    expect(res.json().errors[0].message).toMatch(/127\.0\.0\.1.*loopback/)
  })

  it('refuses at connect time a host name that resolves to loopback', async () => {
    const api = apiClient(server.url)
    const created = await api.post(base, { name: 'by-name', eventTypes: ['PUSH_ARTIFACT'], targetUrl: `http://localhost:${receiver.port}/hook` }, { auth })
    expect(created.status, created.describe()).toBe(201)
    const id = created.json().id
    const queued = (await api.post(`${base}/${id}/test`, {}, { auth })).json()
    const deadline = Date.now() + 15_000
    let delivery
    do {
      await new Promise((r) => setTimeout(r, 200))
      delivery = (await api.get(`${base}/${id}/deliveries/${queued.id}`, { auth })).json()
    } while (delivery.status === 'pending' && Date.now() < deadline)
    expect(delivery.status).toBe('failed')
    expect(delivery.attempts).toBe(1) // a refusal is final: no retries
    expect(delivery.lastError).toMatch(/loopback/)
    expect(receiver.requests).toEqual([])
  })
})
