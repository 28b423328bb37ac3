// DELETE /api/v1/projects/{project}/repositories/{repository}/artifacts/{reference}/tags/{tag}: the tag goes, the artifact stays.
import { apiRoute } from '@/lib/api/route'
import { parseName, parseReferenceParam, parseRepositoryParam } from '@/lib/api/parse'
import { noContent } from '@/lib/api/respond'
import { deleteTag } from '@/lib/artifacts'

type Params = { project: string; repository: string; reference: string; tag: string }

export const DELETE = apiRoute<Params>(async ({ params, caller, prisma }) => {
  await deleteTag(
    prisma,
    caller,
    parseName(params.project, 'project'),
    parseRepositoryParam(params.repository),
    parseReferenceParam(params.reference),
    parseReferenceParam(params.tag, 'tag'),
  )
  return noContent()
})
