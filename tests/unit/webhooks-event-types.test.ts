import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SUBSCRIBABLE_EVENT_TYPES, TEST_EVENT_TYPE, WEBHOOK_EVENT_LABELS, WEBHOOK_EVENT_TYPES } from '../../lib/webhooks/event-types'
import { deliveryFilterSchema, webhookUpdateSchema } from '../../lib/webhooks/policies'

describe('webhook event types', () => {
  it("are Harbor's subscribable artifact, quota and retention events plus TEST, each with a label", () => {
    expect([...SUBSCRIBABLE_EVENT_TYPES]).toEqual(['PUSH_ARTIFACT', 'PULL_ARTIFACT', 'DELETE_ARTIFACT', 'DELETE_TAG', 'QUOTA_WARNING', 'QUOTA_EXCEED', 'TAG_RETENTION'])
    expect([...WEBHOOK_EVENT_TYPES]).toEqual([...SUBSCRIBABLE_EVENT_TYPES, TEST_EVENT_TYPE])
    expect(Object.keys(WEBHOOK_EVENT_LABELS).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort())
  })

  it('module imports nothing, so client components can use it', () => {
    const source = readFileSync(new URL('../../lib/webhooks/event-types.ts', import.meta.url), 'utf8')
    expect(source).not.toMatch(/^\s*import\b/m)
  })

  it('drive the API validation: policies subscribe to the subscribable ones, delivery filters also accept TEST', () => {
    expect(deliveryFilterSchema.safeParse({ event_type: 'TEST' }).success).toBe(true)
    expect(deliveryFilterSchema.safeParse({ event_type: 'PUSH' }).success).toBe(false)
    for (const type of SUBSCRIBABLE_EVENT_TYPES) expect(deliveryFilterSchema.safeParse({ event_type: type }).success).toBe(true)
    expect(webhookUpdateSchema.safeParse({ eventTypes: ['DELETE_TAG', 'PULL_ARTIFACT'] }).success).toBe(true)
    expect(webhookUpdateSchema.safeParse({ eventTypes: ['TEST'] }).success).toBe(false)
  })
})
