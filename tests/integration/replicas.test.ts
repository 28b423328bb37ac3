// Two server processes (replicas) on one PostgreSQL and one data directory: webhook events are
// delivered exactly once, and an upload session started on one continues and finishes on the other.
// PostgreSQL runs only: PGlite belongs to one process. Starts its OWN servers.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectStatus } from '../support/assertions'
import { ociImage, randomBlob, registryClient, sha256, withDigest } from '../support/oci'
import { createTestDatabase, type TestDatabase } from '../support/postgres'
import { startRegistryServer, type RunningServer } from '../support/registry-server'
import { createPushWebhook, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver'

const skip = !!process.env.REGISTRY_URL
const onPostgres = process.env.TEST_DATABASE === 'postgres'

describe.skipIf(skip || !onPostgres)('two server processes on one PostgreSQL', () => {
  let db: TestDatabase
  let dataDir: string
  let servers: RunningServer[] = []
  let receiver: WebhookReceiver

  beforeAll(async () => {
    db = await createTestDatabase()
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'registry-two-'))
    // Replicas: one database, one data directory (blobs, token key, session secret).
    const first = await startRegistryServer({ databaseUrl: db.url, dataDir })
    const second = await startRegistryServer({ databaseUrl: db.url, dataDir, env: { ADMIN_PASSWORD: first.adminPassword } })
    servers = [first, second]
    receiver = await startWebhookReceiver()
    await createPushWebhook(first, receiver.url)
  }, 300_000)
  afterAll(async () => {
    await receiver?.close()
    for (const s of servers) await s.dispose()
    await db?.drop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('delivers each event once', async () => {
    const pushes = 24
    await Promise.all(
      Array.from({ length: pushes }, (_, i) => {
        const server = servers[i % 2]
        return registryClient(server.url, { user: server.adminUser, password: server.adminPassword }).pushImage(`${server.adminUser}/replicas`, ociImage(), `t${i}`)
      }),
    )
    await receiver.waitForCount(() => true, pushes, 30_000)
    await new Promise((r) => setTimeout(r, 3000)) // time for a duplicate to show up
    const tags = receiver.requests.map((r) => r.json().event_data.resources[0].tag as string)
    expect(tags.sort()).toEqual(Array.from({ length: pushes }, (_, i) => `t${i}`).sort())
    expect(new Set(receiver.requests.map((r) => r.delivery)).size).toBe(pushes)
  }, 120_000)

  it('an upload session started on one replica continues and finishes on the other', async () => {
    const [a, b] = servers.map((s) => registryClient(s.url, { user: s.adminUser, password: s.adminPassword }))
    const repo = `${servers[0].adminUser}/replica-upload`
    const pathOf = (location: string | null) => new URL(location!, servers[0].url).pathname

    const blob = randomBlob(300_000)
    const post = await a.startUpload(repo)
    expectStatus(post, 202)
    const session = pathOf(post.header('location'))
    expectStatus(await b.patchChunk(session, blob.content.subarray(0, 100_000), 0), 202)
    expectStatus(await a.patchChunk(session, blob.content.subarray(100_000), 100_000), 202)
    const status = await b.get(session)
    expectStatus(status, 204)
    expect(status.header('range')).toBe(`0-${blob.size - 1}`)
    expectStatus(await b.request('PUT', withDigest(session, blob.digest), { headers: { 'content-length': '0' } }), 201)
    expect(sha256((await a.getBlob(repo, blob.digest)).body)).toBe(blob.digest)

    // The one-request completion of a small blob, started on the other side.
    const small = randomBlob(200)
    const smallSession = pathOf((await b.startUpload(repo)).header('location'))
    expectStatus(await a.request('PUT', withDigest(smallSession, small.digest), { body: small.content }), 201)
    expect(sha256((await b.getBlob(repo, small.digest)).body)).toBe(small.digest)
    expectStatus(await b.request('PUT', withDigest(smallSession, small.digest), { body: small.content }), 404)
  }, 60_000)
})
