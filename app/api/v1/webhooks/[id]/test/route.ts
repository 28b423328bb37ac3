// POST /api/v1/webhooks (system-wide)/{id}/test: queue a test event.
import { webhookTest } from '@/lib/webhooks/routes'

export const { POST } = webhookTest
