// GET /api/v1/system/gc/{id}: one garbage collection run, system admins only.
import { apiRoute } from '@/lib/api/route'
import { parseId } from '@/lib/api/parse'
import { json } from '@/lib/api/respond'
import { getGcRun } from '@/lib/gc'

export const GET = apiRoute<{ id: string }>(async ({ params, caller, prisma }) => json(await getGcRun(prisma, caller, parseId(params.id))))
