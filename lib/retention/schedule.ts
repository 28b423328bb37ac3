// Scheduled retention runs: a policy with a schedule is a `retention` job of lib/schedule, scoped by
// its project's id. The job re-reads the policy when it fires, so a schedule removed (or a project
// deleted) since the job was written only ends the job.
import type { PrismaClient } from '../db/prisma'
import { runtime } from '../runtime'
import { deleteScheduledJob, putScheduledJob, registerScheduledJob, type ScheduleSpec } from '../schedule'
import { runRetentionPolicy } from './run'

export const RETENTION_JOB_KIND = 'retention'

export function registerRetentionSchedule(): void {
  registerScheduledJob(RETENTION_JOB_KIND, async (job) => {
    const { prisma } = runtime()
    const projectId = Number(job.scope)
    const policy = await prisma.retentionPolicy.findUnique({ where: { projectId }, select: { schedule: true } })
    if (!policy?.schedule) {
      await deleteScheduledJob(prisma, RETENTION_JOB_KIND, job.scope)
      return
    }
    await runRetentionPolicy(projectId, { dryRun: false, trigger: 'schedule' })
  })
}

/** Writes (or removes, for `null`) the job that runs a project's policy on its schedule. */
export async function scheduleRetention(prisma: PrismaClient, projectId: number, schedule: ScheduleSpec | null, updatedBy: string): Promise<void> {
  const scope = String(projectId)
  if (schedule === null) await deleteScheduledJob(prisma, RETENTION_JOB_KIND, scope)
  else await putScheduledJob(prisma, { kind: RETENTION_JOB_KIND, scope, schedule, enabled: true, params: {}, updatedBy })
}
