// Garbage collection runs: start (manual or scheduled), follow, cancel, history with the log, and the
// schedule. System administrators only. One collection at a time across every process (./lock.ts);
// the run itself (./collect.ts) goes on in the background of the process that started it, and its
// row is the shared state: progress, the cancel request (any process may set it; the run reads it
// after every batch) and the outcome. The protocol that keeps it safe during pushes is in ./sweep.ts.
import type { PrismaClient } from '../db/prisma'
import type { GcRun as GcRunRow } from '../generated/prisma/client'
import { conflict, invalid, notFound } from '../errors'
import { skipTake, type Page, type PageRequest } from '../pagination'
import { auditActor, recordAudit, type Caller } from '../audit'
import { requireSystem } from '../projects/access'
import { countGcRun } from '../metrics'
import { invalidateManifestCache } from '../registry/manifest-cache'
import { runtime } from '../runtime'
import { deleteScheduledJob, getScheduledJob, nextRunAfter, putScheduledJob, registerScheduledJob, type ScheduledJob } from '../schedule'
import { collect, CollectionCancelled, type CollectOptions, type CollectTotals } from './collect'
import { tryCollectionLock, type CollectionLock } from './lock'
import { gcRequestSchema, type GcRequest, type GcRun, type GcSchedule, type GcScheduleRequest, type GcStatus } from './schema'

export * from './schema'

export type GcRunView = Omit<GcRun, 'startedAt' | 'finishedAt'> & { startedAt: Date; finishedAt: Date | null }
export type GcScheduleView = Omit<GcSchedule, 'nextRunAt' | 'lastRunAt'> & { nextRunAt: Date | null; lastRunAt: Date | null }

/** The scheduler's kind for GC (one system-wide job). */
export const GC_JOB_KIND = 'gc'
/** A run's log keeps at most this many characters (a run over many blobs names each); later lines are counted, not kept. */
const MAX_LOG_CHARS = 1024 * 1024
/** While a run goes on, its log is saved at most this often (its counters after every batch). */
const LOG_SAVE_INTERVAL_MS = 2000

function requireAdmin(caller: Caller): void {
  requireSystem(caller.subject, 'system:admin', 'only system administrators run garbage collection')
}

function toView(row: GcRunRow): GcRunView {
  return {
    id: row.id,
    status: row.status as GcStatus,
    dryRun: row.dryRun,
    deleteUntagged: row.deleteUntagged,
    gracePeriodSeconds: row.gracePeriodSeconds,
    trigger: row.trigger === 'schedule' ? 'schedule' : 'manual',
    requestedBy: row.requestedBy,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    cancelRequested: row.cancelRequested,
    blobsDeleted: row.blobsDeleted,
    bytesFreed: Number(row.bytesFreed),
    artifactsDeleted: row.artifactsDeleted,
    uploadsDeleted: row.uploadsDeleted,
    error: row.error,
  }
}

export interface StartedRun {
  run: GcRunView
  /** Settles when the run has ended (its row holds the outcome). */
  done: Promise<GcRunView>
}

/** Starts a collection in the background of this process; null when another one is running (anywhere). */
export async function beginRun(prisma: PrismaClient, options: CollectOptions, trigger: 'manual' | 'schedule', requestedBy: string): Promise<StartedRun | null> {
  const services = runtime()
  const lock = await tryCollectionLock(services.config.databaseUrl)
  if (!lock) return null
  let row: GcRunRow
  try {
    // A run still marked running holds no lock any more: the process running it stopped.
    await prisma.gcRun.updateMany({ where: { status: 'running' }, data: { status: 'failed', error: 'interrupted: the process running it stopped', finishedAt: new Date() } })
    row = await prisma.gcRun.create({ data: { ...options, trigger, requestedBy } })
  } catch (error) {
    await lock.release()
    throw error
  }
  return { run: toView(row), done: execute(prisma, row, lock) }
}

async function execute(prisma: PrismaClient, row: GcRunRow, lock: CollectionLock): Promise<GcRunView> {
  const { blobs, index, config, logger, caches } = runtime()
  const lines: string[] = []
  let kept = 0
  let dropped = 0
  const log = (line: string) => {
    const stamped = `${new Date().toISOString()} ${line}`
    if (kept + stamped.length <= MAX_LOG_CHARS) {
      lines.push(stamped)
      kept += stamped.length + 1
    } else dropped++
  }
  const logText = () => lines.join('\n') + (dropped ? `\n… ${dropped} more lines not kept` : '')
  let logSavedAt = 0
  const counters = (totals: CollectTotals) => ({ ...totals })
  let status: GcStatus = 'succeeded'
  let error: string | null = null
  let totals: CollectTotals = { blobsDeleted: 0, bytesFreed: 0n, artifactsDeleted: 0, uploadsDeleted: 0 }
  try {
    totals = await collect(
      {
        prisma,
        blobs,
        index,
        uploadExpiryMs: config.uploadPurgeAfterMs,
        artifactsDeleted: (repositories) => repositories.forEach((repository) => invalidateManifestCache(repository, caches.manifests)),
        log,
        async progress(current) {
          totals = current
          const saveLog = Date.now() - logSavedAt >= LOG_SAVE_INTERVAL_MS
          if (saveLog) logSavedAt = Date.now()
          const saved = await prisma.gcRun.update({
            where: { id: row.id },
            data: { ...counters(current), ...(saveLog ? { log: logText() } : {}) },
            select: { cancelRequested: true },
          })
          return saved.cancelRequested
        },
      },
      { dryRun: row.dryRun, deleteUntagged: row.deleteUntagged, gracePeriodSeconds: row.gracePeriodSeconds },
    )
  } catch (cause) {
    if (cause instanceof CollectionCancelled) {
      status = 'cancelled'
      log('cancelled')
    } else {
      status = 'failed'
      error = cause instanceof Error ? cause.message : String(cause)
      log(`failed: ${error}`)
      logger.error({ err: cause, run: row.id }, 'garbage collection failed')
    }
  }
  try {
    const saved = await prisma.gcRun.update({ where: { id: row.id }, data: { ...counters(totals), status, error, finishedAt: new Date(), log: logText() } })
    await recordAudit(prisma, {
      actor: row.requestedBy,
      action: row.dryRun ? 'gc.dry_run' : 'gc.run',
      resourceType: 'gc',
      resource: `gc/${row.id}`,
      success: status !== 'failed',
      detail: {
        status,
        trigger: row.trigger,
        deleteUntagged: row.deleteUntagged,
        gracePeriodSeconds: row.gracePeriodSeconds,
        ...counters(totals),
        bytesFreed: Number(totals.bytesFreed),
      },
    })
    logger.info({ run: row.id, status, ...totals, bytesFreed: Number(totals.bytesFreed) }, 'garbage collection finished')
    countGcRun({ status, dryRun: row.dryRun, blobsDeleted: totals.blobsDeleted, bytesFreed: totals.bytesFreed })
    return toView(saved)
  } finally {
    await lock.release()
  }
}

/** POST /system/gc: starts a run (202); 409 while another runs. */
export async function startGc(prisma: PrismaClient, caller: Caller, input: GcRequest): Promise<GcRunView> {
  requireAdmin(caller)
  const started = await beginRun(prisma, input, 'manual', auditActor(caller).actor)
  if (!started) {
    const running = await prisma.gcRun.findFirst({ where: { status: 'running' }, orderBy: { id: 'desc' }, select: { id: true } })
    throw conflict('a garbage collection is already running', running ? { runId: running.id } : undefined)
  }
  void started.done.catch((error: unknown) => runtime().logger.error({ err: error, run: started.run.id }, 'recording the end of a garbage collection failed'))
  return started.run
}

async function requireRun(prisma: PrismaClient, id: number): Promise<GcRunRow> {
  const row = await prisma.gcRun.findUnique({ where: { id } })
  if (!row) throw notFound(`garbage collection ${id} not found`)
  return row
}

export async function getGcRun(prisma: PrismaClient, caller: Caller, id: number): Promise<GcRunView> {
  requireAdmin(caller)
  return toView(await requireRun(prisma, id))
}

export async function getGcLog(prisma: PrismaClient, caller: Caller, id: number): Promise<string> {
  requireAdmin(caller)
  return (await requireRun(prisma, id)).log
}

/** Newest first. */
export async function listGcRuns(prisma: PrismaClient, caller: Caller, page: PageRequest): Promise<Page<GcRunView>> {
  requireAdmin(caller)
  const [rows, total] = await Promise.all([prisma.gcRun.findMany({ orderBy: { id: 'desc' }, ...skipTake(page) }), prisma.gcRun.count()])
  return { items: rows.map(toView), total }
}

/** Asks a running collection to stop after its current batch (whatever process runs it); 409 when it is not running. */
export async function cancelGcRun(prisma: PrismaClient, caller: Caller, id: number): Promise<GcRunView> {
  requireAdmin(caller)
  const { count } = await prisma.gcRun.updateMany({ where: { id, status: 'running' }, data: { cancelRequested: true } })
  const row = await requireRun(prisma, id)
  if (!count) throw conflict(`garbage collection ${id} is not running (${row.status})`)
  await recordAudit(prisma, { ...auditActor(caller), action: 'gc.cancel', resourceType: 'gc', resource: `gc/${id}` })
  return toView(row)
}

function scheduleView(job: ScheduledJob | null): GcScheduleView {
  const params = gcRequestSchema.safeParse(job?.params ?? {})
  const options = params.success ? params.data : gcRequestSchema.parse({})
  return {
    schedule: job?.schedule ?? null,
    enabled: job?.enabled ?? false,
    deleteUntagged: options.deleteUntagged,
    gracePeriodSeconds: options.gracePeriodSeconds,
    nextRunAt: job?.enabled ? job.nextRunAt : null,
    lastRunAt: job?.lastRunAt ?? null,
    updatedBy: job?.updatedBy ?? null,
  }
}

export async function getGcSchedule(prisma: PrismaClient, caller: Caller): Promise<GcScheduleView> {
  requireAdmin(caller)
  return scheduleView(await getScheduledJob(prisma, GC_JOB_KIND))
}

export async function putGcSchedule(prisma: PrismaClient, caller: Caller, input: GcScheduleRequest): Promise<GcScheduleView> {
  requireAdmin(caller)
  try {
    nextRunAfter(input.schedule, new Date())
  } catch (cause) {
    throw invalid(`schedule must be hourly, daily, weekly or a cron expression such as "0 3 * * *" (${cause instanceof Error ? cause.message : String(cause)})`)
  }
  const actor = auditActor(caller)
  const job = await putScheduledJob(prisma, {
    kind: GC_JOB_KIND,
    schedule: input.schedule,
    enabled: input.enabled,
    params: { dryRun: false, deleteUntagged: input.deleteUntagged, gracePeriodSeconds: input.gracePeriodSeconds },
    updatedBy: actor.actor,
  })
  await recordAudit(prisma, { ...actor, action: 'gc.schedule', resourceType: 'gc', resource: 'gc/schedule', detail: { ...input } })
  return scheduleView(job)
}

export async function deleteGcSchedule(prisma: PrismaClient, caller: Caller): Promise<void> {
  requireAdmin(caller)
  if (await deleteScheduledJob(prisma, GC_JOB_KIND)) await recordAudit(prisma, { ...auditActor(caller), action: 'gc.schedule.delete', resourceType: 'gc', resource: 'gc/schedule' })
}

/** Makes this process run the GC schedule when its scheduler claims it (server.ts, once). */
export function registerGcSchedule(): void {
  registerScheduledJob(GC_JOB_KIND, async (job) => {
    const { prisma, logger } = runtime()
    const options = gcRequestSchema.parse(job.params)
    const started = await beginRun(prisma, options, 'schedule', job.updatedBy ?? 'scheduler')
    if (!started) {
      logger.info('scheduled garbage collection skipped: another one is running')
      return
    }
    await started.done
  })
}
