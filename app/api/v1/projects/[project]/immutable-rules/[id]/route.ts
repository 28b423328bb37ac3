// PATCH (change patterns, enable or disable) and DELETE /api/v1/projects/{project}/immutable-rules/{id}.
import { apiRoute } from '@/lib/api/route'
import { parseBody, parseId, parseName } from '@/lib/api/parse'
import { json, noContent } from '@/lib/api/respond'
import { deleteImmutableRule, immutableRuleUpdateSchema, updateImmutableRule } from '@/lib/immutability'

type Params = { project: string; id: string }

export const PATCH = apiRoute<Params>(async ({ request, params, caller, prisma }) =>
  json(await updateImmutableRule(prisma, caller, parseName(params.project, 'project'), parseId(params.id), await parseBody(request, immutableRuleUpdateSchema))),
)

export const DELETE = apiRoute<Params>(async ({ params, caller, prisma }) => {
  await deleteImmutableRule(prisma, caller, parseName(params.project, 'project'), parseId(params.id))
  return noContent()
})
