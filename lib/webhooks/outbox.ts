// The webhook outbox: the registry index writes an event row in the same statement as the change
// that caused it (a push, a tag or artifact delete) and the pull counter writes pull events, so an
// event exists exactly when its change committed, whatever happens to the process afterwards.
// Rows are written only when an enabled policy of the project (or a system-wide one) subscribes to
// the event type, so registries without webhooks pay one index probe and no write.
// The worker (worker.ts) turns rows into deliveries; `signalOutbox` wakes it at once in this
// process, other processes find the rows on their next poll.
import { runtime } from '../runtime'
import type { SubscribableEventType } from './event-types'

/**
 * SQL text: does an enabled policy of the project whose id is the SQL expression `projectId` (or a
 * system-wide policy) want `type`? Plain text so prepared statements can embed it; `type` is one of
 * the fixed event names, so inlining it is safe.
 */
export function policyWantsSql(type: SubscribableEventType, projectId: string): string {
  return `EXISTS (
    SELECT 1 FROM "WebhookPolicy" w
     WHERE w."enabled" AND (w."projectId" = ${projectId} OR w."projectId" IS NULL)
       AND '${type}' = ANY (w."eventTypes"))`
}

const EVENT_COLUMNS = '"type", "projectId", "repository", "digest", "tags", "mediaType", "size", "operator"'

/**
 * SQL text: the head of the statement that writes outbox rows, `INSERT INTO "WebhookEvent" (...)`.
 * The SELECT that follows yields, in this order: type, projectId, repository, digest, tags,
 * mediaType, size, operator, with `pulls` also pullCount and occurredAt, with `quota` also the
 * quota figures (QUOTA_EXCEED).
 */
export function insertEventSql(options: { pulls?: boolean; quota?: boolean } = {}): string {
  return `INSERT INTO "WebhookEvent" (${EVENT_COLUMNS}${options.pulls ? ', "pullCount", "occurredAt"' : ''}${options.quota ? ', "quota"' : ''})`
}

// The listeners are the runtime's: the server bundle (/v2) and Next's bundle (/api/v1) each load this module.

/** Tells this process's worker that new outbox rows or due deliveries exist. */
export function signalOutbox(): void {
  for (const listener of runtime().outboxListeners) listener()
}

/** Registers a worker's wake-up; returns the function that removes it. */
export function onOutboxSignal(listener: () => void): () => void {
  const listeners = runtime().outboxListeners
  listeners.add(listener)
  return () => listeners.delete(listener)
}
