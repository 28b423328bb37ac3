// The webhook outbox and delivery pipeline against real databases (PGlite always, PostgreSQL when
// TEST_POSTGRES_URL is set): events are written with the change that caused them and only when a
// policy wants them; fan-out honours event types and filters; two workers never claim the same
// delivery; attempts move a delivery through retry to delivered or failed; a lost lease writes nothing.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { migrateDeploy } from '../../lib/db/migrate'
import { createPrisma, type PrismaClient } from '../../lib/db/prisma'
import type { Prisma } from '../../lib/generated/prisma/client'
import { PrismaRegistryIndex } from '../../lib/registry/prisma-index'
import { RecordingEventSink } from '../../lib/registry/event-sink'
import { claimDue, fanOut, purgeFinished, recordAttempt, type RetrySettings } from '../../lib/webhooks/deliveries'
import { WebhookWorker } from '../../lib/webhooks/worker'
import { SecretBox } from '../../lib/secrets/envelope'
import { startWebhookReceiver } from '../support/webhook-receiver'
import { BACKENDS, openBackend, type Backend } from './backends'
import { configLessArtifact, OCI_MANIFEST, silentLogger } from './fixtures'

const RENDER = { registryHost: 'registry.test:5000', source: 'http://registry.test:5000' }
const RETRY: RetrySettings = { maxAttempts: 3, retryBaseMs: 1, retryMaxMs: 1 }
describe.each(BACKENDS)('webhook outbox and deliveries on %s', (backendName) => {
  let backend: Backend
  let prisma: PrismaClient
  let index: PrismaRegistryIndex
  let projectId: number
  let otherProjectId: number

  beforeAll(async () => {
    backend = await openBackend(backendName)
    await migrateDeploy(backend.url, { log: () => {}, keepPgliteOpen: true })
    prisma = createPrisma(backend.url)
    index = new PrismaRegistryIndex(prisma)
    projectId = (await prisma.project.create({ data: { name: 'hooks' } })).id
    otherProjectId = (await prisma.project.create({ data: { name: 'quiet' } })).id
  })
  afterAll(async () => {
    await prisma?.$disconnect()
    await backend?.cleanup()
  })
  beforeEach(async () => {
    await prisma.webhookPolicy.deleteMany({})
    await prisma.webhookEvent.deleteMany({})
  })

  const policy = (data: Partial<Prisma.WebhookPolicyUncheckedCreateInput> = {}) =>
    prisma.webhookPolicy.create({
      data: { projectId, name: `p-${randomUUID()}`, eventTypes: ['PUSH_ARTIFACT', 'DELETE_TAG', 'DELETE_ARTIFACT', 'PULL_ARTIFACT'], targetUrl: 'http://127.0.0.1:9/', ...data },
    })

  it('writes no event when no enabled policy wants it', async () => {
    await policy({ enabled: false })
    await policy({ eventTypes: ['DELETE_TAG'] })
    await policy({ projectId: otherProjectId })
    expect(await index.putManifest('hooks/app', configLessArtifact(), 'v1', { name: 'alice' })).toEqual({ ok: true })
    expect(await prisma.webhookEvent.count()).toBe(0)
  })

  it('records push, tag delete and artifact delete events with the change, with operator, tags and size', async () => {
    await policy()
    const m = configLessArtifact()
    await index.putManifest('hooks/app', m, 'v1', { name: 'alice' })
    await index.putManifest('hooks/app', m, 'v2', { name: 'alice' })
    await index.deleteTag('hooks/app', 'v1', { name: 'bob' })
    await index.deleteManifest('hooks/app', m.digest, { name: 'carol' })
    const events = await prisma.webhookEvent.findMany({ orderBy: { occurredAt: 'asc' } })
    expect(events.map((e) => [e.type, e.tags, e.operator, e.projectId, e.digest])).toEqual([
      ['PUSH_ARTIFACT', ['v1'], 'alice', projectId, m.digest],
      ['PUSH_ARTIFACT', ['v2'], 'alice', projectId, m.digest],
      ['DELETE_TAG', ['v1'], 'bob', projectId, m.digest],
      ['DELETE_ARTIFACT', ['v2'], 'carol', projectId, m.digest],
    ])
    expect(events.every((e) => e.mediaType === OCI_MANIFEST && Number(e.size) === m.content.length)).toBe(true)
  })

  it('writes no event when the change fails (missing reference) or does not happen (unknown tag)', async () => {
    await policy()
    const m = configLessArtifact()
    m.references = [{ kind: 'blob', digest: `sha256:${'0'.repeat(64)}`, size: 1, mediaType: 'application/octet-stream' }]
    expect((await index.putManifest('hooks/app', m, 'broken', { name: 'alice' })).ok).toBe(false)
    expect(await index.deleteTag('hooks/app', 'never-there', { name: 'alice' })).toBeNull()
    expect(await index.deleteManifest('hooks/app', `sha256:${'1'.repeat(64)}`, { name: 'alice' })).toBeNull()
    expect(await prisma.webhookEvent.count()).toBe(0)
  })

  it('writes no PUSH_ARTIFACT for a manifest cached from an upstream (a cache fill is no push); its pulls write PULL_ARTIFACT', async () => {
    await policy()
    const m = configLessArtifact()
    expect(await index.putManifest('hooks/cached', m, 'v1', { name: 'puller' }, { cached: true })).toEqual({ ok: true })
    expect(await prisma.webhookEvent.count()).toBe(0)
    const sink = new RecordingEventSink(prisma, silentLogger, 60_000)
    sink.emit({ type: 'manifest.pulled', repository: 'hooks/cached', digest: m.digest, tag: 'v1', actor: { name: 'puller' }, at: new Date() })
    await sink.flush()
    expect((await prisma.webhookEvent.findMany()).map((e) => [e.type, e.operator, e.tags])).toEqual([['PULL_ARTIFACT', 'puller', ['v1']]])
  })

  it('coalesces pulls of one artifact by one operator into one event carrying the count', async () => {
    await policy({ eventTypes: ['PULL_ARTIFACT'] })
    const m = configLessArtifact()
    await index.putManifest('hooks/pulled', m, 'latest', { name: 'alice' })
    const sink = new RecordingEventSink(prisma, silentLogger, 60_000)
    const pull = (name: string | undefined, tag?: string) =>
      sink.emit({ type: 'manifest.pulled', repository: 'hooks/pulled', digest: m.digest, tag, actor: { name }, at: new Date() })
    pull('dave', 'latest')
    pull('dave')
    pull('dave', 'latest')
    pull(undefined, 'latest')
    await sink.flush()
    const events = await prisma.webhookEvent.findMany({ where: { type: 'PULL_ARTIFACT' }, orderBy: { operator: 'asc' } })
    expect(events.map((e) => [e.operator, e.pullCount, e.tags])).toEqual([
      ['anonymous', 1, ['latest']],
      ['dave', 3, ['latest']],
    ])
  })

  it('fans events out to matching policies with filters, renders payloads once, and empties the outbox', async () => {
    const all = await policy()
    const tagged = await policy({ tagFilter: 'v*', format: 'cloudevents' })
    const elsewhere = await policy({ repositoryFilter: 'hooks/other-*' })
    const system = await policy({ projectId: null, eventTypes: ['PUSH_ARTIFACT'], repositoryFilter: 'hooks/**' })
    const m = configLessArtifact()
    await index.putManifest('hooks/fan/out', m, 'v1', { name: 'alice' })
    await index.putManifest('hooks/fan/out', m, 'latest', { name: 'alice' })
    expect((await fanOut(prisma, RENDER, { max: 0, ms: 30_000 })).events).toBe(2)
    expect(await prisma.webhookEvent.count()).toBe(0)
    const deliveries = await prisma.webhookDelivery.findMany({ where: { repository: 'hooks/fan/out' } })
    const byPolicy = (id: number) =>
      deliveries
        .filter((d) => d.policyId === id)
        .map((d) => d.tags[0])
        .sort()
    expect(byPolicy(all.id)).toEqual(['latest', 'v1'])
    expect(byPolicy(tagged.id)).toEqual(['v1'])
    expect(byPolicy(elsewhere.id)).toEqual([])
    expect(byPolicy(system.id)).toEqual(['latest', 'v1'])
    const cloud = deliveries.find((d) => d.policyId === tagged.id)!
    expect(cloud.contentType).toBe('application/cloudevents+json')
    const body = JSON.parse(cloud.payload)
    expect(body.id).toBe(cloud.eventId)
    const harbor = JSON.parse(deliveries.find((d) => d.policyId === all.id && d.tags[0] === 'v1')!.payload)
    expect(harbor.type).toBe('PUSH_ARTIFACT')
    expect(harbor.operator).toBe('alice')
    expect(harbor.event_data.repository.repo_full_name).toBe('hooks/fan/out')
    expect(harbor.event_data.resources[0].digest).toBe(m.digest)
    expect(harbor.event_data.resources[0].tag).toBe('v1')
  })

  it('never hands one delivery to two workers, and records attempts through retry to delivered or failed', async () => {
    await policy({ eventTypes: ['PUSH_ARTIFACT'] })
    for (let i = 0; i < 12; i++) await index.putManifest('hooks/claims', configLessArtifact(), `t${i}`, { name: 'alice' })
    await fanOut(prisma, RENDER, { max: 0, ms: 30_000 })
    const [a, b] = await Promise.all([claimDue(prisma, 8, 30_000), claimDue(prisma, 8, 30_000)])
    const ids = [...a, ...b].map((d) => d.id)
    expect(ids.length).toBe(12)
    expect(new Set(ids).size).toBe(12)
    expect(await claimDue(prisma, 8, 30_000)).toEqual([]) // all leased

    const [first, second] = a
    const response = (status: number) => ({ kind: 'response' as const, status, headers: {}, bodySnippet: 'ok', latencyMs: 3 })
    // A lost lease (another worker took over) writes nothing.
    expect(await recordAttempt(prisma, { ...first, leaseToken: 'not-ours' }, { startedAt: new Date(), requestHeaders: {}, result: response(200) }, RETRY)).toBe(false)
    expect(await prisma.webhookAttempt.count({ where: { deliveryId: first.id } })).toBe(0)

    expect(await recordAttempt(prisma, first, { startedAt: new Date(), requestHeaders: { 'X-Registry-Delivery': first.id }, result: response(500) }, RETRY)).toBe(true)
    let row = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: first.id } })
    expect([row.status, row.attempts, row.lastStatusCode, row.leaseToken]).toEqual(['pending', 1, 500, null])
    await new Promise((r) => setTimeout(r, 20))
    const [again] = (await claimDue(prisma, 20, 30_000)).filter((d) => d.id === first.id)
    expect(again).toBeDefined()
    await recordAttempt(prisma, again, { startedAt: new Date(), requestHeaders: {}, result: response(204) }, RETRY)
    row = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: first.id } })
    expect([row.status, row.attempts]).toEqual(['delivered', 2])
    expect((await prisma.webhookAttempt.findMany({ where: { deliveryId: first.id }, orderBy: { number: 'asc' } })).map((x) => [x.number, x.statusCode])).toEqual([
      [1, 500],
      [2, 204],
    ])

    // Out of attempts: failed. A refused target fails at once.
    let current = second
    for (let i = 0; i < RETRY.maxAttempts; i++) {
      await recordAttempt(prisma, current, { startedAt: new Date(), requestHeaders: {}, result: { kind: 'error', error: 'connect ECONNREFUSED', latencyMs: 1 } }, RETRY)
      await new Promise((r) => setTimeout(r, 20))
      current = (await claimDue(prisma, 20, 30_000)).find((d) => d.id === second.id) ?? current
    }
    row = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: second.id } })
    expect([row.status, row.attempts, row.lastError]).toEqual(['failed', RETRY.maxAttempts, 'connect ECONNREFUSED'])
    expect(row.finishedAt).not.toBeNull()

    const third = b[0]
    await recordAttempt(prisma, third, { startedAt: new Date(), requestHeaders: {}, result: { kind: 'refused', reason: '127.0.0.1 is a loopback address', latencyMs: 0 } }, RETRY)
    row = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: third.id } })
    expect([row.status, row.attempts]).toEqual(['failed', 1])
  })

  it('hands the first new deliveries to the fanning-out worker already leased, the rest to any worker', async () => {
    await prisma.webhookDelivery.deleteMany({})
    const p = await policy({ eventTypes: ['PUSH_ARTIFACT'], targetUrl: 'http://127.0.0.1:9/leased', secretEnvelope: 'v1:sealed-secret' })
    for (let i = 0; i < 3; i++) await index.putManifest('hooks/leased', configLessArtifact(), `l${i}`, { name: 'alice' })
    const { events, leased } = await fanOut(prisma, RENDER, { max: 2, ms: 30_000 })
    expect(events).toBe(3)
    expect(leased.map((d) => [d.targetUrl, d.secretEnvelope, d.policyEnabled, d.attempts])).toEqual([
      ['http://127.0.0.1:9/leased', 'v1:sealed-secret', true, 0],
      ['http://127.0.0.1:9/leased', 'v1:sealed-secret', true, 0],
    ])
    const rest = await claimDue(prisma, 10, 30_000)
    expect(rest.length).toBe(1)
    expect(leased.map((d) => d.id)).not.toContain(rest[0].id)
    const tags = (await prisma.webhookDelivery.findMany({ where: { policyId: p.id } })).map((d) => d.tags[0]).sort()
    expect(tags).toEqual(['l0', 'l1', 'l2'])
  })

  it('saves an event a policy cannot be applied to as a failed delivery, and still fans out the rest', async () => {
    // Stored before filters were checked the way they are now: it no longer compiles.
    const broken = await policy({ eventTypes: ['PUSH_ARTIFACT'], tagFilter: '{v1' })
    const good = await policy({ eventTypes: ['PUSH_ARTIFACT'], tagFilter: 'v*' })
    await index.putManifest('hooks/poisoned', configLessArtifact(), 'v1', { name: 'alice' })
    const logged: unknown[] = []
    const { events, leased } = await fanOut(prisma, RENDER, { max: 5, ms: 30_000 }, (detail) => logged.push(detail))
    expect(events).toBe(1)
    expect(await prisma.webhookEvent.count()).toBe(0)
    const bad = await prisma.webhookDelivery.findFirstOrThrow({ where: { policyId: broken.id } })
    expect([bad.status, bad.leaseToken, bad.finishedAt !== null]).toEqual(['failed', null, true])
    expect(bad.lastError).toMatch(/tag filter is invalid \(unbalanced "\{"/)
    expect(logged).toHaveLength(1)
    // Only the good delivery is leased to be sent; the failed one is never claimed.
    expect(leased.map((d) => d.id)).toEqual([(await prisma.webhookDelivery.findFirstOrThrow({ where: { policyId: good.id } })).id])
    expect(await claimDue(prisma, 10, 30_000)).toEqual([])
  })

  it('a worker keeps delivering to everyone else past a poisoned policy', async () => {
    const receiver = await startWebhookReceiver()
    const worker = new WebhookWorker({
      prisma,
      secrets: new SecretBox('test-key-'.repeat(4)),
      logger: silentLogger,
      settings: { maxAttempts: 3, retryBaseMs: 10, retryMaxMs: 10, timeoutMs: 2000, concurrency: 4, allowedNetworks: ['127.0.0.1/32'], logRetentionMs: 86_400_000 },
      render: RENDER,
      pollIntervalMs: 50,
    })
    try {
      const broken = await policy({ eventTypes: ['PUSH_ARTIFACT'], targetUrl: `${receiver.url}/broken`, repositoryFilter: 'x'.repeat(300) })
      await policy({ eventTypes: ['PUSH_ARTIFACT'], targetUrl: `${receiver.url}/good` })
      await index.putManifest('hooks/worker-poison', configLessArtifact(), 'first', { name: 'alice' })
      worker.start()
      await receiver.waitFor((r) => r.path === '/good' && r.json().event_data.resources[0].tag === 'first', 10_000)
      await index.putManifest('hooks/worker-poison', configLessArtifact(), 'second', { name: 'alice' })
      await receiver.waitFor((r) => r.path === '/good' && r.json().event_data.resources[0].tag === 'second', 10_000)
      expect(receiver.requests.filter((r) => r.path === '/broken')).toEqual([])
      const failed = await prisma.webhookDelivery.findMany({ where: { policyId: broken.id } })
      expect(failed.map((d) => [d.status, d.tags[0]]).sort()).toEqual([
        ['failed', 'first'],
        ['failed', 'second'],
      ])
      expect(failed[0].lastError).toMatch(/repository filter is invalid \(a pattern must be at most 256 characters\)/)
    } finally {
      await worker.stop()
      await receiver.close()
    }
  })

  it('purges finished deliveries past the retention, never pending ones', async () => {
    const p = await policy()
    const old = new Date(Date.now() - 3 * 86_400_000)
    const base = { policyId: p.id, eventType: 'TEST', repository: 'hooks/x', contentType: 'application/json', payload: '{}', tags: [] }
    const [done, failed, pending, recent] = await Promise.all(
      [
        { status: 'delivered' as const, finishedAt: old },
        { status: 'failed' as const, finishedAt: old },
        { status: 'pending' as const, createdAt: old },
        { status: 'delivered' as const, finishedAt: new Date() },
      ].map((extra) => prisma.webhookDelivery.create({ data: { ...base, eventId: randomUUID(), ...extra } })),
    )
    await prisma.webhookAttempt.create({ data: { deliveryId: done.id, number: 1, startedAt: old, latencyMs: 1, requestHeaders: {} } })
    expect(await purgeFinished(prisma, new Date(Date.now() - 86_400_000))).toBe(2)
    const left = (await prisma.webhookDelivery.findMany({ where: { id: { in: [done.id, failed.id, pending.id, recent.id] } } })).map((d) => d.id).sort()
    expect(left).toEqual([pending.id, recent.id].sort())
    expect(await prisma.webhookAttempt.count({ where: { deliveryId: done.id } })).toBe(0)
  })
})
