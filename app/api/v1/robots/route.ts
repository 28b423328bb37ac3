// GET /api/v1/robots and POST {name, description?, expiresInDays?, permissions: [{project, actions}]}: system robots, system admins only.
import { apiRoute } from '@/lib/api/route'
import { parseBody, parsePage } from '@/lib/api/parse'
import { created, paged } from '@/lib/api/respond'
import { createSystemRobot, listSystemRobots, systemRobotCreateSchema } from '@/lib/robots'

export const GET = apiRoute(async ({ request, caller, prisma }) => {
  const page = parsePage(request)
  return paged(request, page, await listSystemRobots(prisma, caller, page))
})

export const POST = apiRoute(async ({ request, caller, prisma }) => {
  const robot = await createSystemRobot(prisma, caller, await parseBody(request, systemRobotCreateSchema))
  return created(robot, `/api/v1/robots/${robot.id}`)
})
