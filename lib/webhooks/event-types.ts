// The webhook event types: what a policy subscribes to, what the outbox records and what a delivery
// carries. The one list for the API's validation, the outbox SQL, the payload renderers and the
// dashboard, so it imports nothing (client components use it). registry-core's engine events
// (`manifest.pushed`, …) are a different vocabulary: lib/registry turns them into these.

/** What a policy can subscribe to, in the order the dashboard lists them. */
export const SUBSCRIBABLE_EVENT_TYPES = ['PUSH_ARTIFACT', 'PULL_ARTIFACT', 'DELETE_ARTIFACT', 'DELETE_TAG', 'QUOTA_WARNING', 'QUOTA_EXCEED', 'TAG_RETENTION'] as const
export type SubscribableEventType = (typeof SUBSCRIBABLE_EVENT_TYPES)[number]

/** The event a "test" delivery carries; no policy subscribes to it. */
export const TEST_EVENT_TYPE = 'TEST'

/** Every event type a delivery can carry. */
export const WEBHOOK_EVENT_TYPES = [...SUBSCRIBABLE_EVENT_TYPES, TEST_EVENT_TYPE] as const
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]

export const WEBHOOK_EVENT_LABELS: Record<WebhookEventType, string> = {
  PUSH_ARTIFACT: 'Artifact pushed',
  PULL_ARTIFACT: 'Artifact pulled',
  DELETE_ARTIFACT: 'Artifact deleted',
  DELETE_TAG: 'Tag deleted',
  QUOTA_WARNING: 'Storage quota nearly used',
  QUOTA_EXCEED: 'Storage quota exceeded',
  TAG_RETENTION: 'Tag retention finished',
  TEST: 'Test event',
}
