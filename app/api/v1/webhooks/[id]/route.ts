// GET, PATCH and DELETE /api/v1/webhooks/{id} (system-wide policies).
import { webhookItem } from '@/lib/api/webhook-routes'

export const GET = webhookItem.GET
export const PATCH = webhookItem.PATCH
export const DELETE = webhookItem.DELETE
