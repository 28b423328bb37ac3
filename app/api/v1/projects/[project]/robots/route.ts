// GET /api/v1/projects/{project}/robots and POST {name, description?, actions, expiresInDays?}.
import { apiRoute } from '@/lib/api/route'
import { parseBody, parseName, parsePage } from '@/lib/api/parse'
import { created, paged } from '@/lib/api/respond'
import { createProjectRobot, listProjectRobots, projectRobotCreateSchema } from '@/lib/robots'

type Params = { project: string }

export const GET = apiRoute<Params>(async ({ request, params, caller, prisma }) => {
  const page = parsePage(request)
  return paged(request, page, await listProjectRobots(prisma, caller, parseName(params.project, 'project'), page))
})

export const POST = apiRoute<Params>(async ({ request, params, caller, prisma }) => {
  const project = parseName(params.project, 'project')
  const robot = await createProjectRobot(prisma, caller, project, await parseBody(request, projectRobotCreateSchema))
  return created(robot, `/api/v1/projects/${encodeURIComponent(project)}/robots/${robot.id}`)
})
