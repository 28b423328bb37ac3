// GET /api/v1/users (system admin: list users, ?q=) and POST /api/v1/users (signup).
import { apiRoute } from '@/lib/api/route'
import { parseBody, parsePage, parseQ } from '@/lib/api/parse'
import { created, paged } from '@/lib/api/respond'
import { listUsers, signup, signupSchema } from '@/lib/users'

export const GET = apiRoute(async ({ request, caller, prisma }) => {
  const page = parsePage(request)
  return paged(request, page, await listUsers(prisma, caller, parseQ(request), page))
})

export const POST = apiRoute(async ({ request, caller, prisma }) => {
  const input = await parseBody(request, signupSchema)
  const user = await signup(prisma, caller, input)
  return created(user, `/api/v1/users/${encodeURIComponent(user.username)}`)
})
