// PATCH /api/v1/users/{username} {isAdmin}: system admins only.
import { apiRoute } from '@/lib/api/route'
import { parseBody, parseName } from '@/lib/api/parse'
import { json } from '@/lib/api/respond'
import { updateUser, userUpdateSchema } from '@/lib/users'

export const PATCH = apiRoute<{ username: string }>(async ({ request, params, caller, prisma }) => {
  const update = await parseBody(request, userUpdateSchema)
  return json(await updateUser(prisma, caller, parseName(params.username, 'username'), update))
})
