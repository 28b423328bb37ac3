// GET (list) and POST (create) /api/v1/webhooks (system-wide).
import { webhookCollection } from '@/lib/webhooks/routes'

export const { GET, POST } = webhookCollection
