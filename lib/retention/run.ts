// Running a project's retention policy: every repository a rule applies to is evaluated
// (./evaluate, the same pure decision for a dry run and a real run) and, unless dry, what no rule
// retains is deleted through the ordinary delete path (lib/artifacts `removeArtifact`: the registry
// index, so webhook events and immutability apply, then the audit entries). A run is recorded with
// what it deleted and what kept the rest; a real run ends with a TAG_RETENTION webhook event.
//
// `runRetentionPolicy(projectId, { dryRun, trigger })` is the one entry point the scheduler calls.
// Two runs of one project may overlap harmlessly: deleting what is already gone counts as deleted.
import { z } from 'zod'
import type { PrismaClient } from '../db/prisma'
import { Prisma } from '../generated/prisma/client'
import { isRegistryError } from '@registry-core'
import { auditActor, recordAudit, type Caller } from '../audit'
import { notFound } from '../errors'
import { skipTake, type Page, type PageRequest } from '../pagination'
import { requireProject } from '../projects/access'
import { removeArtifact } from '../artifacts'
import { activeRules } from '../immutability/enforce'
import { runtime } from '../runtime'
import { policyWantsSql, signalOutbox } from '../webhooks/outbox'
import type { RetentionSummary } from '../webhooks/payloads'
import { evaluateRepository, type RetentionArtifact } from './evaluate'
import { storedRules } from './policy'
import { retentionRepositoryResultSchema, type RetentionRepositoryResult, type RetentionRunView } from './schema'

export interface RetentionRunOptions {
  dryRun: boolean
  trigger: 'manual' | 'schedule'
  /** Who the deletions are audited as: the caller of a manual run; `retention` for the scheduler. */
  actor?: string
}

type RunRow = Prisma.RetentionRunGetPayload<object>

function toView(row: RunRow): RetentionRunView {
  const repositories = retentionRepositoryResultSchema.array().safeParse(row.result)
  return {
    id: row.id,
    trigger: row.trigger === 'schedule' ? 'schedule' : 'manual',
    dryRun: row.dryRun,
    status: row.status === 'running' || row.status === 'failed' ? row.status : 'succeeded',
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    deleted: row.deleted,
    retained: row.retained,
    error: row.error,
    repositories: repositories.success ? repositories.data : [],
  }
}

/** Runs the policy of project `projectId` to the end; resolves with the finished run (status `failed` when it failed). */
export async function runRetentionPolicy(projectId: number, options: RetentionRunOptions): Promise<RetentionRunView> {
  const { done } = await startRetentionRun(runtime().prisma, projectId, options)
  return done
}

/** Records a run and starts it: the run as recorded (running) and the promise of its end. */
export async function startRetentionRun(
  prisma: PrismaClient,
  projectId: number,
  options: RetentionRunOptions,
): Promise<{ run: RetentionRunView; done: Promise<RetentionRunView> }> {
  const project = await prisma.project.findUnique({ where: { id: projectId }, select: { id: true, name: true } })
  if (!project) throw notFound(`project ${projectId} not found`)
  const row = await prisma.retentionRun.create({ data: { projectId, trigger: options.trigger, dryRun: options.dryRun, status: 'running' } })
  const actor = options.actor ?? 'retention'
  const done = execute(prisma, project, row.id, options, actor).then(
    (finished) => toView(finished),
    async (error: unknown) => {
      runtime().logger.error({ err: error, project: project.name, run: row.id }, 'retention run failed')
      const failed = await prisma.retentionRun.update({
        where: { id: row.id },
        data: { status: 'failed', finishedAt: new Date(), error: error instanceof Error ? error.message : String(error) },
      })
      await recordAudit(prisma, {
        actor,
        remoteAddress: null,
        action: 'retention.run',
        resourceType: 'retention_policy',
        resource: project.name,
        projectId,
        success: false,
        detail: { run: row.id },
      })
      return toView(failed)
    },
  )
  return { run: toView(row), done }
}

async function execute(prisma: PrismaClient, project: { id: number; name: string }, runId: number, options: RetentionRunOptions, actor: string): Promise<RunRow> {
  const policy = await prisma.retentionPolicy.findUnique({ where: { projectId: project.id } })
  const rules = storedRules(policy?.rules ?? [])
  const immutable = await activeRules(prisma, project.name)
  const repositories = await prisma.repository.findMany({ where: { projectId: project.id }, select: { id: true, name: true }, orderBy: { name: 'asc' } })
  const now = new Date()
  const results: RetentionRepositoryResult[] = []
  let total = 0
  for (const repository of repositories) {
    const artifacts = await loadArtifacts(prisma, repository.id)
    const decided = evaluateRepository(repository.name, artifacts, rules, immutable, now)
    if (!decided) continue
    total += artifacts.length
    results.push(options.dryRun ? decided : await apply(prisma, project.id, decided, actor))
  }
  const deleted = results.reduce((sum, r) => sum + r.deleted.length, 0)
  const retained = results.reduce((sum, r) => sum + r.retained.length, 0)
  const finished = await prisma.retentionRun.update({
    where: { id: runId },
    data: { status: 'succeeded', finishedAt: new Date(), deleted, retained, result: results as unknown as Prisma.InputJsonValue },
  })
  await recordAudit(prisma, {
    actor,
    remoteAddress: null,
    action: 'retention.run',
    resourceType: 'retention_policy',
    resource: project.name,
    projectId: project.id,
    detail: { run: runId, dryRun: options.dryRun, trigger: options.trigger, deleted, retained },
  })
  if (!options.dryRun) {
    const summary: RetentionSummary = {
      runId,
      project: project.name,
      total,
      retained,
      result: 'SUCCESS',
      deleted: results.flatMap((r) => r.deleted.map((d) => ({ repository: r.repository, digest: d.digest, tags: d.tags }))),
    }
    await queueWebhookEvent(prisma, project.id, project.name, actor, summary)
  }
  return finished
}

async function loadArtifacts(prisma: PrismaClient, repositoryId: number): Promise<RetentionArtifact[]> {
  const rows = await prisma.artifact.findMany({
    where: { repositoryId },
    select: {
      digest: true,
      pushedAt: true,
      lastPulledAt: true,
      subjectDigest: true,
      tags: { select: { name: true }, orderBy: { name: 'asc' } },
      references: { where: { kind: 'manifest' }, select: { digest: true } },
    },
    orderBy: { id: 'asc' },
  })
  return rows.map((row) => ({
    digest: row.digest,
    tags: row.tags.map((t) => t.name),
    pushedAt: row.pushedAt,
    lastPulledAt: row.lastPulledAt,
    children: row.references.map((r) => r.digest),
    subject: row.subjectDigest,
  }))
}

/**
 * Deletes what the evaluation doomed, parents first. What the index refuses stays and says why:
 * a tag made immutable since the evaluation, an index that came to reference it. What is already
 * gone (the untagged children of an index deleted just before) counts as deleted.
 */
async function apply(prisma: PrismaClient, projectId: number, decided: RetentionRepositoryResult, actor: string): Promise<RetentionRepositoryResult> {
  const result: RetentionRepositoryResult = { repository: decided.repository, retained: [...decided.retained], deleted: [] }
  for (const artifact of decided.deleted) {
    try {
      const gone = await removeArtifact(prisma, { actor, remoteAddress: null }, projectId, decided.repository, artifact.digest)
      if (gone && !gone.ok) result.retained.push({ ...artifact, reason: `referenced by index ${gone.referencedBy.join(', ')}` })
      else result.deleted.push(artifact)
    } catch (error) {
      if (!(isRegistryError(error) && error.code === 'DENIED')) throw error
      result.retained.push({ ...artifact, reason: error.message })
    }
  }
  return result
}

async function queueWebhookEvent(prisma: PrismaClient, projectId: number, projectName: string, operator: string, summary: RetentionSummary): Promise<void> {
  const rows = await prisma.$queryRaw<unknown[]>`
    INSERT INTO "WebhookEvent" ("type", "projectId", "repository", "digest", "tags", "operator", "retention")
    SELECT 'TAG_RETENTION', ${projectId}::int, ${projectName}, '', '{}'::text[], ${operator}, ${JSON.stringify(summary)}::jsonb
     WHERE ${Prisma.raw(policyWantsSql('TAG_RETENTION', `${Number(projectId)}`))}
    RETURNING 1`
  if (rows.length) signalOutbox()
}

// ---------------------------------------------------------------- the API's side

export const retentionRunRequestSchema = z.strictObject({ dryRun: z.boolean({ error: 'dryRun must be true or false' }).default(false) })

export async function startManualRun(prisma: PrismaClient, caller: Caller, projectName: string, dryRun: boolean): Promise<RetentionRunView> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'retention:manage')
  const { run, done } = await startRetentionRun(prisma, project.id, { dryRun, trigger: 'manual', actor: auditActor(caller).actor })
  void done
  return run
}

export async function listRetentionRuns(prisma: PrismaClient, caller: Caller, projectName: string, page: PageRequest): Promise<Page<RetentionRunView>> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'retention:manage')
  const where = { projectId: project.id }
  const [rows, total] = await Promise.all([prisma.retentionRun.findMany({ where, orderBy: { id: 'desc' }, ...skipTake(page) }), prisma.retentionRun.count({ where })])
  return { items: rows.map(toView), total }
}

export async function getRetentionRun(prisma: PrismaClient, caller: Caller, projectName: string, id: number): Promise<RetentionRunView> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'retention:manage')
  const row = await prisma.retentionRun.findFirst({ where: { id, projectId: project.id } })
  if (!row) throw notFound(`retention run ${id} not found in project ${project.name}`)
  return toView(row)
}
