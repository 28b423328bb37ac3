// The audit log against real databases (PGlite always, PostgreSQL when TEST_POSTGRES_URL is set):
// the list filters (operator, operation, resource type, resource prefix, time range) and paging,
// system and project scope; and the /v2 entries the event sink records: pushes, deletes (a
// manifest's tags listed in its one entry) and pulls coalesced per artifact and operator per batch,
// as the PULL_ARTIFACT webhook events are.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditFilterSchema, listAuditLog, listProjectAuditLog } from '../../lib/audit'
import { migrateDeploy } from '../../lib/db/migrate'
import { createPrisma, type PrismaClient } from '../../lib/db/prisma'
import { RecordingEventSink } from '../../lib/registry/event-sink'
import { PrismaRegistryIndex } from '../../lib/registry/prisma-index'
import { BACKENDS, openBackend, type Backend } from './backends'
import { configLessArtifact, silentLogger } from './fixtures'

const admin = { subject: { kind: 'user' as const, userId: 1, username: 'root', isAdmin: true } }
const filter = (query: Record<string, string>) => auditFilterSchema.parse(query)

describe.each(BACKENDS)('audit log on %s', (backendName) => {
  let backend: Backend
  let prisma: PrismaClient
  let index: PrismaRegistryIndex
  let projectId: number

  beforeAll(async () => {
    backend = await openBackend(backendName)
    await migrateDeploy(backend.url, { log: () => {}, keepPgliteOpen: true })
    prisma = createPrisma(backend.url)
    index = new PrismaRegistryIndex(prisma)
    projectId = (await prisma.project.create({ data: { name: 'audited' } })).id
    await prisma.project.create({ data: { name: 'other' } })
  })
  afterAll(async () => {
    await prisma?.$disconnect()
    await backend?.cleanup()
  })

  it('filters by operator, operation, resource type, resource prefix and time range, and pages, newest first', async () => {
    const at = (minute: number) => new Date(Date.UTC(2031, 0, 1, 0, minute))
    const rows = [
      { actor: 'alice', action: 'artifact.push', resourceType: 'artifact', resource: 'audited/app:1', projectId, at: at(1) },
      { actor: 'bob', action: 'artifact.pull', resourceType: 'artifact', resource: 'audited/app@sha256:aa', projectId, at: at(2) },
      { actor: 'alice', action: 'tag.delete', resourceType: 'tag', resource: 'audited/app:1', projectId, at: at(3) },
      { actor: 'alice', action: 'artifact.push', resourceType: 'artifact', resource: 'audited/web:2', projectId, at: at(4) },
      { actor: 'alice', action: 'artifact.push', resourceType: 'artifact', resource: 'other/app:1', projectId: null, at: at(5) },
    ]
    await prisma.auditLog.createMany({ data: rows })
    const inWindow = { from: at(0).toISOString(), to: at(59).toISOString() }
    const list = async (query: Record<string, string>, page = { page: 1, pageSize: 50 }) => {
      const result = await listAuditLog(prisma, admin, filter({ ...inWindow, ...query }), page)
      return { total: result.total, resources: result.items.map((e) => `${e.action} ${e.resource}`) }
    }

    expect((await list({})).total).toBe(5)
    expect(await list({ actor: 'alice', action: 'artifact.push' })).toEqual({
      total: 3,
      resources: ['artifact.push other/app:1', 'artifact.push audited/web:2', 'artifact.push audited/app:1'],
    })
    expect(await list({ resource: 'audited/app' })).toEqual({
      total: 3,
      resources: ['tag.delete audited/app:1', 'artifact.pull audited/app@sha256:aa', 'artifact.push audited/app:1'],
    })
    expect((await list({ resource_type: 'tag' })).resources).toEqual(['tag.delete audited/app:1'])
    expect((await list({ from: at(2).toISOString(), to: at(4).toISOString() })).resources).toEqual([
      'artifact.push audited/web:2',
      'tag.delete audited/app:1',
      'artifact.pull audited/app@sha256:aa',
    ])
    expect(await list({ from: at(4).toISOString(), to: at(2).toISOString() })).toEqual({ total: 0, resources: [] })
    // Paging keeps the total and walks the same order.
    const second = await list({ actor: 'alice' }, { page: 2, pageSize: 2 })
    expect(second).toEqual({ total: 4, resources: ['tag.delete audited/app:1', 'artifact.push audited/app:1'] })
    // The project's log holds only its own entries, with the same filters.
    const project = await listProjectAuditLog(prisma, admin, 'audited', filter({ ...inWindow, actor: 'alice' }), { page: 1, pageSize: 50 })
    expect(project.items.map((e) => e.resource)).toEqual(['audited/web:2', 'audited/app:1', 'audited/app:1'])
  })

  it('rejects a time that is not an ISO date-time', () => {
    expect(auditFilterSchema.safeParse({ from: 'yesterday' }).success).toBe(false)
    expect(auditFilterSchema.safeParse({ to: '2031-01-01T00:00:00+02:00' }).success).toBe(true)
  })

  it('records /v2 pushes and deletes, and pulls coalesced per artifact and operator like the pull webhooks', async () => {
    const tagged = configLessArtifact()
    const untagged = configLessArtifact()
    await index.putManifest('audited/svc', tagged, 'v1')
    await index.putManifest('audited/svc', untagged)
    const sink = new RecordingEventSink(prisma, silentLogger, 60_000)
    const actor = { name: 'carol' }
    const remoteAddress = '192.0.2.7'
    const start = new Date()
    const pushedAt = new Date()
    sink.emit({ type: 'manifest.pushed', repository: 'audited/svc', digest: tagged.digest, tag: 'v1', mediaType: tagged.mediaType, size: 10, actor, remoteAddress, at: pushedAt })
    sink.emit({ type: 'manifest.pushed', repository: 'audited/svc', digest: untagged.digest, actor, remoteAddress, at: pushedAt })
    for (let i = 0; i < 7; i++) {
      sink.emit({ type: 'manifest.pulled', repository: 'audited/svc', digest: tagged.digest, tag: i % 2 ? 'v1' : undefined, actor, remoteAddress, at: new Date() })
    }
    sink.emit({ type: 'manifest.pulled', repository: 'audited/svc', digest: tagged.digest, actor: {}, at: new Date() })
    await sink.flush()
    // A delete of the tagged manifest on /v2: the manifest, then its tag, at one time.
    const deletedAt = new Date()
    sink.emit({ type: 'manifest.deleted', repository: 'audited/svc', digest: tagged.digest, actor, remoteAddress, at: deletedAt })
    sink.emit({ type: 'tag.deleted', repository: 'audited/svc', digest: tagged.digest, tag: 'v1', actor, remoteAddress, at: deletedAt })
    sink.emit({ type: 'tag.deleted', repository: 'audited/svc', digest: untagged.digest, tag: 'old', actor, remoteAddress, at: new Date() })
    sink.emit({ type: 'blob.mounted', repository: 'audited/svc', digest: tagged.digest, actor, at: new Date() })
    await sink.flush()

    const entries = await prisma.auditLog.findMany({ where: { resource: { startsWith: 'audited/svc' }, at: { gte: start } }, orderBy: { id: 'asc' } })
    const shape = entries.map((e) => ({ actor: e.actor, action: e.action, resource: e.resource, projectId: e.projectId, remoteAddress: e.remoteAddress, detail: e.detail }))
    expect(shape.filter((e) => e.action !== 'artifact.pull')).toEqual([
      {
        actor: 'carol',
        action: 'artifact.push',
        resource: 'audited/svc:v1',
        projectId,
        remoteAddress,
        detail: { digest: tagged.digest, tag: 'v1', mediaType: tagged.mediaType, size: 10 },
      },
      {
        actor: 'carol',
        action: 'artifact.push',
        resource: `audited/svc@${untagged.digest}`,
        projectId,
        remoteAddress,
        detail: { digest: untagged.digest, mediaType: null, size: null },
      },
      { actor: 'carol', action: 'artifact.delete', resource: `audited/svc@${tagged.digest}`, projectId, remoteAddress, detail: { tags: ['v1'] } },
      { actor: 'carol', action: 'tag.delete', resource: 'audited/svc:old', projectId, remoteAddress, detail: { digest: untagged.digest } },
    ])
    // Eight pulls by two operators in one batch: two entries, carrying the counts and the tags pulled by.
    const pulls = shape.filter((e) => e.action === 'artifact.pull').sort((a, b) => a.actor.localeCompare(b.actor))
    expect(pulls).toEqual([
      { actor: 'anonymous', action: 'artifact.pull', resource: `audited/svc@${tagged.digest}`, projectId, remoteAddress: null, detail: { count: 1, tags: [] } },
      { actor: 'carol', action: 'artifact.pull', resource: `audited/svc@${tagged.digest}`, projectId, remoteAddress, detail: { count: 7, tags: ['v1'] } },
    ])
  })
})
