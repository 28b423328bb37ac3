// GET /v1/search?q=&n=&page= -> Docker Hub's v1 search shape, for `docker search host/term` (lib/search/docker.ts).
import { apiRoute } from '@/lib/api/route'
import { parseQuery } from '@/lib/api/parse'
import { json } from '@/lib/api/respond'
import { dockerSearch, dockerSearchQuerySchema } from '@/lib/search/docker'

export const GET = apiRoute(async ({ request, caller, prisma }) =>
  json(await dockerSearch(prisma, caller, parseQuery(request, dockerSearchQuerySchema.loose()), { markedByDockerd: request.headers.has('x-docker-token') })),
)
