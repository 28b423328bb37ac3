// GET /api/v1/projects/{project}/members (?q=) and POST {username, role}.
import { apiRoute } from '@/lib/api/route'
import { parseBody, parseName, parsePage, parseQ } from '@/lib/api/parse'
import { created, paged } from '@/lib/api/respond'
import { addMember, listMembers, memberAddSchema } from '@/lib/members'

type Params = { project: string }

export const GET = apiRoute<Params>(async ({ request, params, caller, prisma }) => {
  const page = parsePage(request)
  return paged(request, page, await listMembers(prisma, caller, parseName(params.project, 'project'), parseQ(request), page))
})

export const POST = apiRoute<Params>(async ({ request, params, caller, prisma }) => {
  const project = parseName(params.project, 'project')
  const member = await addMember(prisma, caller, project, await parseBody(request, memberAddSchema))
  return created(member, `/api/v1/projects/${encodeURIComponent(project)}/members/${encodeURIComponent(member.username)}`)
})
