// Tag retention policies in Harbor's vocabulary (issue #13): the request and response shapes (the
// glob check runs server-side in ./policy). The dashboard imports only types from here and its values
// from ./templates: creating zod object schemas in the browser probes `new Function`, which the
// Content-Security-Policy reports as a violation.
import { z } from 'zod'
import { RETENTION_TEMPLATES } from './templates'

export { RETENTION_TEMPLATES, RETENTION_TEMPLATE_LABELS, type RetentionTemplate } from './templates'

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
