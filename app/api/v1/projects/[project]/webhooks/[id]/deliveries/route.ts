// GET /api/v1/projects/{project}/webhooks/{id}/deliveries: the delivery log.
import { webhookDeliveries } from '@/lib/api/webhook-routes'

export const GET = webhookDeliveries.GET
