// Jobs run on a schedule (garbage collection, later tag retention), once per due time across every
// replica. A job is a row of "ScheduledJob" keyed by (kind, scope) with its next due time. Every
// process ticks: it reads the due rows and claims each one by moving its `nextRunAt` forward with a
// compare-and-set UPDATE (… WHERE "nextRunAt" = <the value it read>): exactly one process's update
// matches, and only that process runs the job. A job whose process dies mid-run is not retried; it
// runs again at its next due time. What a kind does is registered once per process with
// `registerScheduledJob`; a row of a kind that this process does not know is left to others.
import { CronExpressionParser } from 'cron-parser'
import { z } from 'zod'
import type { PrismaClient } from '../db/prisma'
import type { Prisma } from '../generated/prisma/client'
import type { Logger } from '../logger'

/** `hourly`, `daily` (00:00 UTC), `weekly` (Sunday 00:00 UTC) or a cron expression (5 fields, or 6 with seconds first; UTC). */
export type ScheduleSpec = string

const NAMED: Record<string, string> = { hourly: '0 * * * *', daily: '0 0 * * *', weekly: '0 0 * * 0' }

function cronOf(spec: ScheduleSpec): string {
  return NAMED[spec] ?? spec
}

/** The first due time strictly after `after`; throws on a spec that is not valid. */
export function nextRunAfter(spec: ScheduleSpec, after: Date): Date {
  const fields = cronOf(spec).trim().split(/\s+/)
  if (fields.length < 5 || fields.length > 6) throw new Error('a cron expression has 5 fields (or 6 with seconds)')
  return CronExpressionParser.parse(cronOf(spec), { currentDate: after, tz: 'UTC' }).next().toDate()
}

/** A schedule spec at an input edge: clear message when it is neither a name nor a valid cron expression. */
export const scheduleSpecSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine(
    (spec) => {
      try {
        nextRunAfter(spec, new Date())
        return true
      } catch {
        return false
      }
    },
    { message: 'must be hourly, daily, weekly or a cron expression (e.g. "0 3 * * *")' },
  )

export interface ScheduledJob {
  kind: string
  scope: string
  schedule: ScheduleSpec
  enabled: boolean
  params: Prisma.JsonValue
  nextRunAt: Date
  lastRunAt: Date | null
  updatedBy: string | null
  updatedAt: Date
}

/** What a kind does when due: given its row as claimed (`params`, `scope`). Errors are logged, not retried. */
export type ScheduledRun = (job: ScheduledJob) => Promise<void>

const SLOT = Symbol.for('harbormaster.scheduled-jobs')
const holder = globalThis as typeof globalThis & { [SLOT]?: Map<string, ScheduledRun> }
// One registry per process, whichever bundle (server or Next) registers or ticks.
const runs = (holder[SLOT] ??= new Map())

export function registerScheduledJob(kind: string, run: ScheduledRun): void {
  runs.set(kind, run)
}

export async function getScheduledJob(prisma: PrismaClient, kind: string, scope = ''): Promise<ScheduledJob | null> {
  return prisma.scheduledJob.findUnique({ where: { kind_scope: { kind, scope } } })
}

/** Creates or replaces a job's schedule; its next run is computed from now. */
export async function putScheduledJob(
  prisma: PrismaClient,
  input: { kind: string; scope?: string; schedule: ScheduleSpec; enabled: boolean; params: Prisma.InputJsonValue; updatedBy: string },
  now = new Date(),
): Promise<ScheduledJob> {
  const scope = input.scope ?? ''
  const data = { schedule: input.schedule, enabled: input.enabled, params: input.params, nextRunAt: nextRunAfter(input.schedule, now), updatedBy: input.updatedBy }
  return prisma.scheduledJob.upsert({ where: { kind_scope: { kind: input.kind, scope } }, create: { kind: input.kind, scope, ...data }, update: data })
}

export async function deleteScheduledJob(prisma: PrismaClient, kind: string, scope = ''): Promise<boolean> {
  const { count } = await prisma.scheduledJob.deleteMany({ where: { kind, scope } })
  return count > 0
}

/**
 * Claims the due jobs of the registered kinds (each by a compare-and-set on `nextRunAt`) and starts
 * them; resolves with the claimed jobs once they have finished. A job still running from an earlier
 * tick in this process is not started twice.
 */
export async function runDueJobs(prisma: PrismaClient, logger: Logger, now = new Date()): Promise<ScheduledJob[]> {
  const kinds = [...runs.keys()]
  if (!kinds.length) return []
  const due = await prisma.scheduledJob.findMany({ where: { kind: { in: kinds }, enabled: true, nextRunAt: { lte: now } }, orderBy: { nextRunAt: 'asc' }, take: 100 })
  const claimed: ScheduledJob[] = []
  for (const job of due) {
    let next: Date
    try {
      next = nextRunAfter(job.schedule, now)
    } catch (error) {
      logger.warn({ err: error, kind: job.kind, scope: job.scope, schedule: job.schedule }, 'scheduled job has an invalid schedule: disabled')
      await prisma.scheduledJob.updateMany({ where: { kind: job.kind, scope: job.scope, nextRunAt: job.nextRunAt }, data: { enabled: false } })
      continue
    }
    const { count } = await prisma.scheduledJob.updateMany({
      where: { kind: job.kind, scope: job.scope, nextRunAt: job.nextRunAt },
      data: { nextRunAt: next, lastRunAt: now },
    })
    if (count === 1) claimed.push({ ...job, nextRunAt: next, lastRunAt: now })
  }
  await Promise.all(claimed.map((job) => runClaimed(job, logger)))
  return claimed
}

const RUNNING = Symbol.for('harbormaster.scheduled-jobs.running')
const runningHolder = globalThis as typeof globalThis & { [RUNNING]?: Set<string> }
const running = (runningHolder[RUNNING] ??= new Set())

async function runClaimed(job: ScheduledJob, logger: Logger): Promise<void> {
  const key = `${job.kind}\0${job.scope}`
  const run = runs.get(job.kind)
  if (!run || running.has(key)) return
  running.add(key)
  try {
    logger.info({ kind: job.kind, scope: job.scope }, 'running scheduled job')
    await run(job)
  } catch (error) {
    logger.error({ err: error, kind: job.kind, scope: job.scope }, 'scheduled job failed')
  } finally {
    running.delete(key)
  }
}

export interface Scheduler {
  /** No more ticks; jobs already running go on (a collection is not worth holding a shutdown for). */
  stop(): void
  /** Settles once the jobs started so far have ended. */
  idle(): Promise<void>
}

/** Ticks every `intervalMs`: claims and runs due jobs (a long job does not hold up the next ticks). */
export function startScheduler(prisma: PrismaClient, logger: Logger, intervalMs: number): Scheduler {
  const inFlight = new Set<Promise<unknown>>()
  const tick = () => {
    const work = runDueJobs(prisma, logger).catch((error: unknown) => logger.warn({ err: error }, 'scheduler tick failed'))
    inFlight.add(work)
    void work.finally(() => inFlight.delete(work))
  }
  const timer = setInterval(tick, intervalMs)
  timer.unref()
  tick()
  return {
    stop: () => clearInterval(timer),
    async idle() {
      await Promise.allSettled([...inFlight])
    },
  }
}
