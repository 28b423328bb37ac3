// Receives the engine's events. For now it keeps pull counters and last-pull times (batched, so a
// manifest GET never waits on a write) and logs the rest; webhooks and the audit log come later.
import type { EventSink, RegistryEvent } from '../../registry-core/src/ports'
import type { PrismaClient } from '../db/prisma'
import type { Logger } from '../logger'

interface PendingPulls {
  repository: string
  digest: string
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
    const key = `${event.repository}@${event.digest}`
    const entry = this.pending.get(key)
    if (entry) {
      entry.count++
      entry.lastAt = event.at
    } else {
      this.pending.set(key, { repository: event.repository, digest: event.digest, count: 1, lastAt: event.at })
    }
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
    for (const pulls of batch) {
      try {
        await this.prisma.$executeRaw`
          WITH repo AS (
            UPDATE "Repository" SET "pullCount" = "pullCount" + ${pulls.count}
            WHERE name = ${pulls.repository} RETURNING id
          )
          UPDATE "Artifact" a SET "pullCount" = a."pullCount" + ${pulls.count},
            "lastPulledAt" = GREATEST(a."lastPulledAt", ${pulls.lastAt})
          FROM repo WHERE a."repositoryId" = repo.id AND a.digest = ${pulls.digest}`
      } catch (error) {
        this.logger.warn({ err: error, repository: pulls.repository, digest: pulls.digest }, 'could not record pulls')
      }
    }
  }
}
