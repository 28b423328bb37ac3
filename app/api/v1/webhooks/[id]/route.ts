// GET, PATCH and DELETE /api/v1/webhooks (system-wide)/{id}.
import { webhookItem } from '@/lib/webhooks/routes'

export const { GET, PATCH, DELETE } = webhookItem
