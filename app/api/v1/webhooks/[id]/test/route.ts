// POST /api/v1/webhooks/{id}/test: queue a test event (system-wide policies).
import { webhookTest } from '@/lib/api/webhook-routes'

export const POST = webhookTest.POST
