// The background worker of one server process: fans outbox events out into deliveries and sends the
// due ones, `concurrency` at a time. It wakes when this process writes an event (outbox.ts) and polls
// otherwise, so events written by other processes and retries that fall due are picked up too.
import type { PrismaClient } from '../db/prisma'
import type { Logger } from '../logger'
import type { WebhookSettings } from '../config'
import { TEST_EVENT_TYPE } from './event-types'
import { claimDue, fanOut, purgeFinished, recordAttempt, type ClaimedDelivery, type RenderSettings } from './deliveries'
import { onOutboxSignal } from './outbox'
import { sendWebhook, type OutboundResult } from './outbound'
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signPayload } from './signature'
import { SECRET_CONTEXT, type SecretBox } from '../secrets/envelope'
import { countWebhookAttempt } from '../metrics/webhooks'

const PURGE_INTERVAL_MS = 3_600_000

export interface WebhookWorkerOptions {
  prisma: PrismaClient
  /** Opens the policies' sealed secrets and Authorization values. */
  secrets: SecretBox
  logger: Logger
  settings: WebhookSettings
  render: RenderSettings
  pollIntervalMs?: number
}

/** The policy's signing secret and Authorization value, opened; SecretEnvelopeError when the key cannot open them. */
function openDeliverySecrets(delivery: ClaimedDelivery, secrets: SecretBox): DeliverySecrets {
  return {
    secret: delivery.secretEnvelope === null ? null : secrets.open(delivery.secretEnvelope, SECRET_CONTEXT.webhookSecret),
    authHeader: delivery.authHeaderEnvelope === null ? null : secrets.open(delivery.authHeaderEnvelope, SECRET_CONTEXT.webhookAuthHeader),
  }
}

export interface DeliverySecrets {
  secret: string | null
  authHeader: string | null
}

/** The request headers of one attempt (the Authorization value is sent but never logged). */
export function deliveryHeaders(delivery: ClaimedDelivery, secrets: DeliverySecrets, now: Date): { sent: Record<string, string>; logged: Record<string, string> } {
  const timestamp = Math.floor(now.getTime() / 1000)
  const headers: Record<string, string> = {
    'Content-Type': delivery.contentType,
    [EVENT_HEADER]: delivery.eventType,
    [DELIVERY_HEADER]: delivery.id,
    [TIMESTAMP_HEADER]: String(timestamp),
  }
  if (secrets.secret) headers[SIGNATURE_HEADER] = signPayload(secrets.secret, timestamp, delivery.payload)
  if (!secrets.authHeader) return { sent: headers, logged: headers }
  return { sent: { ...headers, Authorization: secrets.authHeader }, logged: { ...headers, Authorization: '[redacted]' } }
}

export class WebhookWorker {
  private readonly pollIntervalMs: number
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private wakeAgain = false
  private stopped = true
  private unsubscribe: (() => void) | undefined
  private lastPurge = 0

  constructor(private readonly options: WebhookWorkerOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1000
  }

  start(): void {
    this.stopped = false
    this.unsubscribe = onOutboxSignal(() => this.wake())
    this.wake()
  }

  /** Stops polling and waits for the attempts in flight to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true
    this.unsubscribe?.()
    clearTimeout(this.timer)
    await this.running
  }

  /** Runs a pass now (or right after the current one). */
  wake(): void {
    if (this.stopped) return
    if (this.running) {
      this.wakeAgain = true
      return
    }
    clearTimeout(this.timer)
    this.running = this.pass().finally(() => {
      this.running = undefined
      if (this.stopped) return
      if (this.wakeAgain) {
        this.wakeAgain = false
        this.wake()
      } else {
        this.timer = setTimeout(() => this.wake(), this.pollIntervalMs).unref()
      }
    })
  }

  // Each step fails on its own: an outbox that cannot be fanned out does not hold back retries that
  // fall due, and neither holds back the purge.
  private async pass(): Promise<void> {
    const { prisma, logger, settings, render } = this.options
    const lease = { max: settings.concurrency, ms: settings.timeoutMs * 3 }
    const log = (detail: Record<string, unknown>, message: string) => logger.warn(detail, message)
    try {
      while (!this.stopped) {
        const { events, leased } = await fanOut(prisma, render, lease, log)
        if (events === 0) break
        await Promise.all(leased.map((delivery) => this.send(delivery)))
      }
    } catch (error) {
      logger.warn({ err: error }, 'webhook fan-out failed; retrying on the next pass')
    }
    try {
      while (!this.stopped) {
        const due = await claimDue(prisma, settings.concurrency, settings.timeoutMs * 3)
        if (due.length === 0) break
        await Promise.all(due.map((delivery) => this.send(delivery)))
      }
    } catch (error) {
      logger.warn({ err: error }, 'claiming due webhook deliveries failed; retrying on the next pass')
    }
    try {
      if (Date.now() - this.lastPurge > PURGE_INTERVAL_MS) {
        this.lastPurge = Date.now()
        const purged = await purgeFinished(prisma, new Date(Date.now() - settings.logRetentionMs))
        if (purged > 0) logger.info({ purged }, 'purged old webhook deliveries')
      }
    } catch (error) {
      logger.warn({ err: error }, 'purging old webhook deliveries failed')
    }
  }

  /** Sends one delivery and records the attempt; never throws, so one bad delivery cannot stop the others. */
  private async send(delivery: ClaimedDelivery): Promise<void> {
    const { prisma, logger, settings } = this.options
    const startedAt = new Date()
    let logged: Record<string, string> = {}
    let result: OutboundResult
    try {
      const headers = deliveryHeaders(delivery, openDeliverySecrets(delivery, this.options.secrets), startedAt)
      logged = headers.logged
      result =
        delivery.policyEnabled || delivery.eventType === TEST_EVENT_TYPE
          ? await sendWebhook(
              { url: delivery.targetUrl, headers: headers.sent, body: delivery.payload, timeoutMs: settings.timeoutMs },
              { allowedNetworks: settings.allowedNetworks },
            )
          : { kind: 'refused', reason: 'the policy is disabled', latencyMs: 0 }
    } catch (error) {
      // Not a network failure but a delivery that cannot be sent at all: final, like a refusal.
      logger.warn({ err: error, delivery: delivery.id }, 'webhook delivery could not be sent; marking it failed')
      result = { kind: 'refused', reason: `the delivery could not be sent: ${error instanceof Error ? error.message : String(error)}`, latencyMs: Date.now() - startedAt.getTime() }
    }
    countWebhookAttempt(result)
    try {
      const recorded = await recordAttempt(prisma, delivery, { startedAt, requestHeaders: logged, result }, settings)
      if (!recorded) logger.warn({ delivery: delivery.id }, 'webhook delivery was taken over by another process before its attempt was recorded')
    } catch (error) {
      logger.warn({ err: error, delivery: delivery.id }, 'could not record a webhook attempt; it will be retried after its lease')
    }
  }
}
