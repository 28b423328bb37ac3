// GET (history) and POST (start a run, dry or real: 202 with the run) /api/v1/projects/{project}/retention/runs.
import { apiRoute } from '@/lib/api/route'
import { parseBody, parseName, parsePage } from '@/lib/api/parse'
import { json, paged } from '@/lib/api/respond'
import { listRetentionRuns, retentionRunRequestSchema, startManualRun } from '@/lib/retention'

type Params = { project: string }

export const GET = apiRoute<Params>(async ({ request, params, caller, prisma }) => {
  const page = parsePage(request)
  return paged(request, page, await listRetentionRuns(prisma, caller, parseName(params.project, 'project'), page))
})

export const POST = apiRoute<Params>(async ({ request, params, caller, prisma }) => {
  const { dryRun } = await parseBody(request, retentionRunRequestSchema)
  return json(await startManualRun(prisma, caller, parseName(params.project, 'project'), dryRun), { status: 202 })
})
