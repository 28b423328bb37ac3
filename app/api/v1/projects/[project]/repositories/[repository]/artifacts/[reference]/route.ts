// GET (detail: manifest, config, layers, children) and DELETE (the artifact, its tags, an index's unneeded children)
// /api/v1/projects/{project}/repositories/{repository}/artifacts/{reference}; reference = digest or tag.
import { apiRoute } from '@/lib/api/route'
import { parseName, parseReferenceParam, parseRepositoryParam } from '@/lib/api/parse'
import { json, noContent } from '@/lib/api/respond'
import { deleteArtifact, getArtifact } from '@/lib/artifacts'

type Params = { project: string; repository: string; reference: string }

export const GET = apiRoute<Params>(async ({ params, caller, prisma }) =>
  json(await getArtifact(prisma, caller, parseName(params.project, 'project'), parseRepositoryParam(params.repository), parseReferenceParam(params.reference))),
)

export const DELETE = apiRoute<Params>(async ({ params, caller, prisma }) => {
  await deleteArtifact(prisma, caller, parseName(params.project, 'project'), parseRepositoryParam(params.repository), parseReferenceParam(params.reference))
  return noContent()
})
