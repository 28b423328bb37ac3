// Tag retention policies in Harbor's vocabulary (issue #13): the request and response shapes, shared
// with the dashboard (so values come from zod only; the glob check runs server-side in ./policy).
import { z } from 'zod'

/** Harbor's rule templates: what a rule retains among the artifacts it selects. */
export const RETENTION_TEMPLATES = ['latestPushedK', 'latestPulledN', 'nDaysSinceLastPush', 'nDaysSinceLastPull', 'always'] as const
export type RetentionTemplate = (typeof RETENTION_TEMPLATES)[number]

export const RETENTION_TEMPLATE_LABELS: Record<RetentionTemplate, string> = {
  latestPushedK: 'the most recently pushed # artifacts',
  latestPulledN: 'the most recently pulled # artifacts',
  nDaysSinceLastPush: 'the artifacts pushed within the last # days',
  nDaysSinceLastPull: 'the artifacts pulled within the last # days',
  always: 'always',
}

export const MAX_RETENTION_RULES = 15

export const retentionRuleSchema = z.object({
  template: z.enum(RETENTION_TEMPLATES),
  /** The template's number: how many artifacts (latest…) or days (nDays…); absent for `always`. */
  n: z.number().nullable(),
  repositories: z.string(),
  tags: z.string(),
  untagged: z.boolean(),
  disabled: z.boolean(),
})
export type RetentionRule = z.infer<typeof retentionRuleSchema>

export const retentionPolicySchema = z.object({
  rules: z.array(retentionRuleSchema),
  schedule: z.string().nullable(),
  updatedAt: z.iso.datetime().nullable(),
})
export type RetentionPolicyView = z.infer<typeof retentionPolicySchema>

const retainedSchema = z.object({ digest: z.string(), tags: z.array(z.string()), reason: z.string() })
const deletedSchema = z.object({ digest: z.string(), tags: z.array(z.string()) })

export const retentionRepositoryResultSchema = z.object({
  repository: z.string(),
  retained: z.array(retainedSchema),
  deleted: z.array(deletedSchema),
})
export type RetentionRepositoryResult = z.infer<typeof retentionRepositoryResultSchema>

export const retentionRunSchema = z.object({
  id: z.number(),
  trigger: z.enum(['manual', 'schedule']),
  dryRun: z.boolean(),
  status: z.enum(['running', 'succeeded', 'failed']),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  deleted: z.number(),
  retained: z.number(),
  error: z.string().nullable(),
  repositories: z.array(retentionRepositoryResultSchema),
})
export type RetentionRunView = z.infer<typeof retentionRunSchema>
