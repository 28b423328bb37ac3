// GET (list) and POST (create) /api/v1/registries: upstream registry endpoints, system admins only.
import { apiRoute } from '@/lib/api/route'
import { parseBody, parsePage } from '@/lib/api/parse'
import { created, paged } from '@/lib/api/respond'
import { createRegistry, listRegistries, registryCreateSchema } from '@/lib/registries'

export const GET = apiRoute(async ({ request, caller, prisma }) => {
  const page = parsePage(request)
  return paged(request, page, await listRegistries(prisma, caller, page))
})

export const POST = apiRoute(async ({ request, caller, prisma }) => {
  const endpoint = await createRegistry(prisma, caller, await parseBody(request, registryCreateSchema))
  return created(endpoint, `/api/v1/registries/${endpoint.id}`)
})
