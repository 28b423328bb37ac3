// The webhook shapes /api/v1 returns: the OpenAPI document's schemas and the dashboard's types.
// Schema only (zod and the event type names, nothing server-side), so browser code may import it.
import { z } from 'zod'
import { SUBSCRIBABLE_EVENT_TYPES } from './event-types'

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const

export const webhookPolicySchema = z.object({
  id: z.number().int(),
  project: z.string().nullable().describe('null for a system-wide policy'),
  name: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  eventTypes: z.array(z.enum(SUBSCRIBABLE_EVENT_TYPES)),
  targetUrl: z.string(),
  format: z.enum(['default', 'cloudevents']),
  hasAuthHeader: z.boolean(),
  hasSecret: z.boolean(),
  repositoryFilter: z.string().nullable(),
  tagFilter: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  lastDelivery: z
    .object({ status: z.enum(DELIVERY_STATUSES), lastStatusCode: z.number().int().nullable(), createdAt: z.iso.datetime() })
    .nullable()
    .describe('the newest delivery, null before the first'),
})
export const webhookDeliverySchema = z.object({
  id: z.uuid().describe('the X-Registry-Delivery header; the same on every attempt'),
  eventId: z.uuid(),
  eventType: z.string(),
  repository: z.string(),
  digest: z.string().nullable(),
  tags: z.array(z.string()),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int().describe('attempts since the delivery was (re)queued'),
  nextAttemptAt: z.iso.datetime().nullable().describe('when pending'),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
})

export const webhookAttemptSchema = z.object({
  number: z.number().int(),
  startedAt: z.iso.datetime(),
  latencyMs: z.number().int(),
  statusCode: z.number().int().nullable(),
  error: z.string().nullable(),
  requestHeaders: z.record(z.string(), z.string()),
  responseHeaders: z.record(z.string(), z.string()).nullable(),
  responseSnippet: z.string().nullable(),
})

export const webhookDeliveryDetailSchema = webhookDeliverySchema.extend({
  contentType: z.string(),
  payload: z.string().describe('the request body, identical on every attempt'),
  attemptLog: z.array(webhookAttemptSchema),
})

export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number]
/** A policy as the API sends it (dates as ISO strings). */
export type WebhookPolicy = z.infer<typeof webhookPolicySchema>
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>
export type WebhookAttempt = z.infer<typeof webhookAttemptSchema>
export type WebhookDeliveryDetail = z.infer<typeof webhookDeliveryDetailSchema>
