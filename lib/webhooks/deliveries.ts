// The delivery pipeline's database steps, shared by every server process:
//   fanOut       outbox events -> one delivery per matching policy (payload rendered once, so every
//                attempt sends the same body), events deleted; one transaction, rows locked with
//                SKIP LOCKED so two processes never fan out the same event. The first deliveries
//                come back leased to the caller, which sends them at once. An event a policy cannot
//                be applied to (a stored filter that no longer compiles, a payload that cannot be
//                rendered) becomes a failed delivery saying why, so it never blocks the others.
//   claimDue     due deliveries leased to this process (SKIP LOCKED + a lease that expires, so a
//                process killed mid-send leaves its deliveries to the others after the lease).
//   recordAttempt  the attempt's log row and the delivery's new state, only while the lease is ours.
//   purgeFinished  the delivery log's retention.
import { randomUUID } from 'node:crypto'
import type { PrismaClient } from '../db/prisma'
import { Prisma } from '../generated/prisma/client'
import { projectNameOf } from '../auth/project-access'
import { compileGlob, type GlobMatcher } from '../patterns/glob'
import { passesFilters } from './filters'
import type { WebhookEventType } from './event-types'
import { renderPayload, type PayloadFormat, type RetentionSummary, type WebhookEventData } from './payloads'
import type { OutboundResult } from './outbound'

export interface RenderSettings {
  /** host[:port] in `resource_url`. */
  registryHost: string
  /** The registry's URL (CloudEvents `source`). */
  source: string
}

export interface RetrySettings {
  maxAttempts: number
  retryBaseMs: number
  retryMaxMs: number
}

interface OutboxRow {
  id: string
  type: WebhookEventType
  projectId: number
  repository: string
  digest: string
  tags: string[]
  mediaType: string | null
  size: bigint | null
  operator: string
  pullCount: number | null
  quota: { used: number; limit: number; needed: number } | null
  retention: RetentionSummary | null
  occurredAt: Date
  repositoryCreatedAt: Date | null
  projectPublic: boolean | null
  /** Enabled policies of the project (or system-wide) subscribed to the type; filters are applied here. */
  policies: { id: number; format: PayloadFormat; repositoryFilter: string | null; tagFilter: string | null }[]
}

/** The resources an event names: one per tag, or the bare digest when it has none. */
function resourcesOf(event: Pick<OutboxRow, 'digest' | 'tags' | 'mediaType' | 'size'>): WebhookEventData['resources'] {
  const base = {
    digest: event.digest,
    ...(event.mediaType ? { mediaType: event.mediaType } : {}),
    ...(event.size !== null ? { size: Number(event.size) } : {}),
  }
  return event.tags.length ? event.tags.map((tag) => ({ ...base, tag })) : [base]
}

export function eventData(row: Omit<OutboxRow, 'policies'>): WebhookEventData {
  const namespace = projectNameOf(row.repository) ?? row.repository
  return {
    id: row.id,
    type: row.type,
    occurredAt: row.occurredAt,
    operator: row.operator,
    repository: {
      fullName: row.repository,
      namespace,
      name: row.repository.slice(namespace.length + 1),
      createdAt: row.repositoryCreatedAt,
      public: row.projectPublic === true,
    },
    resources: resourcesOf(row),
    ...(row.pullCount !== null ? { pullCount: row.pullCount } : {}),
    ...(row.quota ? { quota: { used: Number(row.quota.used), limit: Number(row.quota.limit), needed: Number(row.quota.needed) } } : {}),
    ...(row.retention ? { retention: row.retention } : {}),
  }
}

interface NewDelivery {
  policyId: number
  eventId: string
  eventType: string
  repository: string
  digest: string
  tags: string[]
  contentType: string
  payload: string
  /** Why the delivery could not be prepared: it is saved as failed and never sent. */
  failure: string | null
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** Where fan-out reports an event it saved as a failed delivery (the worker's logger). */
export type FanOutLog = (detail: Record<string, unknown>, message: string) => void

function deliveriesOf(events: OutboxRow[], render: RenderSettings, log: FanOutLog): NewDelivery[] {
  const patterns = new Map<string, GlobMatcher>()
  const glob = (pattern: string | null, what: string) => {
    if (!pattern) return null
    let compiled = patterns.get(pattern)
    if (!compiled) {
      try {
        compiled = compileGlob(pattern)
      } catch (error) {
        throw new Error(`the policy's ${what} filter is invalid (${errorMessage(error)}); edit the policy`, { cause: error })
      }
      patterns.set(pattern, compiled)
    }
    return compiled
  }
  const deliveries: NewDelivery[] = []
  for (const event of events) {
    const base = { eventId: event.id, eventType: event.type, repository: event.repository, digest: event.digest, tags: event.tags }
    let data: WebhookEventData | undefined
    for (const policy of event.policies) {
      try {
        const filters = { repository: glob(policy.repositoryFilter, 'repository'), tag: glob(policy.tagFilter, 'tag') }
        // A project-wide event (a retention run) is about no one repository or tag: filters do not apply.
        if (event.type !== 'TAG_RETENTION' && !passesFilters({ repository: event.repository, tags: event.tags }, filters)) continue
        const payload = renderPayload(policy.format, (data ??= eventData(event)), render)
        deliveries.push({ ...base, policyId: policy.id, contentType: payload.contentType, payload: payload.body, failure: null })
      } catch (error) {
        const failure = `the event could not be prepared for delivery: ${errorMessage(error)}`
        log({ event: event.id, policy: policy.id, err: error }, 'webhook delivery saved as failed: it could not be prepared')
        deliveries.push({ ...base, policyId: policy.id, contentType: 'text/plain', payload: '', failure })
      }
    }
  }
  return deliveries
}

export interface ClaimedDelivery {
  id: string
  eventType: string
  contentType: string
  payload: string
  attempts: number
  leaseToken: string
  targetUrl: string
  /** The policy's signing secret and Authorization value, sealed (lib/secrets); the worker opens them to send. */
  secretEnvelope: string | null
  authHeaderEnvelope: string | null
  policyEnabled: boolean
}

export interface FanOutResult {
  /** Outbox events handled (0: the outbox is empty, or every row is being handled by another process). */
  events: number
  /** New deliveries already leased to the caller, to send at once (at most `lease.max`). */
  leased: ClaimedDelivery[]
}

/**
 * Turns up to `limit` outbox events into deliveries in one transaction of two statements: the
 * events (locked, SKIP LOCKED) with their subscribed policies, then one statement that deletes them
 * and inserts the deliveries, the first `lease.max` of them leased to the caller so it can send
 * them without another round trip. An empty outbox, what every process finds on nearly every poll,
 * costs one read and no transaction.
 */
export async function fanOut(prisma: PrismaClient, render: RenderSettings, lease: { max: number; ms: number }, log: FanOutLog = () => {}, limit = 100): Promise<FanOutResult> {
  const [{ pending }] = await prisma.$queryRaw<{ pending: boolean }[]>`SELECT EXISTS (SELECT 1 FROM "WebhookEvent") AS "pending"`
  if (!pending) return { events: 0, leased: [] }
  return prisma.$transaction(async (tx) => {
    const events = await tx.$queryRaw<OutboxRow[]>`
      SELECT e."id", e."type", e."projectId", e."repository", e."digest", e."tags", e."mediaType", e."size",
             e."operator", e."pullCount", e."quota", e."retention", e."occurredAt", r."createdAt" AS "repositoryCreatedAt", p."public" AS "projectPublic",
             COALESCE((
               SELECT json_agg(json_build_object('id', w."id", 'format', w."format", 'repositoryFilter', w."repositoryFilter", 'tagFilter', w."tagFilter") ORDER BY w."id")
                 FROM "WebhookPolicy" w
                WHERE w."enabled" AND (w."projectId" = e."projectId" OR w."projectId" IS NULL) AND e."type" = ANY (w."eventTypes")
             ), '[]'::json) AS "policies"
        FROM "WebhookEvent" e
        LEFT JOIN "Repository" r ON r."name" = e."repository"
        LEFT JOIN "Project" p ON p."id" = e."projectId"
       ORDER BY e."occurredAt"
       LIMIT ${limit}
         FOR UPDATE OF e SKIP LOCKED`
    if (events.length === 0) return { events: 0, leased: [] }
    const deliveries = deliveriesOf(events, render, log)
    let toLease = lease.max
    const leasedFlags = deliveries.map((d) => d.failure === null && toLease-- > 0)
    const leaseToken = randomUUID()
    const leased = await tx.$queryRaw<ClaimedDelivery[]>`
      WITH gone AS (
        DELETE FROM "WebhookEvent" WHERE "id" = ANY (${events.map((e) => e.id)}::uuid[])
      ), input AS (
        SELECT * FROM unnest(
          ${deliveries.map((d) => d.policyId)}::int[], ${deliveries.map((d) => d.eventId)}::uuid[],
          ${deliveries.map((d) => d.eventType)}::text[], ${deliveries.map((d) => d.repository)}::text[],
          ${deliveries.map((d) => d.digest)}::text[], ${deliveries.map((d) => JSON.stringify(d.tags))}::text[],
          ${deliveries.map((d) => d.contentType)}::text[], ${deliveries.map((d) => d.payload)}::text[],
          ${leasedFlags}::boolean[], ${deliveries.map((d) => d.failure)}::text[]
        ) WITH ORDINALITY AS i("policyId", "eventId", "eventType", "repository", "digest", "tags", "contentType", "payload", "leased", "failure", "n")
      ), saved AS (
        INSERT INTO "WebhookDelivery" ("policyId", "eventId", "eventType", "repository", "digest", "tags", "contentType", "payload", "leaseToken", "leaseUntil",
                                       "status", "lastError", "finishedAt")
        SELECT i."policyId", i."eventId", i."eventType", i."repository", i."digest",
               ARRAY(SELECT json_array_elements_text(i."tags"::json)), i."contentType", i."payload",
               CASE WHEN i."leased" THEN ${leaseToken} END,
               CASE WHEN i."leased" THEN now() + make_interval(secs => ${lease.ms / 1000}) END,
               (CASE WHEN i."failure" IS NULL THEN 'pending' ELSE 'failed' END)::"WebhookDeliveryStatus",
               i."failure", CASE WHEN i."failure" IS NOT NULL THEN now() END
          FROM input i ORDER BY i."n"
        RETURNING "id", "policyId", "eventType", "contentType", "payload", "attempts", "leaseToken"
      )
      SELECT s."id", s."eventType", s."contentType", s."payload", s."attempts", s."leaseToken",
             p."targetUrl", p."secretEnvelope", p."authHeaderEnvelope", p."enabled" AS "policyEnabled"
        FROM saved s JOIN "WebhookPolicy" p ON p."id" = s."policyId"
       WHERE s."leaseToken" IS NOT NULL`
    return { events: events.length, leased }
  })
}

/** Leases up to `limit` due deliveries to the caller for `leaseMs`. */
export async function claimDue(prisma: PrismaClient, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const leaseToken = randomUUID()
  return prisma.$queryRaw<ClaimedDelivery[]>`
    WITH due AS (
      SELECT "id" FROM "WebhookDelivery"
       WHERE "status" = 'pending' AND "nextAttemptAt" <= now() AND ("leaseUntil" IS NULL OR "leaseUntil" < now())
       ORDER BY "nextAttemptAt"
       LIMIT ${limit}
         FOR UPDATE SKIP LOCKED
    )
    UPDATE "WebhookDelivery" d
       SET "leaseToken" = ${leaseToken}, "leaseUntil" = now() + make_interval(secs => ${leaseMs / 1000})
      FROM due, "WebhookPolicy" p
     WHERE d."id" = due."id" AND p."id" = d."policyId"
    RETURNING d."id", d."eventType", d."contentType", d."payload", d."attempts", d."leaseToken",
              p."targetUrl", p."secretEnvelope", p."authHeaderEnvelope", p."enabled" AS "policyEnabled"`
}

/** Delay before attempt `attempt + 1`: base·2^(attempt-1) capped, with "equal jitter" (half fixed, half random). */
export function retryDelayMs(attempt: number, retry: RetrySettings, random: () => number = Math.random): number {
  const exponential = Math.min(retry.retryMaxMs, retry.retryBaseMs * 2 ** Math.min(attempt - 1, 30))
  return Math.round(exponential / 2 + (exponential / 2) * random())
}

export interface AttemptRecord {
  startedAt: Date
  requestHeaders: Record<string, string>
  result: OutboundResult
}

/** What an attempt's result means for the delivery. */
export function outcome(result: OutboundResult): { delivered: boolean; retry: boolean; statusCode: number | null; error: string | null } {
  switch (result.kind) {
    case 'response': {
      const delivered = result.status >= 200 && result.status < 300
      return { delivered, retry: !delivered, statusCode: result.status, error: delivered ? null : `the target answered ${result.status}` }
    }
    case 'refused':
      // A refused target stays refused until the policy or the allowed networks change: no retries.
      return { delivered: false, retry: false, statusCode: null, error: result.reason }
    case 'error':
      return { delivered: false, retry: true, statusCode: null, error: result.error }
  }
}

/**
 * Writes the attempt and moves the delivery on (delivered; failed when out of attempts or not
 * retryable; otherwise pending with the next attempt time). Resolves false when the lease was lost
 * (another process took the delivery over): then nothing is written.
 */
export async function recordAttempt(prisma: PrismaClient, delivery: ClaimedDelivery, attempt: AttemptRecord, retry: RetrySettings): Promise<boolean> {
  const result = outcome(attempt.result)
  const attempts = delivery.attempts + 1
  const status = result.delivered ? 'delivered' : !result.retry || attempts >= retry.maxAttempts ? 'failed' : 'pending'
  const nextAttemptAt = new Date(Date.now() + (status === 'pending' ? retryDelayMs(attempts, retry) : 0))
  const response = attempt.result.kind === 'response' ? attempt.result : null
  return prisma.$transaction(async (tx) => {
    const updated = await tx.webhookDelivery.updateMany({
      where: { id: delivery.id, leaseToken: delivery.leaseToken },
      data: {
        status,
        attempts,
        nextAttemptAt,
        leaseToken: null,
        leaseUntil: null,
        lastStatusCode: result.statusCode,
        lastError: result.error,
        finishedAt: status === 'pending' ? null : new Date(),
      },
    })
    if (updated.count === 0) return false
    const previous = await tx.webhookAttempt.aggregate({ where: { deliveryId: delivery.id }, _max: { number: true } })
    await tx.webhookAttempt.create({
      data: {
        deliveryId: delivery.id,
        number: (previous._max.number ?? 0) + 1,
        startedAt: attempt.startedAt,
        latencyMs: Math.round(attempt.result.latencyMs),
        statusCode: result.statusCode,
        error: result.error,
        requestHeaders: attempt.requestHeaders,
        responseHeaders: response ? response.headers : Prisma.DbNull,
        responseSnippet: response ? response.bodySnippet : null,
      },
    })
    return true
  })
}

/** Deletes finished deliveries (with their attempts) that finished before `before`. */
export async function purgeFinished(prisma: PrismaClient, before: Date): Promise<number> {
  const { count } = await prisma.webhookDelivery.deleteMany({ where: { status: { not: 'pending' }, finishedAt: { lt: before } } })
  return count
}
