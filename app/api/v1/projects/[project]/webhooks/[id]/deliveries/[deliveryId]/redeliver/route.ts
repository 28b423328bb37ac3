// POST /api/v1/projects/{project}/webhooks/{id}/deliveries/{deliveryId}/redeliver.
import { webhookRedelivery } from '@/lib/webhooks/routes'

export const POST = webhookRedelivery.POST
