// GET (list) and POST (create) /api/v1/projects/{project}/immutable-rules: tag immutability rules.
import { apiRoute } from '@/lib/api/route'
import { parseBody, parseName } from '@/lib/api/parse'
import { created, json } from '@/lib/api/respond'
import { createImmutableRule, immutableRuleCreateSchema, listImmutableRules } from '@/lib/immutability'

export const GET = apiRoute<{ project: string }>(async ({ params, caller, prisma }) => json(await listImmutableRules(prisma, caller, parseName(params.project, 'project'))))

export const POST = apiRoute<{ project: string }>(async ({ request, params, caller, prisma }) => {
  const project = parseName(params.project, 'project')
  const rule = await createImmutableRule(prisma, caller, project, await parseBody(request, immutableRuleCreateSchema))
  return created(rule, `/api/v1/projects/${encodeURIComponent(project)}/immutable-rules/${rule.id}`)
})
