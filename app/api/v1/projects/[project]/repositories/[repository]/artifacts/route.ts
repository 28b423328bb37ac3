// GET /api/v1/projects/{project}/repositories/{repository}/artifacts (?tag=&tagged=&page=&page_size=), newest first.
import { apiRoute } from '@/lib/api/route'
import { parseName, parsePage, parseQuery, parseRepositoryParam } from '@/lib/api/parse'
import { paged } from '@/lib/api/respond'
import { artifactListQuerySchema, listArtifacts } from '@/lib/artifacts'

type Params = { project: string; repository: string }

export const GET = apiRoute<Params>(async ({ request, params, caller, prisma }) => {
  const page = parsePage(request)
  const filter = parseQuery(request, artifactListQuerySchema.loose())
  return paged(request, page, await listArtifacts(prisma, caller, parseName(params.project, 'project'), parseRepositoryParam(params.repository), filter, page))
})
