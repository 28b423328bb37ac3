// POST /api/v1/webhooks (system-wide)/{id}/deliveries/{deliveryId}/redeliver.
import { webhookRedelivery } from '@/lib/webhooks/routes'

export const { POST } = webhookRedelivery
