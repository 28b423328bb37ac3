// POST /api/v1/projects/{project}/webhooks/{id}/test: queue a test event.
import { webhookTest } from '@/lib/api/webhook-routes'

export const POST = webhookTest.POST
