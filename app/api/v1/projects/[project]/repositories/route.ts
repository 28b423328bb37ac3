// GET /api/v1/projects/{project}/repositories (?q=) and POST {name, description} (name after `project/`).
import { apiRoute } from '@/lib/api/route'
import { parseBody, parseName, parsePage, parseQ } from '@/lib/api/parse'
import { created, paged } from '@/lib/api/respond'
import { REPOSITORY_BODY_MAX_BYTES, createRepository, listRepositories, repositoryCreateSchema } from '@/lib/repositories'

type Params = { project: string }

export const GET = apiRoute<Params>(async ({ request, params, caller, prisma }) => {
  const page = parsePage(request)
  return paged(request, page, await listRepositories(prisma, caller, parseName(params.project, 'project'), parseQ(request), page))
})

export const POST = apiRoute<Params>(async ({ request, params, caller, prisma }) => {
  const project = parseName(params.project, 'project')
  const repository = await createRepository(prisma, caller, project, await parseBody(request, repositoryCreateSchema, REPOSITORY_BODY_MAX_BYTES))
  const shortName = repository.name.slice(project.length + 1)
  return created(repository, `/api/v1/projects/${encodeURIComponent(project)}/repositories/${encodeURIComponent(shortName)}`)
})
