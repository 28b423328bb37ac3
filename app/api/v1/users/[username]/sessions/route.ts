// DELETE /api/v1/users/{username}/sessions: a system admin ends all of a user's browser sessions.
import { apiRoute } from '@/lib/api/route'
import { parseName } from '@/lib/api/parse'
import { noContent } from '@/lib/api/respond'
import { endUserSessions } from '@/lib/users'

export const DELETE = apiRoute<{ username: string }>(async ({ params, caller, prisma }) => {
  await endUserSessions(prisma, caller, parseName(params.username, 'username'))
  return noContent()
})
