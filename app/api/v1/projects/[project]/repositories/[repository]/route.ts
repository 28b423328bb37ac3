// GET, PATCH {description} and DELETE /api/v1/projects/{project}/repositories/{repository}
// ({repository} is the part after `project/`, URL-encoded: slashes as %2F).
import { apiRoute } from '@/lib/api/route'
import { parseBody, parseName, parseRepositoryParam } from '@/lib/api/parse'
import { json, noContent } from '@/lib/api/respond'
import { REPOSITORY_BODY_MAX_BYTES, deleteRepository, getRepository, repositoryUpdateSchema, updateRepository } from '@/lib/repositories'

type Params = { project: string; repository: string }

export const GET = apiRoute<Params>(async ({ params, caller, prisma }) =>
  json(await getRepository(prisma, caller, parseName(params.project, 'project'), parseRepositoryParam(params.repository))),
)

export const PATCH = apiRoute<Params>(async ({ request, params, caller, prisma }) => {
  const input = await parseBody(request, repositoryUpdateSchema, REPOSITORY_BODY_MAX_BYTES)
  return json(await updateRepository(prisma, caller, parseName(params.project, 'project'), parseRepositoryParam(params.repository), input))
})

export const DELETE = apiRoute<Params>(async ({ params, caller, prisma }) => {
  await deleteRepository(prisma, caller, parseName(params.project, 'project'), parseRepositoryParam(params.repository))
  return noContent()
})
