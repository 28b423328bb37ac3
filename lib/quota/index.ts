// Per-project storage quotas (issue #13). The accounting and the enforcement live in PostgreSQL
// (the triggers of prisma/migrations/*_storage_quotas, as *_quota_triggers_once left them): every
// blob link, mount, manifest, unlink and delete changes "ProjectQuota"."storageUsed" in its own
// transaction, serialised per project on that row, and a change that would pass the limit fails with SQLSTATE RQ001. So usage never drifts,
// whichever code path (the registry, the REST API, garbage collection) adds or removes a reference,
// and concurrent pushes cannot together pass the limit. Here: what the app does around that.
import { Prisma } from '../generated/prisma/client'
import type { PrismaClient } from '../db/prisma'
import { sqlState } from '../db/errors'
import { RegistryError } from '@registry-core'
import { projectNameOf } from '../auth/project-access'
import { insertEventSql, policyWantsSql, signalOutbox } from '../webhooks/outbox'
import { auditActor, recordAudit, type Caller } from '../audit'
import { UNLIMITED, quotaExceededMessage } from './schema'

export * from './schema'

/** The SQLSTATE the quota triggers raise when a reference would take a project over its limit. */
export const QUOTA_EXCEEDED_SQLSTATE = 'RQ001'

/** What the trigger reports (bytes): the usage before, the limit, and what the refused change needed. */
export interface QuotaFigures {
  used: number
  limit: number
  needed: number
}

export interface ProjectStorage {
  /** Bytes; -1: unlimited. */
  storageLimit: number
  storageUsed: number
}

/** The figures of a quota refusal, or null when `error` is something else. */
export function quotaExceeded(error: unknown): QuotaFigures | null {
  if (sqlState(error) !== QUOTA_EXCEEDED_SQLSTATE) return null
  for (let value: unknown = error, depth = 0; depth < 6 && value !== null && typeof value === 'object'; depth++) {
    const wrapped = value as { detail?: unknown; meta?: { driverAdapterError?: unknown }; cause?: unknown }
    if (typeof wrapped.detail === 'string') {
      try {
        const detail = JSON.parse(wrapped.detail) as Record<string, unknown>
        return { used: Number(detail.used), limit: Number(detail.limit), needed: Number(detail.needed) }
      } catch {
        break
      }
    }
    value = wrapped.meta?.driverAdapterError ?? wrapped.cause
  }
  return { used: NaN, limit: NaN, needed: NaN }
}

/**
 * When `error` is a quota refusal of a push into `repository`: records the QUOTA_EXCEED event (for
 * the policies that want it) and resolves the registry's DENIED error to answer instead. Resolves
 * null for any other error.
 */
export async function quotaDenial(prisma: PrismaClient, error: unknown, repository: string, digest: string, operator: string): Promise<RegistryError | null> {
  const figures = quotaExceeded(error)
  if (!figures) return null
  const project = projectNameOf(repository) ?? repository
  const quota = { used: figures.used, limit: figures.limit, needed: figures.needed }
  const rows = await prisma.$queryRaw<{ queued: boolean }[]>`
    WITH project AS (SELECT "id" FROM "Project" WHERE "name" = ${project}), event AS (
      ${Prisma.raw(insertEventSql({ quota: true }))}
      SELECT 'QUOTA_EXCEED', project."id", ${repository}, ${digest}, '{}'::text[], NULL, ${figures.needed}::bigint, ${operator}, ${JSON.stringify(quota)}::jsonb
        FROM project
       WHERE ${Prisma.raw(policyWantsSql('QUOTA_EXCEED', 'project."id"'))}
      RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM event) AS "queued"`
  if (rows[0]?.queued) signalOutbox()
  return new RegistryError('DENIED', {
    message: quotaExceededMessage(project, figures.used, figures.limit, figures.needed),
    detail: { project, storageUsed: figures.used, storageLimit: figures.limit, needed: figures.needed },
  })
}

/** Limit and usage of each project in `projectIds` (a project without a quota row reads as unlimited and empty). */
export async function projectStorage(prisma: Pick<PrismaClient, 'projectQuota'>, projectIds: number[]): Promise<Map<number, ProjectStorage>> {
  const rows = await prisma.projectQuota.findMany({ where: { projectId: { in: projectIds } } })
  const found = new Map(rows.map((row) => [row.projectId, { storageLimit: Number(row.storageLimit), storageUsed: Number(row.storageUsed) }]))
  return new Map(projectIds.map((id) => [id, found.get(id) ?? { storageLimit: UNLIMITED, storageUsed: 0 }]))
}

/** Sets a project's limit (system administrators; the caller checks) and records it in the audit log. */
export async function setStorageLimit(tx: Prisma.TransactionClient, caller: Caller, project: { id: number; name: string }, limit: number): Promise<void> {
  const before = await tx.projectQuota.findUnique({ where: { projectId: project.id }, select: { storageLimit: true } })
  if (before && Number(before.storageLimit) === limit) return
  await tx.projectQuota.upsert({ where: { projectId: project.id }, create: { projectId: project.id, storageLimit: limit }, update: { storageLimit: limit } })
  await recordAudit(tx, {
    ...auditActor(caller),
    action: 'project.quota',
    resourceType: 'project',
    resource: project.name,
    projectId: project.id,
    detail: { storageLimit: limit, previous: before ? Number(before.storageLimit) : UNLIMITED },
  })
}

/**
 * The usage of a project counted from scratch: the distinct digests its repositories hold (linked
 * blobs and manifests). What the triggers keep incrementally; for checks and repairs.
 */
export async function recountUsage(prisma: Pick<PrismaClient, '$queryRaw'>, projectId: number): Promise<number> {
  const rows = await prisma.$queryRaw<{ used: bigint | null }[]>`
    SELECT sum("size") AS "used" FROM (
      SELECT DISTINCT ON (held."digest") held."digest", held."size" FROM (
        SELECT rb."digest", b."size" FROM "RepositoryBlob" rb
          JOIN "Repository" r ON r."id" = rb."repositoryId" JOIN "Blob" b ON b."digest" = rb."digest"
         WHERE r."projectId" = ${projectId}
        UNION ALL
        SELECT a."digest", a."manifestSize"::bigint FROM "Artifact" a
          JOIN "Repository" r ON r."id" = a."repositoryId"
         WHERE r."projectId" = ${projectId}) held) distinct_digests`
  return Number(rows[0]?.used ?? 0)
}

/** Bytes each repository holds (its distinct linked blobs and manifests), as the project counts them. */
export async function repositoryStorage(prisma: Pick<PrismaClient, '$queryRaw'>, repositoryIds: number[]): Promise<Map<number, number>> {
  if (!repositoryIds.length) return new Map()
  const rows = await prisma.$queryRaw<{ repositoryId: number; used: bigint }[]>`
    SELECT "repositoryId", sum("size") AS "used" FROM (
      SELECT DISTINCT ON ("repositoryId", "digest") "repositoryId", "digest", "size" FROM (
        SELECT rb."repositoryId", rb."digest", b."size" FROM "RepositoryBlob" rb JOIN "Blob" b ON b."digest" = rb."digest"
         WHERE rb."repositoryId" = ANY (${repositoryIds}::int[])
        UNION ALL
        SELECT a."repositoryId", a."digest", a."manifestSize"::bigint FROM "Artifact" a
         WHERE a."repositoryId" = ANY (${repositoryIds}::int[])) held) distinct_digests
     GROUP BY "repositoryId"`
  const found = new Map(rows.map((row) => [row.repositoryId, Number(row.used)]))
  return new Map(repositoryIds.map((id) => [id, found.get(id) ?? 0]))
}
