// GET /api/v1/search?q= -> {projects, repositories}: what the caller may read, substring match, at most 20 each.
import { apiRoute } from '@/lib/api/route'
import { parseQuery } from '@/lib/api/parse'
import { json } from '@/lib/api/respond'
import { search, searchQuerySchema } from '@/lib/search'

export const GET = apiRoute(async ({ request, caller, prisma }) => json(await search(prisma, caller, parseQuery(request, searchQuerySchema.loose()).q)))
