// GET /api/v1/webhooks/{id}/deliveries: the delivery log (system-wide policies).
import { webhookDeliveries } from '@/lib/webhooks/routes'

export const GET = webhookDeliveries.GET
