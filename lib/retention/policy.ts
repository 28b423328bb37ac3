// A project's tag retention policy (issue #13): read and replace it (rules in Harbor's vocabulary and
// a schedule), for project admins and maintainers (Harbor's `tag-retention` permissions). Changes are
// audited. A schedule becomes a job of lib/schedule (./schedule) that calls `runRetentionPolicy` (./run).
import { z } from 'zod'
import type { PrismaClient } from '../db/prisma'
import type { Prisma } from '../generated/prisma/client'
import { auditActor, recordAudit, type Caller } from '../audit'
import { requireProject } from '../projects/access'
import { globPatternSchema } from '../patterns/glob-schema'
import { scheduleSpecSchema } from '../schedule'
import { scheduleRetention } from './schedule'
import { MAX_RETENTION_RULES, RETENTION_TEMPLATES, retentionRuleSchema, type RetentionPolicyView, type RetentionRule } from './schema'

export * from './schema'

export const scheduleSchema = scheduleSpecSchema.describe('`hourly`, `daily`, `weekly` or a cron expression such as `0 3 * * *`')

const ruleInputSchema = z
  .strictObject({
    template: z.enum(RETENTION_TEMPLATES, { error: `template must be one of ${RETENTION_TEMPLATES.join(', ')}` }),
    n: z
      .int({ error: 'n must be a whole number' })
      .min(0, 'n must be at least 0')
      .max(1_000_000, 'n must be at most 1000000')
      .nullable()
      .optional()
      .describe('how many artifacts (latestPushedK, latestPulledN) or days (nDaysSinceLastPush, nDaysSinceLastPull); absent for always'),
    repositories: globPatternSchema('repositories must be a glob pattern')
      .pipe(z.string().min(1, 'repositories must not be empty'))
      .default('**')
      .describe('glob matched against the repository name inside the project'),
    tags: globPatternSchema('tags must be a glob pattern').pipe(z.string().min(1, 'tags must not be empty')).default('**').describe('glob matched against tag names'),
    untagged: z.boolean({ error: 'untagged must be true or false' }).default(false).describe('the rule also selects artifacts without tags'),
    disabled: z.boolean({ error: 'disabled must be true or false' }).default(false),
  })
  .superRefine((rule, ctx) => {
    if (rule.template !== 'always' && (rule.n === undefined || rule.n === null)) ctx.addIssue({ code: 'custom', path: ['n'], message: `n is required for ${rule.template}` })
  })
  .transform((rule): RetentionRule => ({ ...rule, n: rule.template === 'always' ? null : (rule.n ?? null) }))

export const retentionPolicyInputSchema = z.strictObject({
  rules: z.array(ruleInputSchema, { error: 'rules must be a list' }).max(MAX_RETENTION_RULES, `at most ${MAX_RETENTION_RULES} rules`),
  schedule: scheduleSchema.nullable().default(null),
})

/** The stored rules, read back (they were validated on write). */
export function storedRules(value: Prisma.JsonValue): RetentionRule[] {
  const parsed = z.array(retentionRuleSchema).safeParse(value)
  return parsed.success ? parsed.data : []
}

export async function getRetentionPolicy(prisma: PrismaClient, caller: Caller, projectName: string): Promise<RetentionPolicyView> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'retention:manage')
  const row = await prisma.retentionPolicy.findUnique({ where: { projectId: project.id } })
  return row ? { rules: storedRules(row.rules), schedule: row.schedule, updatedAt: row.updatedAt.toISOString() } : { rules: [], schedule: null, updatedAt: null }
}

export async function putRetentionPolicy(
  prisma: PrismaClient,
  caller: Caller,
  projectName: string,
  input: z.infer<typeof retentionPolicyInputSchema>,
): Promise<RetentionPolicyView> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'retention:manage')
  const rules = input.rules as unknown as Prisma.InputJsonValue
  const row = await prisma.$transaction(async (tx) => {
    const saved = await tx.retentionPolicy.upsert({
      where: { projectId: project.id },
      create: { projectId: project.id, rules, schedule: input.schedule },
      update: { rules, schedule: input.schedule },
    })
    await recordAudit(tx, {
      ...auditActor(caller),
      action: 'retention_policy.update',
      resourceType: 'retention_policy',
      resource: project.name,
      projectId: project.id,
      detail: { rules, schedule: input.schedule },
    })
    return saved
  })
  await scheduleRetention(prisma, project.id, row.schedule, auditActor(caller).actor)
  return { rules: storedRules(row.rules), schedule: row.schedule, updatedAt: row.updatedAt.toISOString() }
}
