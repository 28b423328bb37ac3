// GET /api/v1/projects/{project}/repositories/{repository}/artifacts/{reference}/tags (?page=&page_size=):
// the artifact's tags, newest first. POST {name}: tag an existing artifact (201; 200 when it already
// carries the tag; 409 when the tag names another artifact).
import { apiRoute } from '@/lib/api/route'
import { parseBody, parseName, parsePage, parseReferenceParam, parseRepositoryParam } from '@/lib/api/parse'
import { created, json, paged } from '@/lib/api/respond'
import { addTag, listArtifactTags, tagCreateSchema } from '@/lib/artifacts'

type Params = { project: string; repository: string; reference: string }

export const GET = apiRoute<Params>(async ({ request, params, caller, prisma }) => {
  const page = parsePage(request)
  const tags = await listArtifactTags(prisma, caller, parseName(params.project, 'project'), parseRepositoryParam(params.repository), parseReferenceParam(params.reference), page)
  return paged(request, page, tags)
})

export const POST = apiRoute<Params>(async ({ request, params, caller, prisma }) => {
  const project = parseName(params.project, 'project')
  const repository = parseRepositoryParam(params.repository)
  const input = await parseBody(request, tagCreateSchema)
  const result = await addTag(prisma, caller, project, repository, parseReferenceParam(params.reference), input)
  const path = `/api/v1/projects/${encodeURIComponent(project)}/repositories/${encodeURIComponent(repository)}/artifacts/${encodeURIComponent(input.name)}`
  return result.created ? created(result.artifact, path) : json(result.artifact)
})
