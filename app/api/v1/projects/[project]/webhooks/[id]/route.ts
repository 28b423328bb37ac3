// GET, PATCH and DELETE /api/v1/projects/{project}/webhooks/{id}.
import { webhookItem } from '@/lib/webhooks/routes'

export const { GET, PATCH, DELETE } = webhookItem
