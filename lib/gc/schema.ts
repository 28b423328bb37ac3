// The garbage collection shapes of /api/v1/system/gc: requests and responses, the OpenAPI document's
// schemas and the dashboard's types. Schema only (zod, nothing server-side), so browser code may import it.
import { z } from 'zod'

/** Harbor's time window: a blob pushed within it and not referenced yet may be waiting for its manifest. */
export const DEFAULT_GRACE_PERIOD_SECONDS = 2 * 3600
const MAX_GRACE_PERIOD_SECONDS = 365 * 86_400

const gracePeriodSchema = z
  .number({ error: 'gracePeriodSeconds must be a number' })
  .int('gracePeriodSeconds must be a whole number of seconds')
  .min(0, 'gracePeriodSeconds must be at least 0')
  .max(MAX_GRACE_PERIOD_SECONDS, `gracePeriodSeconds must be at most ${MAX_GRACE_PERIOD_SECONDS}`)
  .describe('blobs and untagged artifacts younger than this are kept (default 7200)')

export const gcRequestSchema = z
  .object({
    dryRun: z.boolean({ error: 'dryRun must be true or false' }).default(false).describe('only count what would go'),
    deleteUntagged: z
      .boolean({ error: 'deleteUntagged must be true or false' })
      .default(false)
      .describe('also delete untagged artifacts (never index children a kept index references, nor referrers of a kept subject)'),
    gracePeriodSeconds: gracePeriodSchema.default(DEFAULT_GRACE_PERIOD_SECONDS),
  })
  .strict()
export type GcRequest = z.infer<typeof gcRequestSchema>

export const GC_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const
export type GcStatus = (typeof GC_STATUSES)[number]

export const gcRunSchema = z.object({
  id: z.number(),
  status: z.enum(GC_STATUSES),
  dryRun: z.boolean(),
  deleteUntagged: z.boolean(),
  gracePeriodSeconds: z.number(),
  trigger: z.enum(['manual', 'schedule']),
  requestedBy: z.string(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  cancelRequested: z.boolean(),
  blobsDeleted: z.number().describe('blobs deleted (a dry run: that would be)'),
  bytesFreed: z.number().describe('bytes freed in the blob store (a dry run: that would be)'),
  artifactsDeleted: z.number().describe('untagged artifacts deleted (a dry run: of the first level)'),
  uploadsDeleted: z.number().describe('expired upload sessions removed'),
  error: z.string().nullable(),
})
export type GcRun = z.infer<typeof gcRunSchema>

export const gcScheduleRequestSchema = z
  .object({
    schedule: z
      .string({ error: 'schedule is required' })
      .trim()
      .min(1, 'schedule is required')
      .max(100, 'schedule must be at most 100 characters')
      .describe('hourly, daily (00:00 UTC), weekly (Sunday 00:00 UTC) or a cron expression in UTC (5 fields, or 6 with seconds first)'),
    enabled: z.boolean({ error: 'enabled must be true or false' }).default(true),
    deleteUntagged: z.boolean({ error: 'deleteUntagged must be true or false' }).default(false),
    gracePeriodSeconds: gracePeriodSchema.default(DEFAULT_GRACE_PERIOD_SECONDS),
  })
  .strict()
export type GcScheduleRequest = z.infer<typeof gcScheduleRequestSchema>

export const gcScheduleSchema = z.object({
  schedule: z.string().nullable().describe('null: no schedule'),
  enabled: z.boolean(),
  deleteUntagged: z.boolean(),
  gracePeriodSeconds: z.number(),
  nextRunAt: z.iso.datetime().nullable(),
  lastRunAt: z.iso.datetime().nullable(),
  updatedBy: z.string().nullable(),
})
export type GcSchedule = z.infer<typeof gcScheduleSchema>
