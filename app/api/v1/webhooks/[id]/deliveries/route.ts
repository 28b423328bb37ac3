// GET /api/v1/webhooks/{id}/deliveries: the delivery log (system-wide policies).
import { webhookDeliveries } from '@/lib/api/webhook-routes'

export const GET = webhookDeliveries.GET
