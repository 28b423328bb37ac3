// PATCH /api/v1/projects/{project}/members/{username} {role} and DELETE.
import { apiRoute } from '@/lib/api/route'
import { parseBody, parseName } from '@/lib/api/parse'
import { json, noContent } from '@/lib/api/respond'
import { changeMemberRole, memberUpdateSchema, removeMember } from '@/lib/members'

type Params = { project: string; username: string }

export const PATCH = apiRoute<Params>(async ({ request, params, caller, prisma }) => {
  const update = await parseBody(request, memberUpdateSchema)
  return json(await changeMemberRole(prisma, caller, parseName(params.project, 'project'), parseName(params.username, 'username'), update))
})

export const DELETE = apiRoute<Params>(async ({ params, caller, prisma }) => {
  await removeMember(prisma, caller, parseName(params.project, 'project'), parseName(params.username, 'username'))
  return noContent()
})
