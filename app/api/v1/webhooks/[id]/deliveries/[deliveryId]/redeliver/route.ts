// POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver (system-wide policies).
import { webhookRedelivery } from '@/lib/api/webhook-routes'

export const POST = webhookRedelivery.POST
