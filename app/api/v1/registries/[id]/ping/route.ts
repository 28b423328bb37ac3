// POST /api/v1/registries/{id}/ping: reachability and credentials of an upstream endpoint (system admins).
import { apiRoute } from '@/lib/api/route'
import { parseId } from '@/lib/api/parse'
import { json } from '@/lib/api/respond'
import { pingRegistry } from '@/lib/registries'

export const POST = apiRoute<{ id: string }>(async ({ params, caller, prisma }) => json(await pingRegistry(prisma, caller, parseId(params.id))))
