// GET /api/v1/projects/{project}/retention/runs/{id}: one run, with what it deleted and what kept the rest.
import { apiRoute } from '@/lib/api/route'
import { parseId, parseName } from '@/lib/api/parse'
import { json } from '@/lib/api/respond'
import { getRetentionRun } from '@/lib/retention'

export const GET = apiRoute<{ project: string; id: string }>(async ({ params, caller, prisma }) =>
  json(await getRetentionRun(prisma, caller, parseName(params.project, 'project'), parseId(params.id))),
)
