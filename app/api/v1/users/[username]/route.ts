// PATCH /api/v1/users/{username} {isAdmin?, disabled?, password?} and DELETE: system admins only.
import { apiRoute } from '@/lib/api/route'
import { parseBody, parseName } from '@/lib/api/parse'
import { json, noContent } from '@/lib/api/respond'
import { deleteUser, updateUser, userUpdateSchema } from '@/lib/users'

export const PATCH = apiRoute<{ username: string }>(async ({ request, params, caller, prisma }) => {
  const update = await parseBody(request, userUpdateSchema)
  return json(await updateUser(prisma, caller, parseName(params.username, 'username'), update, caller.sessionId))
})

export const DELETE = apiRoute<{ username: string }>(async ({ params, caller, prisma }) => {
  await deleteUser(prisma, caller, parseName(params.username, 'username'))
  return noContent()
})
