// GET /api/v1/audit-logs (system admins; ?actor=, ?action=, ?resource_type=, ?resource= prefix, ?from=, ?to=).
import { apiRoute } from '@/lib/api/route'
import { parsePage, parseQuery } from '@/lib/api/parse'
import { paged } from '@/lib/api/respond'
import { auditFilterSchema, listAuditLog } from '@/lib/audit'

export const GET = apiRoute(async ({ request, caller, prisma }) => {
  const page = parsePage(request)
  const filter = parseQuery(request, auditFilterSchema.loose())
  return paged(request, page, await listAuditLog(prisma, caller, filter, page))
})
