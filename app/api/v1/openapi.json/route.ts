// GET /api/v1/openapi.json: the OpenAPI 3.1 document of /api/v1 (lib/api/openapi.ts), public.
import { json } from '@/lib/api/respond'
import { openApiDocument } from '@/lib/api/openapi'

export function GET(): Response {
  return json(openApiDocument())
}
