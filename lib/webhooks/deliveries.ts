// The delivery pipeline's database steps, shared by every server process:
//   fanOut       outbox events -> one delivery per matching policy (payload rendered once, so every
//                attempt sends the same body), events deleted; one transaction, rows locked with
//                SKIP LOCKED so two processes never fan out the same event.
//   claimDue     due deliveries leased to this process (SKIP LOCKED + a lease that expires, so a
//                process killed mid-send leaves its deliveries to the others after the lease).
//   recordAttempt  the attempt's log row and the delivery's new state, only while the lease is ours.
//   purgeFinished  the delivery log's retention.
import { randomUUID } from 'node:crypto'
import type { PrismaClient } from '../db/prisma'
import { Prisma } from '../generated/prisma/client'
import { projectNameOf } from '../auth/project-access'
import { compileGlob, passesFilters } from './filters'
import { renderPayload, type PayloadFormat, type WebhookEventData, type WebhookEventType } from './payloads'
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
  occurredAt: Date
  repositoryCreatedAt: Date | null
  projectPublic: boolean | null
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

export function eventData(row: OutboxRow): WebhookEventData {
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
  }
}

/** Turns up to `limit` outbox events into deliveries. Resolves with the number of events handled. */
export async function fanOut(prisma: PrismaClient, render: RenderSettings, limit = 100): Promise<number> {
  return prisma.$transaction(async (tx) => {
    const events = await tx.$queryRaw<OutboxRow[]>`
      SELECT e."id", e."type", e."projectId", e."repository", e."digest", e."tags", e."mediaType", e."size",
             e."operator", e."pullCount", e."occurredAt", r."createdAt" AS "repositoryCreatedAt", p."public" AS "projectPublic"
        FROM "WebhookEvent" e
        LEFT JOIN "Repository" r ON r."name" = e."repository"
        LEFT JOIN "Project" p ON p."id" = e."projectId"
       ORDER BY e."occurredAt"
       LIMIT ${limit}
         FOR UPDATE OF e SKIP LOCKED`
    if (events.length === 0) return 0
    const projectIds = [...new Set(events.map((e) => e.projectId))]
    const policies = await tx.webhookPolicy.findMany({
      where: { enabled: true, OR: [{ projectId: { in: projectIds } }, { projectId: null }] },
      select: { id: true, projectId: true, eventTypes: true, format: true, repositoryFilter: true, tagFilter: true },
    })
    const compiled = policies.map((policy) => ({
      ...policy,
      filters: {
        repository: policy.repositoryFilter ? compileGlob(policy.repositoryFilter) : null,
        tag: policy.tagFilter ? compileGlob(policy.tagFilter) : null,
      },
    }))
    const deliveries: Prisma.WebhookDeliveryCreateManyInput[] = []
    for (const event of events) {
      const data = eventData(event)
      for (const policy of compiled) {
        if (policy.projectId !== null && policy.projectId !== event.projectId) continue
        if (!policy.eventTypes.includes(event.type)) continue
        if (!passesFilters({ repository: event.repository, tags: event.tags }, policy.filters)) continue
        const payload = renderPayload(policy.format as PayloadFormat, data, render)
        deliveries.push({
          policyId: policy.id,
          eventId: event.id,
          eventType: event.type,
          repository: event.repository,
          digest: event.digest,
          tags: event.tags,
          contentType: payload.contentType,
          payload: payload.body,
          nextAttemptAt: event.occurredAt,
        })
      }
    }
    if (deliveries.length) await tx.webhookDelivery.createMany({ data: deliveries })
    await tx.webhookEvent.deleteMany({ where: { id: { in: events.map((e) => e.id) } } })
    return events.length
  })
}

export interface ClaimedDelivery {
  id: string
  eventType: string
  contentType: string
  payload: string
  attempts: number
  leaseToken: string
  targetUrl: string
  secret: string | null
  authHeader: string | null
  policyEnabled: boolean
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
              p."targetUrl", p."secret", p."authHeader", p."enabled" AS "policyEnabled"`
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
