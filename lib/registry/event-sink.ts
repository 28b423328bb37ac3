// Receives the engine's events. It keeps pull counters and last-pull times, batched so a manifest GET
// never waits on a write, and writes PULL_ARTIFACT webhook events and pull audit entries in the same
// statement (pulls of one artifact by one operator within a batch become one event and one audit
// entry carrying their count). Pushes and deletes get their audit entries here too, in the same
// batches (lib/audit/registry-events.ts); their webhook events the index records with the change itself.
//
// A batch is written by ONE set-based statement, whatever its size: on PGlite every statement runs
// on the one connection (and in the event loop's thread), so a statement per pulled artifact held
// the database, and every manifest read queued behind it, for most of each second under load.
// A batch that fails to write is merged back and retried with the next one: counts are never dropped.
// What is pending when the process dies is lost: at most one flush interval (a graceful stop flushes).
import type { EventSink, RegistryEvent } from '@registry-core'
import { sqlExecutor, type PrismaClient } from '../db/prisma'
import { statement, type SqlExecutor } from '../db/sql'
import type { Logger } from '../logger'
import { INSERT_AUDIT_SQL, RECORD_REGISTRY_AUDIT, foldTag, registryAuditEntry, type RegistryAuditEntry } from '../audit/registry-events'
import { insertEventSql, policyWantsSql, signalOutbox } from '../webhooks/outbox'

interface PendingPulls {
  repository: string
  digest: string
  operator: string
  tags: Set<string>
  count: number
  lastAt: Date
  /** The client address of the latest of these pulls, for the audit entry. */
  remoteAddress: string | null
}

/**
 * $1: the batch as a JSON array of { repository, digest, operator, tags, count, lastAt }, one element
 * per (artifact, operator). Repository and artifact counters get the sums, the artifact the latest
 * pull time, and each element whose artifact still exists becomes an `artifact.pull` audit entry and,
 * when a policy wants one, a PULL_ARTIFACT event. Pulls of a repository or artifact deleted meanwhile change nothing for it.
 */
const RECORD_PULLS = statement(
  'registry_record_pulls',
  `WITH input AS (
     SELECT * FROM jsonb_to_recordset($1::jsonb)
       AS i("repository" text, "digest" text, "operator" text, "tags" text[], "count" bigint, "lastAt" timestamptz, "remoteAddress" text)
   ), repo AS (
     UPDATE "Repository" r SET "pullCount" = r."pullCount" + c."count"
       FROM (SELECT "repository", sum("count") AS "count" FROM input GROUP BY "repository") c
      WHERE r."name" = c."repository"
     RETURNING r."id", r."name", r."projectId"
   ), artifact AS (
     UPDATE "Artifact" a SET "pullCount" = a."pullCount" + c."count", "lastPulledAt" = GREATEST(a."lastPulledAt", c."lastAt")
       FROM (SELECT "repository", "digest", sum("count") AS "count", max("lastAt") AS "lastAt" FROM input GROUP BY "repository", "digest") c
       JOIN repo ON repo."name" = c."repository"
      WHERE a."repositoryId" = repo."id" AND a."digest" = c."digest"
     RETURNING repo."name" AS "repository", a."digest", a."mediaType", a."size", repo."projectId"
   ), event AS (
     ${insertEventSql({ pulls: true })}
     SELECT 'PULL_ARTIFACT', artifact."projectId", i."repository", i."digest", i."tags", artifact."mediaType", artifact."size",
            i."operator", i."count", i."lastAt"
       FROM input i JOIN artifact ON artifact."repository" = i."repository" AND artifact."digest" = i."digest"
      WHERE ${policyWantsSql('PULL_ARTIFACT', 'artifact."projectId"')}
     RETURNING 1
   ), audit AS (
     ${INSERT_AUDIT_SQL}
     SELECT i."lastAt", i."operator", 'artifact.pull', 'artifact', i."repository" || '@' || i."digest", artifact."projectId", i."remoteAddress",
            jsonb_build_object('count', i."count", 'tags', to_jsonb(i."tags"))
       FROM input i JOIN artifact ON artifact."repository" = i."repository" AND artifact."digest" = i."digest"
   )
   SELECT EXISTS (SELECT 1 FROM event) AS "queued"`,
)

export class RecordingEventSink implements EventSink {
  private pending = new Map<string, PendingPulls>()
  private pendingAudit: RegistryAuditEntry[] = []
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()
  private readonly sql: SqlExecutor

  constructor(
    prisma: PrismaClient,
    private readonly logger: Logger,
    private readonly flushIntervalMs = 1000,
  ) {
    this.sql = sqlExecutor(prisma)
  }

  emit(event: RegistryEvent): void {
    if (event.type === 'manifest.pulled') {
      const operator = event.actor.name || 'anonymous'
      const remoteAddress = event.remoteAddress ?? null
      this.add({
        repository: event.repository,
        digest: event.digest,
        operator,
        tags: new Set(event.tag === undefined ? [] : [event.tag]),
        count: 1,
        lastAt: event.at,
        remoteAddress,
      })
      return
    }
    if (!foldTag(this.pendingAudit.at(-1), event)) {
      const entry = registryAuditEntry(event)
      if (entry) this.addAudit(this.pendingAudit.concat(entry))
    }
    this.logger.debug(
      { event: event.type, repository: event.repository, digest: event.digest, tag: event.tag, actor: event.actor.name, from: event.fromRepository },
      'registry event',
    )
  }

  /** Adds pulls to the pending batch (merged with what is there for the same artifact and operator). */
  private add(pulls: PendingPulls): void {
    const key = `${pulls.repository}@${pulls.digest}\0${pulls.operator}`
    const entry = this.pending.get(key)
    if (entry) {
      entry.count += pulls.count
      if (pulls.lastAt >= entry.lastAt) {
        entry.lastAt = pulls.lastAt
        entry.remoteAddress = pulls.remoteAddress ?? entry.remoteAddress
      }
      for (const tag of pulls.tags) entry.tags.add(tag)
    } else {
      this.pending.set(key, pulls)
    }
    this.timer ??= setTimeout(() => void this.flush(), this.flushIntervalMs).unref()
  }

  /** Sets the pending push and delete audit entries, in the order they are to be written. */
  private addAudit(entries: RegistryAuditEntry[]): void {
    this.pendingAudit = entries
    this.timer ??= setTimeout(() => void this.flush(), this.flushIntervalMs).unref()
  }

  /** Writes the counted pulls. Safe to call at any time; calls never overlap. */
  flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    this.flushing = this.flushing.then(() => this.write())
    return this.flushing
  }

  private async write(): Promise<void> {
    await this.writeAudit()
    if (this.pending.size === 0) return
    const batch = [...this.pending.values()]
    this.pending = new Map()
    try {
      const rows = await this.sql.query<{ queued: boolean }>(RECORD_PULLS, [JSON.stringify(batch.map((p) => ({ ...p, tags: [...p.tags], lastAt: p.lastAt.toISOString() })))])
      if (rows[0]?.queued) signalOutbox()
    } catch (error) {
      // One statement, so nothing of the batch was written: keep it for the next flush.
      for (const pulls of batch) this.add(pulls)
      this.logger.warn({ err: error, artifacts: batch.length }, 'could not record pulls; retrying with the next flush')
    }
  }

  private async writeAudit(): Promise<void> {
    if (this.pendingAudit.length === 0) return
    const batch = this.pendingAudit
    this.pendingAudit = []
    try {
      await this.sql.query(RECORD_REGISTRY_AUDIT, [JSON.stringify(batch.map((entry, n) => ({ ...entry, n })))])
    } catch (error) {
      // One statement, so nothing of the batch was written: keep it for the next flush.
      this.addAudit(batch.concat(this.pendingAudit))
      this.logger.warn({ err: error, entries: batch.length }, 'could not record audit entries; retrying with the next flush')
    }
  }
}
