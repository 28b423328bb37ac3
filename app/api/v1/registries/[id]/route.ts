// GET, PUT and PATCH (the same partial update) and DELETE /api/v1/registries/{id}: system admins only.
import { apiRoute } from '@/lib/api/route'
import { parseBody, parseId } from '@/lib/api/parse'
import { json, noContent } from '@/lib/api/respond'
import { deleteRegistry, getRegistry, registryUpdateSchema, updateRegistry } from '@/lib/registries'

export const GET = apiRoute<{ id: string }>(async ({ params, caller, prisma }) => json(await getRegistry(prisma, caller, parseId(params.id))))

const update = apiRoute<{ id: string }>(async ({ request, params, caller, prisma }) => {
  const id = parseId(params.id)
  return json(await updateRegistry(prisma, caller, id, await parseBody(request, registryUpdateSchema)))
})
export const PUT = update
export const PATCH = update

export const DELETE = apiRoute<{ id: string }>(async ({ params, caller, prisma }) => {
  await deleteRegistry(prisma, caller, parseId(params.id))
  return noContent()
})
