// GET, PUT and DELETE /api/v1/system/gc/schedule: when garbage collection runs by itself, system admins only.
import { apiRoute } from '@/lib/api/route'
import { parseBody } from '@/lib/api/parse'
import { json, noContent } from '@/lib/api/respond'
import { deleteGcSchedule, gcScheduleRequestSchema, getGcSchedule, putGcSchedule } from '@/lib/gc'

export const GET = apiRoute(async ({ caller, prisma }) => json(await getGcSchedule(prisma, caller)))

export const PUT = apiRoute(async ({ request, caller, prisma }) => json(await putGcSchedule(prisma, caller, await parseBody(request, gcScheduleRequestSchema))))

export const DELETE = apiRoute(async ({ caller, prisma }) => {
  await deleteGcSchedule(prisma, caller)
  return noContent()
})
