// PUT /api/v1/users/me/password {currentPassword, newPassword}: every other session of the user ends.
import { apiRoute } from '@/lib/api/route'
import { parseBody } from '@/lib/api/parse'
import { noContent } from '@/lib/api/respond'
import { changePassword, passwordChangeSchema } from '@/lib/users'

export const PUT = apiRoute(async ({ request, caller, prisma }) => {
  await changePassword(prisma, caller, await parseBody(request, passwordChangeSchema), caller.sessionId)
  return noContent()
})
