// GET /api/v1/webhooks (system-wide)/{id}/deliveries: the delivery log.
import { webhookDeliveries } from '@/lib/webhooks/routes'

export const { GET } = webhookDeliveries
