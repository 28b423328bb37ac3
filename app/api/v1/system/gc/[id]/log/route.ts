// GET /api/v1/system/gc/{id}/log: a garbage collection's log, system admins only.
import { apiRoute } from '@/lib/api/route'
import { parseId } from '@/lib/api/parse'
import { json } from '@/lib/api/respond'
import { getGcLog } from '@/lib/gc'

export const GET = apiRoute<{ id: string }>(async ({ params, caller, prisma }) => {
  const id = parseId(params.id)
  return json({ id, log: await getGcLog(prisma, caller, id) })
})
