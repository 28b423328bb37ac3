// POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver (system-wide policies).
import { webhookRedelivery } from '@/lib/webhooks/routes'

export const POST = webhookRedelivery.POST
