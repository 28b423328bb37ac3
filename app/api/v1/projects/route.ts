// GET /api/v1/projects (visible to the caller; ?q=, ?public=, ?member=) and POST (create).
import { apiRoute } from '@/lib/api/route'
import { parseBody, parsePage, parseQuery } from '@/lib/api/parse'
import { created, paged } from '@/lib/api/respond'
import { createProject, listProjects, projectCreateSchema, projectListQuerySchema } from '@/lib/projects'

export const GET = apiRoute(async ({ request, caller, prisma }) => {
  const page = parsePage(request)
  const query = parseQuery(request, projectListQuerySchema.loose())
  return paged(request, page, await listProjects(prisma, caller.subject, query, page))
})

export const POST = apiRoute(async ({ request, caller, prisma }) => {
  const project = await createProject(prisma, caller, await parseBody(request, projectCreateSchema))
  return created(project, `/api/v1/projects/${encodeURIComponent(project.name)}`)
})
