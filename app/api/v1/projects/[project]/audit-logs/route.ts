// GET /api/v1/projects/{project}/audit-logs (project members but limited guests, as Harbor; ?actor=, ?action=, ?resource_type=, ?resource= prefix, ?from=, ?to=).
import { apiRoute } from '@/lib/api/route'
import { parseName, parsePage, parseQuery } from '@/lib/api/parse'
import { paged } from '@/lib/api/respond'
import { auditFilterSchema, listProjectAuditLog } from '@/lib/audit'

export const GET = apiRoute<{ project: string }>(async ({ request, params, caller, prisma }) => {
  const page = parsePage(request)
  const filter = parseQuery(request, auditFilterSchema.loose())
  return paged(request, page, await listProjectAuditLog(prisma, caller, parseName(params.project, 'project'), filter, page))
})
