// Pull bookkeeping (pull counts, last-pull times, PULL_ARTIFACT webhooks) is kept off the request
// path and batched, yet exact: N concurrent pulls count N, and the events promised to a policy carry
// them all; a graceful stop (SIGTERM) writes what is still pending. This file starts its OWN server
// so it can stop it. On PostgreSQL when TEST_DATABASE=postgres, else PGlite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient } from '../support/api'
import { ociImage, registryClient, type RegistryClient } from '../support/oci'
import { startOwnServer, type OwnServerWithReceiver } from '../support/own-server'
import type { RunningServer } from '../support/registry-server'
import type { ReceivedRequest, WebhookReceiver } from '../support/webhook-receiver'

const skip = !!process.env.REGISTRY_URL

describe.skipIf(skip)('pull counts and pull webhooks', () => {
  let own: OwnServerWithReceiver
  let server: RunningServer
  let receiver: WebhookReceiver
  let client: RegistryClient
  let auth: { user: string; password: string }

  beforeAll(async () => {
    own = await startOwnServer({ receiver: true })
    ;({ server, receiver, admin: auth } = own)
    client = registryClient(server.url, auth)
    const res = await apiClient(server.url).post(
      `/api/v1/projects/${server.adminUser}/webhooks`,
      { name: 'pulls', eventTypes: ['PULL_ARTIFACT'], targetUrl: receiver.url },
      { auth },
    )
    expect(res.status, res.describe()).toBe(201)
  }, 300_000)
  afterAll(() => own?.dispose())

  const artifactOf = async (name: string, reference: string) => {
    const path = `/api/v1/projects/${server.adminUser}/repositories/${encodeURIComponent(name)}/artifacts/${reference}`
    const res = await apiClient(server.url).get(path, { auth })
    expect(res.status, res.describe()).toBe(200)
    return res.json() as { pullCount: number; lastPulledAt: string | null }
  }
  const repositoryOf = async (name: string) => {
    const res = await apiClient(server.url).get(`/api/v1/projects/${server.adminUser}/repositories/${encodeURIComponent(name)}`, { auth })
    expect(res.status, res.describe()).toBe(200)
    return res.json() as { pullCount: number }
  }
  const pullsOf = (digest: string) => (r: ReceivedRequest) => r.event === 'PULL_ARTIFACT' && r.json().event_data.resources[0].digest === digest
  /** Pulls carried by the deliveries among `requests` (an attempt that was retried counts once). */
  const pulledIn = (requests: ReceivedRequest[]) => [...new Map(requests.map((r) => [r.delivery, r])).values()].reduce((sum, r) => sum + r.json().event_data.pull_count, 0)

  /** Polls until `read` returns a value `done` accepts (pull counts are written within about a second). */
  async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const until = Date.now() + timeoutMs
    for (;;) {
      const value = await read()
      if (done(value) || Date.now() > until) return value
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }

  it('counts N concurrent pulls exactly, sets the last pull time and delivers PULL_ARTIFACT events carrying all N', async () => {
    const name = 'pulls/concurrent'
    const repo = `${server.adminUser}/${name}`
    const a = ociImage()
    const b = ociImage()
    await client.pushImage(repo, a, 'a')
    await client.pushImage(repo, b, 'b')
    const before = Date.now()
    const pulls = 120
    const statuses = await Promise.all(Array.from({ length: pulls }, async (_, i) => (await client.getManifest(repo, i % 3 === 2 ? b.manifest.digest : 'a')).status))
    expect(statuses.every((s) => s === 200)).toBe(true)
    const ofA = await eventually(
      () => artifactOf(name, 'a'),
      (x) => x.pullCount >= 80,
    )
    expect(ofA.pullCount).toBe(80)
    expect(Date.parse(ofA.lastPulledAt!)).toBeGreaterThanOrEqual(before - 1000)
    expect((await artifactOf(name, b.manifest.digest)).pullCount).toBe(40)
    expect((await repositoryOf(name)).pullCount).toBe(pulls)

    const eventsA = await eventually(
      async () => receiver.requests.filter(pullsOf(a.manifest.digest)),
      (r) => pulledIn(r) >= 80,
    )
    expect(pulledIn(eventsA)).toBe(80)
    expect(eventsA[0].json()).toMatchObject({ operator: server.adminUser, event_data: { resources: [{ tag: 'a' }] } })
    const eventsB = await eventually(
      async () => receiver.requests.filter(pullsOf(b.manifest.digest)),
      (r) => pulledIn(r) >= 40,
    )
    expect(pulledIn(eventsB)).toBe(40)
  }, 120_000)

  it('writes pending pull counts and their webhook events on a graceful stop (SIGTERM)', async () => {
    const name = 'pulls/stopped'
    const repo = `${server.adminUser}/${name}`
    const image = ociImage()
    await client.pushImage(repo, image, 'v1')
    for (let i = 0; i < 7; i++) expect((await client.getManifest(repo, 'v1')).status).toBe(200)
    // At once, well within the flush interval: only the stop itself can have written the counts.
    await server.stop()
    await server.restart()
    expect((await artifactOf(name, 'v1')).pullCount).toBe(7)
    expect((await repositoryOf(name)).pullCount).toBe(7)
    const events = await eventually(
      async () => receiver.requests.filter(pullsOf(image.manifest.digest)),
      (r) => pulledIn(r) >= 7,
      30_000,
    )
    expect(pulledIn(events)).toBe(7)
  }, 180_000)
})
