// GET /api/v1/webhooks/{id}/deliveries/{deliveryId}: one delivery with its attempts (system-wide policies).
import { webhookDelivery } from '@/lib/api/webhook-routes'

export const GET = webhookDelivery.GET
