// Garbage collection (lib/gc) and the scheduler (lib/schedule) against real databases (PGlite always,
// PostgreSQL when TEST_POSTGRES_URL is set) and the filesystem blob store: mark and sweep of shared
// and unique layers, the grace period, dry runs, untagged artifacts (index children, referrers), the
// sweep protocol against manifest pushes and blob links in each order, one collection at a time,
// cancel, and schedules claimed once.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../lib/config'
import { migrateDeploy } from '../../lib/db/migrate'
import { installRuntime, runtime, type Runtime } from '../../lib/runtime'
import { buildRuntime } from '../../lib/runtime/build'
import { beginRun, cancelGcRun, getGcRun, getGcSchedule, putGcSchedule, startGc, gcRequestSchema } from '../../lib/gc'
import { collect, type CollectOptions } from '../../lib/gc/collect'
import { deleteBatch, markBatch } from '../../lib/gc/sweep'
import { tryCollectionLock } from '../../lib/gc/lock'
import { nextRunAfter, putScheduledJob, registerScheduledJob, runDueJobs, startScheduler } from '../../lib/schedule'
import { hexDigest } from '../../registry-core/src/hash'
import { RegistryError } from '../../registry-core/src/errors'
import type { ManifestRecord, ManifestReference } from '../../registry-core/src/ports'
import { BACKENDS, openBackend, type Backend } from './backends'
import { OCI_MANIFEST, silentLogger } from './fixtures'

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip'
const admin = { subject: { kind: 'user' as const, userId: 1, username: 'root', isAdmin: true } }
const user = { subject: { kind: 'user' as const, userId: 2, username: 'dev', isAdmin: false } }
const digestOf = (data: Buffer) => `sha256:${hexDigest(data)}`

describe.each(BACKENDS)('garbage collection on %s', (backendName) => {
  let backend: Backend
  let dataDir: string
  let previous: Runtime | undefined
  const rt = () => runtime()

  async function pushBlob(repository: string, size = 100 + Math.floor(Math.random() * 1000)): Promise<ManifestReference> {
    const data = Buffer.concat([Buffer.from(randomUUID()), Buffer.alloc(size, 7)])
    const digest = digestOf(data)
    await rt().blobs.storeBlob(digest, Readable.from([data]))
    await rt().index.linkBlob(repository, digest, data.length)
    return { kind: 'blob', digest, size: data.length, mediaType: OCI_LAYER }
  }

  function image(refs: ManifestReference[], subject?: { digest: string; size: number }): ManifestRecord {
    const [config, ...layers] = refs
    const content = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
        layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
        ...(subject ? { subject: { mediaType: OCI_MANIFEST, ...subject } } : {}),
      }),
    )
    return {
      digest: digestOf(content),
      mediaType: OCI_MANIFEST,
      content,
      artifactType: OCI_CONFIG,
      references: refs,
      ...(subject ? { subject: { mediaType: OCI_MANIFEST, ...subject } } : {}),
    }
  }

  function index(children: ManifestRecord[]): ManifestRecord {
    const manifests = children.map((c) => ({ mediaType: c.mediaType, digest: c.digest, size: c.content.length }))
    const content = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }))
    return {
      digest: digestOf(content),
      mediaType: OCI_INDEX,
      content,
      references: manifests.map((m) => ({ kind: 'manifest' as const, digest: m.digest, size: m.size, mediaType: m.mediaType })),
    }
  }

  async function putManifest(repository: string, manifest: ManifestRecord, tag?: string) {
    return rt().index.putManifest(repository, manifest, tag)
  }

  /** Every blob row as old as the grace period allows, so a run with a grace period of 60 s sees them as old. */
  async function age(seconds = 3600) {
    await rt().prisma.$executeRawUnsafe(`UPDATE "Blob" SET "createdAt" = now() - interval '${seconds} seconds'`)
    await rt().prisma.$executeRawUnsafe(`UPDATE "RepositoryBlob" SET "createdAt" = now() - interval '${seconds} seconds'`)
    await rt().prisma.$executeRawUnsafe(`UPDATE "Artifact" SET "pushedAt" = now() - interval '${seconds} seconds'`)
  }

  const run = (options: Partial<CollectOptions> = {}) =>
    collect(
      { prisma: rt().prisma, blobs: rt().blobs, index: rt().index, uploadExpiryMs: 86_400_000, log: () => {}, progress: async () => false },
      { dryRun: false, deleteUntagged: false, gracePeriodSeconds: 60, ...options },
    )
  const stored = async (digest: string) => (await rt().blobs.stat(digest)) !== null

  beforeAll(async () => {
    backend = await openBackend(backendName)
    await migrateDeploy(backend.url, { log: () => {}, keepPgliteOpen: true })
    dataDir = await mkdtemp(join(tmpdir(), 'gc-db-'))
    previous = runtime()
    const services = buildRuntime(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: backend.url, MANIFEST_CACHE_TTL: '0s' }), silentLogger)
    installRuntime(services)
    await services.init()
  })
  afterAll(async () => {
    await rt().close()
    if (previous) installRuntime(previous)
    await backend?.cleanup()
    await rm(dataDir, { recursive: true, force: true })
  })
  beforeEach(async () => {
    const { prisma } = rt()
    await prisma.project.deleteMany({})
    await prisma.repositoryBlob.deleteMany({})
    await prisma.blob.deleteMany({})
    await prisma.gcRun.deleteMany({})
    await prisma.scheduledJob.deleteMany({})
    await prisma.project.create({ data: { name: 'p' } })
  })

  it('deletes the blobs no manifest references (unique layers, configs, stray uploads), keeps shared ones, and frees exactly their bytes', async () => {
    const [configA, shared, uniqueA] = [await pushBlob('p/a'), await pushBlob('p/a'), await pushBlob('p/a')]
    const a = image([configA, shared, uniqueA])
    expect(await putManifest('p/a', a, 'v1')).toEqual({ ok: true })
    await rt().index.linkBlob('p/b', shared.digest, shared.size)
    const [configB, uniqueB] = [await pushBlob('p/b'), await pushBlob('p/b')]
    const b = image([configB, shared, uniqueB])
    expect(await putManifest('p/b', b, 'v1')).toEqual({ ok: true })
    const stray = await pushBlob('p/b')
    expect(await rt().index.deleteManifest('p/a', a.digest)).toMatchObject({ ok: true })
    await age()

    const totals = await run()
    expect(totals.blobsDeleted).toBe(3)
    expect(totals.bytesFreed).toBe(BigInt(configA.size + uniqueA.size + stray.size))
    for (const gone of [configA, uniqueA, stray]) {
      expect(await stored(gone.digest)).toBe(false)
      expect(await rt().index.findBlob('p/a', gone.digest)).toBeNull()
      expect(await rt().index.findBlob('p/b', gone.digest)).toBeNull()
    }
    for (const kept of [configB, shared, uniqueB]) {
      expect(await stored(kept.digest)).toBe(true)
      expect(await rt().index.findBlob('p/b', kept.digest)).toEqual({ size: kept.size })
    }
    // A second run finds nothing more.
    expect(await run()).toMatchObject({ blobsDeleted: 0, bytesFreed: 0n })
  })

  it('keeps an unreferenced blob within the grace period, counting from its latest link', async () => {
    const fresh = await pushBlob('p/a')
    expect((await run({ gracePeriodSeconds: 3600 })).blobsDeleted).toBe(0)
    await age()
    // Linked again (a new push of it into another repository): the grace period starts again.
    await rt().index.linkBlob('p/c', fresh.digest, fresh.size)
    expect((await run({ gracePeriodSeconds: 600 })).blobsDeleted).toBe(0)
    expect((await run({ gracePeriodSeconds: 0 })).blobsDeleted).toBe(1)
    expect(await stored(fresh.digest)).toBe(false)
  })

  it('a dry run counts what a real run then deletes, and deletes nothing', async () => {
    const blobs = [await pushBlob('p/a'), await pushBlob('p/a')]
    const kept = await pushBlob('p/a')
    await putManifest('p/a', image([kept]), 'v1')
    await age()
    const dry = await run({ dryRun: true })
    expect(dry).toMatchObject({ blobsDeleted: 2, bytesFreed: BigInt(blobs[0].size + blobs[1].size) })
    for (const blob of blobs) expect(await stored(blob.digest)).toBe(true)
    const real = await run()
    expect(real).toMatchObject({ blobsDeleted: dry.blobsDeleted, bytesFreed: dry.bytesFreed })
  })

  it('deleteUntagged: removes untagged artifacts and then their blobs, never children of a tagged index nor referrers of a kept subject', async () => {
    const layer = () => pushBlob('p/a')
    const child1 = image([await layer(), await layer()])
    const child2 = image([await layer(), await layer()])
    for (const child of [child1, child2]) await putManifest('p/a', child)
    const tagged = index([child1, child2])
    expect(await putManifest('p/a', tagged, 'multi')).toEqual({ ok: true })
    const keptImage = image([await layer()])
    await putManifest('p/a', keptImage, 'v1')
    const signature = image([await layer()], { digest: keptImage.digest, size: keptImage.content.length })
    await putManifest('p/a', signature)
    const orphan = image([await layer(), await layer()])
    await putManifest('p/a', orphan)
    const orphanSignature = image([await layer()], { digest: orphan.digest, size: orphan.content.length })
    await putManifest('p/a', orphanSignature)
    const untaggedChild = image([await layer()])
    await putManifest('p/a', untaggedChild)
    const untaggedIndex = index([untaggedChild])
    await putManifest('p/a', untaggedIndex)
    await age()

    const dry = await run({ dryRun: true, deleteUntagged: true })
    // One level: the orphan and the untagged index; the orphan's signature and the index's child once they are gone.
    expect(dry.artifactsDeleted).toBe(2)
    const totals = await run({ deleteUntagged: true })
    expect(totals.artifactsDeleted).toBe(4)
    const digests = (await rt().prisma.artifact.findMany({ select: { digest: true } })).map((a) => a.digest).sort()
    expect(digests).toEqual([child1.digest, child2.digest, tagged.digest, keptImage.digest, signature.digest].sort())
    for (const ref of [...orphan.references, ...orphanSignature.references, ...untaggedChild.references]) expect(await stored(ref.digest)).toBe(false)
    for (const ref of [...child1.references, ...signature.references]) expect(await stored(ref.digest)).toBe(true)
    // Within the grace period an untagged artifact stays (a multi-platform push sends its children first).
    const young = image([await layer()])
    await putManifest('p/a', young)
    expect((await run({ deleteUntagged: true, gracePeriodSeconds: 3600 })).artifactsDeleted).toBe(0)
  })

  it('a manifest push that commits before the mark keeps its blobs; one after it gets BLOB_UNKNOWN (the blob is missing)', async () => {
    const [kept, swept] = [await pushBlob('p/a'), await pushBlob('p/a')]
    await age()
    expect(await putManifest('p/a', image([kept]), 'v1')).toEqual({ ok: true })
    expect(await markBatch(rt().prisma, [kept.digest, swept.digest], 60)).toEqual([swept.digest])
    expect(await putManifest('p/a', image([swept]), 'v2')).toEqual({ ok: false, missing: [swept.digest] })
    expect(await rt().index.findBlob('p/a', swept.digest)).toBeNull()
    expect(await deleteBatch(rt().prisma, rt().blobs, [swept.digest])).toEqual({ deleted: [swept.digest], bytes: BigInt(swept.size) })
    expect(await stored(kept.digest)).toBe(true)
  })

  it('a blob linked again between mark and delete is revived and its bytes stay; linked after the delete it needs its bytes again', async () => {
    const revived = await pushBlob('p/a')
    await age()
    expect(await markBatch(rt().prisma, [revived.digest], 60)).toEqual([revived.digest])
    await rt().index.linkBlob('p/a', revived.digest, revived.size)
    expect(await deleteBatch(rt().prisma, rt().blobs, [revived.digest])).toEqual({ deleted: [], bytes: 0n })
    expect(await stored(revived.digest)).toBe(true)
    expect(await putManifest('p/a', image([revived]), 'v1')).toEqual({ ok: true })

    const gone = await pushBlob('p/b')
    await age()
    expect(await markBatch(rt().prisma, [gone.digest], 60)).toEqual([gone.digest])
    expect(await deleteBatch(rt().prisma, rt().blobs, [gone.digest])).toEqual({ deleted: [gone.digest], bytes: BigInt(gone.size) })
    // Linking without the bytes (they were stored before the delete): BLOB_UNKNOWN, nothing linked.
    const failure = await rt()
      .index.linkBlob('p/b', gone.digest, gone.size)
      .catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(RegistryError)
    expect((failure as RegistryError).entries[0].code).toBe('BLOB_UNKNOWN')
    expect(await rt().index.findBlob('p/b', gone.digest)).toBeNull()
    expect(await putManifest('p/b', image([gone]), 'v1')).toEqual({ ok: false, missing: [gone.digest] })
  })

  it('a blob pushed again after its bytes were deleted is revived with them', async () => {
    const data = Buffer.from(`revive ${randomUUID()}`)
    const digest = digestOf(data)
    await rt().blobs.storeBlob(digest, Readable.from([data]))
    await rt().index.linkBlob('p/a', digest, data.length)
    await age()
    expect((await run()).blobsDeleted).toBe(1)
    await rt().blobs.storeBlob(digest, Readable.from([data]))
    await rt().index.linkBlob('p/a', digest, data.length)
    expect(await rt().index.findBlob('p/a', digest)).toEqual({ size: data.length })
    // Revived with a fresh creation time: within the grace period again.
    expect((await run()).blobsDeleted).toBe(0)
    expect(await stored(digest)).toBe(true)
  })

  it('purges tombstones older than the upload expiry, keeps younger ones, and a blob pushed after its purge links afresh', async () => {
    const data = Buffer.from(`purged ${randomUUID()}`)
    const purged = digestOf(data)
    await rt().blobs.storeBlob(purged, Readable.from([data]))
    await rt().index.linkBlob('p/a', purged, data.length)
    const young = await pushBlob('p/a')
    await age()
    expect((await run()).blobsDeleted).toBe(2)
    const tombstones = async () => (await rt().prisma.blob.findMany({ where: { goneAt: { not: null } }, select: { digest: true } })).map((b) => b.digest).sort()
    expect(await tombstones()).toEqual([purged, young.digest].sort())
    // Past the upload expiry (one day in run()).
    await rt().prisma.blob.update({ where: { digest: purged }, data: { goneAt: new Date(Date.now() - 86_400_000 - 60_000) } })

    await run({ dryRun: true })
    expect(await tombstones()).toHaveLength(2)
    await run()
    expect(await tombstones()).toEqual([young.digest])
    expect(await rt().prisma.blob.count({ where: { digest: purged } })).toBe(0)

    await rt().blobs.storeBlob(purged, Readable.from([data]))
    await rt().index.linkBlob('p/a', purged, data.length)
    expect(await rt().index.findBlob('p/a', purged)).toEqual({ size: data.length })
    expect(await rt().prisma.blob.findUnique({ where: { digest: purged }, select: { goneAt: true, deletingAt: true } })).toEqual({ goneAt: null, deletingAt: null })
  })

  it('runs one collection at a time: a second start is refused while the first holds the lock', async () => {
    const lock = await tryCollectionLock(rt().config.databaseUrl)
    expect(lock).not.toBeNull()
    expect(await tryCollectionLock(rt().config.databaseUrl)).toBeNull()
    await expect(startGc(rt().prisma, admin, gcRequestSchema.parse({}))).rejects.toMatchObject({ kind: 'conflict' })
    await lock!.release()
    const started = await startGc(rt().prisma, admin, gcRequestSchema.parse({ dryRun: true }))
    expect(started.status).toBe('running')
    await expect.poll(async () => (await getGcRun(rt().prisma, admin, started.id)).status, { timeout: 20_000 }).toBe('succeeded')
    const audit = await rt().prisma.auditLog.findFirst({ where: { action: 'gc.dry_run', resource: `gc/${started.id}` } })
    expect(audit).toMatchObject({ actor: 'root', success: true })
  })

  it('only system administrators start, read or schedule collections', async () => {
    await expect(startGc(rt().prisma, user, gcRequestSchema.parse({}))).rejects.toMatchObject({ kind: 'forbidden' })
    await expect(getGcSchedule(rt().prisma, user)).rejects.toMatchObject({ kind: 'forbidden' })
  })

  it('cancel stops a run after its current batch', async () => {
    for (let i = 0; i < 5; i++) await pushBlob('p/a')
    await age()
    const started = await beginRun(rt().prisma, { dryRun: false, deleteUntagged: false, gracePeriodSeconds: 60 }, 'manual', 'root')
    expect(started).not.toBeNull()
    await cancelGcRun(rt().prisma, admin, started!.run.id)
    const done = await started!.done
    expect(done.status).toBe('cancelled')
    await expect(cancelGcRun(rt().prisma, admin, started!.run.id)).rejects.toMatchObject({ kind: 'conflict' })
  })

  it('schedules: named and cron specs, validation, and a due job claimed once by concurrent ticks', async () => {
    const at = new Date('2026-01-01T10:30:00Z')
    expect(nextRunAfter('hourly', at).toISOString()).toBe('2026-01-01T11:00:00.000Z')
    expect(nextRunAfter('daily', at).toISOString()).toBe('2026-01-02T00:00:00.000Z')
    expect(nextRunAfter('weekly', at).toISOString()).toBe('2026-01-04T00:00:00.000Z')
    expect(nextRunAfter('15 3 * * *', at).toISOString()).toBe('2026-01-02T03:15:00.000Z')
    expect(() => nextRunAfter('every day', at)).toThrow()
    await expect(putGcSchedule(rt().prisma, admin, { schedule: 'nope', enabled: true, deleteUntagged: false, gracePeriodSeconds: 7200 })).rejects.toMatchObject({
      kind: 'invalid',
    })
    const view = await putGcSchedule(rt().prisma, admin, { schedule: 'daily', enabled: true, deleteUntagged: true, gracePeriodSeconds: 60 })
    expect(view).toMatchObject({ schedule: 'daily', enabled: true, deleteUntagged: true, gracePeriodSeconds: 60, updatedBy: 'root' })
    expect(view.nextRunAt!.getTime()).toBeGreaterThan(Date.now())

    let ran = 0
    registerScheduledJob('test-once', async () => {
      ran++
    })
    await putScheduledJob(rt().prisma, { kind: 'test-once', schedule: 'hourly', enabled: true, params: {}, updatedBy: 'root' }, new Date(Date.now() - 7200_000))
    const now = new Date()
    const claims = await Promise.all([runDueJobs(rt().prisma, silentLogger, now), runDueJobs(rt().prisma, silentLogger, now), runDueJobs(rt().prisma, silentLogger, now)])
    expect(claims.flat().filter((job) => job.kind === 'test-once')).toHaveLength(1)
    expect(ran).toBe(1)
  })

  it('the scheduler fires a due GC on a short interval', async () => {
    const stray = await pushBlob('p/a')
    await age()
    await putGcSchedule(rt().prisma, admin, { schedule: '* * * * * *', enabled: true, deleteUntagged: false, gracePeriodSeconds: 60 })
    const { registerGcSchedule } = await import('../../lib/gc')
    registerGcSchedule()
    const scheduler = startScheduler(rt().prisma, silentLogger, 200)
    try {
      await expect.poll(async () => rt().prisma.gcRun.count({ where: { trigger: 'schedule', status: 'succeeded' } }), { timeout: 20_000 }).toBeGreaterThan(0)
    } finally {
      await rt().prisma.scheduledJob.deleteMany({})
      scheduler.stop()
      await scheduler.idle()
    }
    expect(await stored(stray.digest)).toBe(false)
  })
})
