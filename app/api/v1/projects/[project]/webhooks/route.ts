// GET (list) and POST (create) /api/v1/projects/{project}/webhooks.
import { webhookCollection } from '@/lib/api/webhook-routes'

export const GET = webhookCollection.GET
export const POST = webhookCollection.POST
