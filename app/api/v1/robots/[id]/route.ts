// PATCH /api/v1/robots/{id} ({refreshSecret:true} | {disabled} | {description}) and DELETE: system robots, system admins only.
import { apiRoute } from '@/lib/api/route'
import { parseBody, parseId } from '@/lib/api/parse'
import { json, noContent } from '@/lib/api/respond'
import { deleteSystemRobot, robotUpdateSchema, updateSystemRobot } from '@/lib/robots'

export const PATCH = apiRoute<{ id: string }>(async ({ request, params, caller, prisma }) => {
  const update = await parseBody(request, robotUpdateSchema)
  return json(await updateSystemRobot(prisma, caller, parseId(params.id), update))
})

export const DELETE = apiRoute<{ id: string }>(async ({ params, caller, prisma }) => {
  await deleteSystemRobot(prisma, caller, parseId(params.id))
  return noContent()
})
