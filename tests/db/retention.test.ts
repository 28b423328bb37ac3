// Tag retention runs against real databases (PGlite always, PostgreSQL when TEST_POSTGRES_URL is
// set), through the runtime's registry index as in the server: the dry run lists exactly what the
// real run then deletes; immutable tags, index children and shared digests stay; repositories no
// rule matches are untouched; the run is recorded, audited and queues a TAG_RETENTION event.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../lib/config'
import { migrateDeploy } from '../../lib/db/migrate'
import type { PrismaClient } from '../../lib/db/prisma'
import { installRuntime, runtime, type Runtime } from '../../lib/runtime'
import { buildRuntime } from '../../lib/runtime/build'
import { putRetentionPolicy, registerRetentionSchedule, retentionPolicyInputSchema, runRetentionPolicy } from '../../lib/retention'
import { getScheduledJob, runDueJobs } from '../../lib/schedule'
import type { ManifestRecord, RegistryIndex } from '../../registry-core/src'
import { BACKENDS, openBackend, type Backend } from './backends'
import { silentLogger } from './fixtures'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const digestOf = (data: string | Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`
const admin = { subject: { kind: 'user' as const, userId: 1, username: 'root', isAdmin: true } }
const DAY = 24 * 3600 * 1000

describe.each(BACKENDS)('retention runs on %s', (backendName) => {
  let backend: Backend
  let dataDir: string
  let previous: Runtime | undefined
  let prisma: PrismaClient
  let index: RegistryIndex
  let projectId: number

  async function image(repository: string): Promise<ManifestRecord> {
    const config = digestOf(randomUUID())
    await index.linkBlob(repository, config, 10)
    const content = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { digest: config, size: 10 }, layers: [], n: randomUUID() }))
    return {
      digest: digestOf(content),
      mediaType: OCI_MANIFEST,
      content,
      references: [{ kind: 'blob', digest: config, size: 10, mediaType: 'application/vnd.oci.image.config.v1+json' }],
    }
  }

  /** Pushes `record` under `tags` (or untagged) and backdates it `daysAgo` days. */
  async function push(repository: string, record: ManifestRecord, tags: string[], daysAgo: number): Promise<string> {
    if (!tags.length) expect(await index.putManifest(repository, record)).toEqual({ ok: true })
    for (const tag of tags) expect(await index.putManifest(repository, record, tag)).toEqual({ ok: true })
    await prisma.artifact.updateMany({ where: { digest: record.digest, repository: { name: repository } }, data: { pushedAt: new Date(Date.now() - daysAgo * DAY) } })
    return record.digest
  }

  async function present(repository: string): Promise<string[]> {
    const rows = await prisma.artifact.findMany({ where: { repository: { name: repository } }, select: { digest: true } })
    return rows.map((r) => r.digest).sort()
  }

  beforeAll(async () => {
    backend = await openBackend(backendName)
    await migrateDeploy(backend.url, { log: () => {}, keepPgliteOpen: true })
    dataDir = await mkdtemp(join(tmpdir(), 'retention-db-'))
    previous = runtime()
    installRuntime(buildRuntime(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: backend.url, SECRET_KEY: 'retention-test-key-0123456789abcdef' }), silentLogger))
    prisma = runtime().prisma
    index = runtime().index
    projectId = (await prisma.project.create({ data: { name: 'ret' } })).id
  })
  afterAll(async () => {
    await runtime().close()
    if (previous) installRuntime(previous)
    await backend?.cleanup()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('a dry run lists exactly what the real run deletes, and the rule that keeps each of the rest', async () => {
    const repo = 'ret/app'
    const old = await push(repo, await image(repo), ['v1'], 10) // protected by an immutability rule
    const middle = await push(repo, await image(repo), ['v2'], 5)
    const newest = await push(repo, await image(repo), ['v3', 'latest'], 1) // a shared digest
    const untagged = await push(repo, await image(repo), [], 1)
    const child1 = await image(repo)
    const child2 = await image(repo)
    await push(repo, child1, [], 3)
    await push(repo, child2, [], 3)
    const indexContent = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ digest: child1.digest }, { digest: child2.digest }] }))
    const multi = await push(
      repo,
      {
        digest: digestOf(indexContent),
        mediaType: OCI_INDEX,
        content: indexContent,
        references: [child1, child2].map((c) => ({ kind: 'manifest' as const, digest: c.digest, size: c.content.length, mediaType: OCI_MANIFEST })),
      },
      ['multi'],
      2,
    )
    const elsewhere = 'ret/elsewhere'
    const untouched = await push(elsewhere, await image(elsewhere), ['v0'], 30)

    await prisma.immutableRule.create({ data: { projectId, repositories: '**', tags: 'v1' } })
    await prisma.webhookPolicy.create({
      data: { projectId, name: 'ret-hook', eventTypes: ['TAG_RETENTION'], targetUrl: 'http://127.0.0.1:9/', format: 'default', createdBy: 'root' },
    })
    await putRetentionPolicy(prisma, admin, 'ret', retentionPolicyInputSchema.parse({ rules: [{ template: 'latestPushedK', n: 2, repositories: 'app' }], schedule: 'daily' }))

    const dry = await runRetentionPolicy(projectId, { dryRun: true, trigger: 'manual' })
    expect(dry).toMatchObject({ status: 'succeeded', dryRun: true, deleted: 2, retained: 5 })
    expect(dry.repositories.map((r) => r.repository)).toEqual([repo])
    const [dryRepo] = dry.repositories
    expect(dryRepo.deleted.map((d) => d.digest).sort()).toEqual([middle, untagged].sort())
    const reasons = Object.fromEntries(dryRepo.retained.map((r) => [r.digest, r.reason]))
    expect(reasons[newest]).toMatch(/^rule 1 \(the 2 most recently pushed; .*\) via tag latest$/)
    expect(reasons[multi]).toMatch(/^rule 1 .* via tag multi$/)
    expect(reasons[child1.digest]).toBe(`referenced by kept index ${multi}`)
    expect(reasons[old]).toMatch(/^tag v1 is immutable \(rule \d+: repositories "\*\*", tags "v1"\)$/)
    // nothing was deleted by the dry run, and it queued no webhook event
    expect(await present(repo)).toHaveLength(7)
    expect(await prisma.webhookEvent.count({ where: { type: 'TAG_RETENTION' } })).toBe(0)

    const real = await runRetentionPolicy(projectId, { dryRun: false, trigger: 'schedule' })
    expect(real).toMatchObject({ status: 'succeeded', dryRun: false, trigger: 'schedule', deleted: 2, retained: 5 })
    const sorted = (r: typeof dryRepo) => ({
      deleted: [...r.deleted].sort((a, b) => a.digest.localeCompare(b.digest)),
      retained: [...r.retained].sort((a, b) => a.digest.localeCompare(b.digest)),
    })
    expect(sorted(real.repositories[0])).toEqual(sorted(dryRepo))
    expect(await present(repo)).toEqual([old, newest, child1.digest, child2.digest, multi].sort())
    expect(await present(elsewhere)).toEqual([untouched])

    // the ordinary delete path: audited as the run's actor; the run audited; TAG_RETENTION queued
    const audits = await prisma.auditLog.findMany({ where: { projectId, actor: 'retention' }, orderBy: { id: 'asc' } })
    expect(
      audits
        .filter((a) => a.action === 'artifact.delete')
        .map((a) => a.resource)
        .sort(),
    ).toEqual([`${repo}@${middle}`, `${repo}@${untagged}`].sort())
    expect(audits.filter((a) => a.action === 'retention.run')).toHaveLength(2)
    const event = await prisma.webhookEvent.findFirstOrThrow({ where: { type: 'TAG_RETENTION' } })
    expect(event.retention).toMatchObject({ runId: real.id, project: 'ret', total: 7, retained: 5, result: 'SUCCESS' })
    expect((event.retention as { deleted: { digest: string }[] }).deleted.map((d) => d.digest).sort()).toEqual([middle, untagged].sort())

    // a second run finds nothing more to delete
    expect(await runRetentionPolicy(projectId, { dryRun: true, trigger: 'manual' })).toMatchObject({ deleted: 0, retained: 5 })
  })

  it('a policy with a schedule is run by the scheduler when due, and a policy without one has no job', async () => {
    registerRetentionSchedule()
    const repo = 'ret/scheduled'
    const kept = await push(repo, await image(repo), ['new'], 1)
    await push(repo, await image(repo), ['old'], 9)
    await putRetentionPolicy(
      prisma,
      admin,
      'ret',
      retentionPolicyInputSchema.parse({ rules: [{ template: 'latestPushedK', n: 1, repositories: 'scheduled' }], schedule: 'hourly' }),
    )
    const job = await getScheduledJob(prisma, 'retention', String(projectId))
    expect(job).toMatchObject({ schedule: 'hourly', enabled: true })
    expect(await present(repo)).toHaveLength(2)
    const ran = await runDueJobs(prisma, silentLogger, new Date(job!.nextRunAt.getTime() + 1000))
    expect(ran.map((j) => j.kind)).toContain('retention')
    expect(await present(repo)).toEqual([kept])
    const runs = await prisma.retentionRun.findMany({ where: { projectId, trigger: 'schedule', dryRun: false }, orderBy: { id: 'desc' }, take: 1 })
    expect(runs[0]).toMatchObject({ status: 'succeeded', deleted: 1 })
    await putRetentionPolicy(prisma, admin, 'ret', retentionPolicyInputSchema.parse({ rules: [], schedule: null }))
    expect(await getScheduledJob(prisma, 'retention', String(projectId))).toBeNull()
  })
})
