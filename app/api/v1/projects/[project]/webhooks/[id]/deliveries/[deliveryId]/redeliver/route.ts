// POST /api/v1/projects/{project}/webhooks/{id}/deliveries/{deliveryId}/redeliver.
import { webhookRedelivery } from '@/lib/api/webhook-routes'

export const POST = webhookRedelivery.POST
