// PATCH /api/v1/projects/{project}/robots/{id} ({refreshSecret:true} | {disabled} | {description}) and DELETE.
import { apiRoute } from '@/lib/api/route'
import { parseBody, parseId, parseName } from '@/lib/api/parse'
import { json, noContent } from '@/lib/api/respond'
import { deleteProjectRobot, robotUpdateSchema, updateProjectRobot } from '@/lib/robots'

type Params = { project: string; id: string }

export const PATCH = apiRoute<Params>(async ({ request, params, caller, prisma }) => {
  const update = await parseBody(request, robotUpdateSchema)
  return json(await updateProjectRobot(prisma, caller, parseName(params.project, 'project'), parseId(params.id), update))
})

export const DELETE = apiRoute<Params>(async ({ params, caller, prisma }) => {
  await deleteProjectRobot(prisma, caller, parseName(params.project, 'project'), parseId(params.id))
  return noContent()
})
