// GET /api/v1/users/me/tokens (never the secrets) and POST (the secret is in this response only).
import { apiRoute } from '@/lib/api/route'
import { parseBody, parsePage } from '@/lib/api/parse'
import { created, paged } from '@/lib/api/respond'
import { createAccessToken, listAccessTokens, tokenCreateSchema } from '@/lib/tokens'

export const GET = apiRoute(async ({ request, caller, prisma }) => {
  const page = parsePage(request)
  return paged(request, page, await listAccessTokens(prisma, caller, page))
})

export const POST = apiRoute(async ({ request, caller, prisma }) => {
  const token = await createAccessToken(prisma, caller, await parseBody(request, tokenCreateSchema))
  return created(token, `/api/v1/users/me/tokens/${token.id}`)
})
