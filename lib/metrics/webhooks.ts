// Webhook delivery attempts by outcome, and their latency.
import type { OutboundResult } from '../webhooks/outbound'
import { webhookDeliveryDuration } from './registry'

export type DeliveryOutcome = 'delivered' | 'rejected' | 'error' | 'refused'

export function deliveryOutcome(result: OutboundResult): DeliveryOutcome {
  if (result.kind === 'response') return result.status >= 200 && result.status < 300 ? 'delivered' : 'rejected'
  return result.kind
}

export function countWebhookAttempt(result: OutboundResult): void {
  webhookDeliveryDuration.labels(deliveryOutcome(result)).observe(result.latencyMs / 1000)
}
