// GET (list) and POST (create) /api/v1/webhooks (system-wide policies).
import { webhookCollection } from '@/lib/api/webhook-routes'

export const GET = webhookCollection.GET
export const POST = webhookCollection.POST
