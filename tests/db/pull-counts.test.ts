// The pull counter (RecordingEventSink) against real databases (PGlite always, PostgreSQL when
// TEST_POSTGRES_URL is set): pulls emitted while flushes run are all counted, once; a batch that
// cannot be written is kept and written by the next flush, with its webhook events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrateDeploy } from '../../lib/db/migrate'
import { createPrisma, type PrismaClient } from '../../lib/db/prisma'
import { PrismaRegistryIndex } from '../../lib/registry/prisma-index'
import { RecordingEventSink } from '../../lib/registry/event-sink'
import { BACKENDS, openBackend, type Backend } from './backends'
import { configLessArtifact, silentLogger } from './fixtures'

describe.each(BACKENDS)('pull counts on %s', (backendName) => {
  let backend: Backend
  let prisma: PrismaClient
  let index: PrismaRegistryIndex

  beforeAll(async () => {
    backend = await openBackend(backendName)
    await migrateDeploy(backend.url, { log: () => {}, keepPgliteOpen: true })
    prisma = createPrisma(backend.url)
    index = new PrismaRegistryIndex(prisma)
    const project = await prisma.project.create({ data: { name: 'pulls' } })
    await prisma.project.create({ data: { name: 'quiet' } })
    await prisma.webhookPolicy.create({ data: { projectId: project.id, name: 'pulls', eventTypes: ['PULL_ARTIFACT'], targetUrl: 'http://127.0.0.1:9/' } })
  })
  afterAll(async () => {
    await prisma?.$disconnect()
    await backend?.cleanup()
  })

  const counts = async (repository: string, digest: string) => {
    const a = await prisma.artifact.findFirstOrThrow({ where: { digest, repository: { name: repository } }, include: { repository: true } })
    return { artifact: Number(a.pullCount), repository: Number(a.repository.pullCount), lastPulledAt: a.lastPulledAt }
  }
  const eventsOf = async (digest: string) => {
    const events = await prisma.webhookEvent.findMany({ where: { type: 'PULL_ARTIFACT', digest } })
    return events.reduce((sum, e) => sum + (e.pullCount ?? 0), 0)
  }

  it('counts every pull once while flushes run concurrently, across artifacts, repositories and operators', async () => {
    const first = configLessArtifact()
    const second = configLessArtifact()
    const quiet = configLessArtifact()
    await index.putManifest('pulls/one', first, 'v1')
    await index.putManifest('pulls/one', second, 'v2')
    await index.putManifest('quiet/two', quiet, 'v1')
    const sink = new RecordingEventSink(prisma, silentLogger, 5)
    const targets = [
      { repository: 'pulls/one', digest: first.digest, tag: 'v1' },
      { repository: 'pulls/one', digest: second.digest, tag: undefined },
      { repository: 'quiet/two', digest: quiet.digest, tag: 'v1' },
    ]
    const last = new Date('2030-01-02T03:04:05.678Z')
    const flushes: Promise<void>[] = []
    for (let i = 0; i < 900; i++) {
      const t = targets[i % 3]
      const at = i === 897 ? last : new Date('2030-01-01T00:00:00Z')
      sink.emit({ type: 'manifest.pulled', repository: t.repository, digest: t.digest, tag: t.tag, actor: { name: i % 2 ? 'dave' : undefined }, at })
      if (i % 50 === 0) flushes.push(sink.flush())
      if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    await Promise.all(flushes)
    await sink.flush()
    expect(await counts('pulls/one', first.digest)).toEqual({ artifact: 300, repository: 600, lastPulledAt: last })
    expect((await counts('pulls/one', second.digest)).artifact).toBe(300)
    expect(await counts('quiet/two', quiet.digest)).toMatchObject({ artifact: 300, repository: 300 })
    // Events only where a policy wants them, carrying every pull.
    expect(await eventsOf(first.digest)).toBe(300)
    expect(await eventsOf(second.digest)).toBe(300)
    expect(await eventsOf(quiet.digest)).toBe(0)
  })

  it('keeps a batch the database refused and writes it, with its events, on the next flush', async () => {
    const m = configLessArtifact()
    await index.putManifest('pulls/retried', m, 'v1')
    const sink = new RecordingEventSink(prisma, silentLogger, 60_000)
    const pull = () => sink.emit({ type: 'manifest.pulled', repository: 'pulls/retried', digest: m.digest, tag: 'v1', actor: { name: 'erin' }, at: new Date() })
    pull()
    pull()
    await prisma.$executeRawUnsafe('ALTER TABLE "WebhookEvent" RENAME TO "WebhookEventAway"')
    try {
      await sink.flush()
    } finally {
      await prisma.$executeRawUnsafe('ALTER TABLE "WebhookEventAway" RENAME TO "WebhookEvent"')
    }
    expect((await counts('pulls/retried', m.digest)).artifact).toBe(0)
    pull()
    await sink.flush()
    expect(await counts('pulls/retried', m.digest)).toMatchObject({ artifact: 3, repository: 3 })
    expect(await eventsOf(m.digest)).toBe(3)
  })

  it('writes nothing for pulls of an artifact deleted before the flush, and still counts the rest of the batch', async () => {
    const gone = configLessArtifact()
    const kept = configLessArtifact()
    await index.putManifest('pulls/deleted', gone, 'old')
    await index.putManifest('pulls/deleted', kept, 'new')
    const sink = new RecordingEventSink(prisma, silentLogger, 60_000)
    for (const m of [gone, kept]) sink.emit({ type: 'manifest.pulled', repository: 'pulls/deleted', digest: m.digest, actor: { name: 'erin' }, at: new Date() })
    sink.emit({ type: 'manifest.pulled', repository: 'pulls/never-created', digest: kept.digest, actor: { name: 'erin' }, at: new Date() })
    await prisma.artifact.deleteMany({ where: { digest: gone.digest } })
    await sink.flush()
    expect((await counts('pulls/deleted', kept.digest)).artifact).toBe(1)
    expect(await eventsOf(gone.digest)).toBe(0)
    expect(await eventsOf(kept.digest)).toBe(1)
  })
})
