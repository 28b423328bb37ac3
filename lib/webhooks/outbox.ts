// The webhook outbox: the registry index writes an event row in the same statement as the change
// that caused it (a push, a tag or artifact delete) and the pull counter writes pull events, so an
// event exists exactly when its change committed, whatever happens to the process afterwards.
// Rows are written only when an enabled policy of the project (or a system-wide one) subscribes to
// the event type, so registries without webhooks pay one index probe and no write.
// The worker (worker.ts) turns rows into deliveries; `signalOutbox` wakes it at once in this
// process, other processes find the rows on their next poll.
import { Prisma } from '../generated/prisma/client'

export const REGISTRY_EVENT_TYPES = ['PUSH_ARTIFACT', 'PULL_ARTIFACT', 'DELETE_ARTIFACT', 'DELETE_TAG'] as const
export type RegistryEventType = (typeof REGISTRY_EVENT_TYPES)[number]

/** SQL: does an enabled policy of the project with id `projectId` (or a system-wide one) want `type`? */
export function policyWants(type: RegistryEventType, projectId: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`EXISTS (
    SELECT 1 FROM "WebhookPolicy" w
     WHERE w."enabled" AND (w."projectId" = ${projectId} OR w."projectId" IS NULL)
       AND ${type}::text = ANY (w."eventTypes"))`
}

type Listener = () => void
// On globalThis: the server bundle (/v2) and Next's bundle (/api/v1) each load this module.
const g = globalThis as typeof globalThis & { __webhookOutboxListeners?: Set<Listener> }
const listeners = (g.__webhookOutboxListeners ??= new Set())

/** Tells this process's worker that new outbox rows or due deliveries exist. */
export function signalOutbox(): void {
  for (const listener of listeners) listener()
}

/** Registers a worker's wake-up; returns the function that removes it. */
export function onOutboxSignal(listener: Listener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}
