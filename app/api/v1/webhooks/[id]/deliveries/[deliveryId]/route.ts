// GET /api/v1/webhooks (system-wide)/{id}/deliveries/{deliveryId}: one delivery with its attempts.
import { webhookDelivery } from '@/lib/webhooks/routes'

export const { GET } = webhookDelivery
