// Receives the engine's events. It keeps pull counters and last-pull times, batched so a manifest GET
// never waits on a write, and writes PULL_ARTIFACT webhook events in the same statement (pulls of
// one artifact by one operator within a batch become one event carrying their count). Pushes and
// deletes need nothing here: the index records their webhook events with the change itself.
import { Prisma } from '../generated/prisma/client'
import type { EventSink, RegistryEvent } from '../../registry-core/src/ports'
import type { PrismaClient } from '../db/prisma'
import type { Logger } from '../logger'
import { policyWantsSql, signalOutbox } from '../webhooks/outbox'

interface PendingPulls {
  repository: string
  digest: string
  operator: string
  tags: Set<string>
  count: number
  lastAt: Date
}

export class RecordingEventSink implements EventSink {
  private pending = new Map<string, PendingPulls>()
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()

  constructor(
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
    private readonly flushIntervalMs = 1000,
  ) {}

  emit(event: RegistryEvent): void {
    if (event.type === 'manifest.pulled') {
      this.countPull(event)
      return
    }
    this.logger.debug(
      { event: event.type, repository: event.repository, digest: event.digest, tag: event.tag, actor: event.actor.name, from: event.fromRepository },
      'registry event',
    )
  }

  private countPull(event: RegistryEvent): void {
    const operator = event.actor.name || 'anonymous'
    const key = `${event.repository}@${event.digest}\0${operator}`
    let entry = this.pending.get(key)
    if (!entry) {
      entry = { repository: event.repository, digest: event.digest, operator, tags: new Set(), count: 0, lastAt: event.at }
      this.pending.set(key, entry)
    }
    entry.count++
    entry.lastAt = event.at
    if (event.tag !== undefined) entry.tags.add(event.tag)
    this.timer ??= setTimeout(() => void this.flush(), this.flushIntervalMs).unref()
  }

  /** Writes the counted pulls. Safe to call at any time; calls never overlap. */
  flush(): Promise<void> {
    this.timer = undefined
    const batch = [...this.pending.values()]
    this.pending = new Map()
    this.flushing = this.flushing.then(() => this.write(batch))
    return this.flushing
  }

  private async write(batch: PendingPulls[]): Promise<void> {
    let queued = false
    for (const pulls of batch) {
      try {
        const rows = await this.prisma.$queryRaw<{ queued: boolean }[]>`
          WITH repo AS (
            UPDATE "Repository" SET "pullCount" = "pullCount" + ${pulls.count}
            WHERE name = ${pulls.repository} RETURNING id, "projectId"
          ), artifact AS (
            UPDATE "Artifact" a SET "pullCount" = a."pullCount" + ${pulls.count},
              "lastPulledAt" = GREATEST(a."lastPulledAt", ${pulls.lastAt})
            FROM repo WHERE a."repositoryId" = repo.id AND a.digest = ${pulls.digest}
            RETURNING a."mediaType", a."size"
          ), event AS (
            INSERT INTO "WebhookEvent" ("type", "projectId", "repository", "digest", "tags", "mediaType", "size", "operator", "pullCount", "occurredAt")
            SELECT 'PULL_ARTIFACT', repo."projectId", ${pulls.repository}, ${pulls.digest}, ${[...pulls.tags]}::text[],
                   artifact."mediaType", artifact."size", ${pulls.operator}, ${pulls.count}, ${pulls.lastAt}
              FROM repo, artifact
             WHERE ${Prisma.raw(policyWantsSql('PULL_ARTIFACT', 'repo."projectId"'))}
            RETURNING 1
          )
          SELECT EXISTS (SELECT 1 FROM event) AS "queued"`
        queued ||= rows[0]?.queued === true
      } catch (error) {
        this.logger.warn({ err: error, repository: pulls.repository, digest: pulls.digest, pulls: pulls.count }, 'could not record pulls')
      }
    }
    if (queued) signalOutbox()
  }
}
