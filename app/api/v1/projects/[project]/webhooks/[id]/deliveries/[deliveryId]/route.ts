// GET /api/v1/projects/{project}/webhooks/{id}/deliveries/{deliveryId}: one delivery with its attempts.
import { webhookDelivery } from '@/lib/api/webhook-routes'

export const GET = webhookDelivery.GET
