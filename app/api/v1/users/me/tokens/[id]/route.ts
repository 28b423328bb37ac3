// DELETE /api/v1/users/me/tokens/{id}: revoke one of your own tokens.
import { apiRoute } from '@/lib/api/route'
import { parseId } from '@/lib/api/parse'
import { noContent } from '@/lib/api/respond'
import { revokeAccessToken } from '@/lib/tokens'

export const DELETE = apiRoute<{ id: string }>(async ({ params, caller, prisma }) => {
  await revokeAccessToken(prisma, caller, parseId(params.id))
  return noContent()
})
