// Webhook delivery survives the process: this file starts its OWN servers so it can kill them.
// - SIGKILL while a delivery is in flight (sent, not acknowledged) and right after a push is
//   acknowledged: after a restart the event arrives, under the same delivery id.
// Two server processes on one PostgreSQL: see replicas.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient } from '../support/api'
import { ociImage, registryClient } from '../support/oci'
import { startOwnServer, type OwnServerWithReceiver } from '../support/own-server'
import type { RunningServer } from '../support/registry-server'
import { createPushWebhook, type WebhookReceiver } from '../support/webhook-receiver'

const skip = !!process.env.REGISTRY_URL

describe.skipIf(skip)('webhook deliveries across crashes', () => {
  let own: OwnServerWithReceiver
  let server: RunningServer
  let receiver: WebhookReceiver
  let policyId: number

  beforeAll(async () => {
    own = await startOwnServer({ receiver: true })
    ;({ server, receiver } = own)
    policyId = await createPushWebhook(server, receiver.url)
  }, 300_000)
  afterAll(() => own?.dispose())

  const push = async (tag: string) => {
    const image = ociImage()
    await registryClient(server.url, { user: server.adminUser, password: server.adminPassword }).pushImage(`${server.adminUser}/durable`, image, tag)
    return image.manifest.digest
  }
  const tagOf = (r: { json(): any }) => r.json().event_data.resources[0].tag as string

  it('delivers an event whose delivery was in flight when the server was killed', async () => {
    receiver.hang = true
    await push('in-flight')
    const first = await receiver.waitFor((r) => tagOf(r) === 'in-flight', 10_000)
    await server.kill()
    receiver.hang = false
    await server.restart()
    const again = await receiver.waitForCount((r) => tagOf(r) === 'in-flight', 2, 30_000)
    expect(again[1].delivery).toBe(first.delivery)
    const res = await apiClient(server.url).get(`/api/v1/projects/${server.adminUser}/webhooks/${policyId}/deliveries/${first.delivery}`, {
      auth: { user: server.adminUser, password: server.adminPassword },
    })
    expect(res.json()).toMatchObject({ status: 'delivered' })
  }, 120_000)

  it('delivers an event committed just before the server was killed', async () => {
    const digest = await push('just-committed')
    await server.kill()
    await server.restart()
    const hits = await receiver.waitFor((r) => tagOf(r) === 'just-committed', 30_000)
    expect(hits.json().event_data.resources[0].digest).toBe(digest)
  }, 120_000)
})

// Registered only in the PostgreSQL run: it is not a PGlite case (PGlite serves one process), so the
// PGlite run does not list it as skipped.
