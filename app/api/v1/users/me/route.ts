// GET /api/v1/users/me: the signed-in user (session, password or access token).
import { apiRoute } from '@/lib/api/route'
import { json } from '@/lib/api/respond'
import { getCurrentUser } from '@/lib/users'

export const GET = apiRoute(async ({ caller, prisma }) => json(await getCurrentUser(prisma, caller.subject)))
