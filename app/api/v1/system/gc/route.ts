// POST (start) and GET (history) /api/v1/system/gc: garbage collection, system admins only.
import { apiRoute } from '@/lib/api/route'
import { parseBody, parsePage } from '@/lib/api/parse'
import { json, paged } from '@/lib/api/respond'
import { gcRequestSchema, listGcRuns, startGc } from '@/lib/gc'

export const POST = apiRoute(async ({ request, caller, prisma }) => json(await startGc(prisma, caller, await parseBody(request, gcRequestSchema)), { status: 202 }))

export const GET = apiRoute(async ({ request, caller, prisma }) => {
  const page = parsePage(request)
  return paged(request, page, await listGcRuns(prisma, caller, page))
})
