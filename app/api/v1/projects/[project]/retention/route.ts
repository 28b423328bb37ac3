// GET and PUT /api/v1/projects/{project}/retention: the project's tag retention policy (rules and schedule).
import { apiRoute } from '@/lib/api/route'
import { parseBody, parseName } from '@/lib/api/parse'
import { json } from '@/lib/api/respond'
import { getRetentionPolicy, putRetentionPolicy, retentionPolicyInputSchema } from '@/lib/retention'

type Params = { project: string }

export const GET = apiRoute<Params>(async ({ params, caller, prisma }) => json(await getRetentionPolicy(prisma, caller, parseName(params.project, 'project'))))

export const PUT = apiRoute<Params>(async ({ request, params, caller, prisma }) =>
  json(await putRetentionPolicy(prisma, caller, parseName(params.project, 'project'), await parseBody(request, retentionPolicyInputSchema))),
)
