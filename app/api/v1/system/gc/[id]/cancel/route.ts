// POST /api/v1/system/gc/{id}/cancel: asks a running collection to stop, system admins only.
import { apiRoute } from '@/lib/api/route'
import { parseId } from '@/lib/api/parse'
import { json } from '@/lib/api/respond'
import { cancelGcRun } from '@/lib/gc'

export const POST = apiRoute<{ id: string }>(async ({ params, caller, prisma }) => json(await cancelGcRun(prisma, caller, parseId(params.id)), { status: 202 }))
