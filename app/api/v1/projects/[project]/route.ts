// GET|PATCH|DELETE /api/v1/projects/{project}; PATCH {public}; DELETE ?force=true also deletes its repositories.
import { z } from 'zod'
import { apiRoute } from '@/lib/api/route'
import { parseBody, parseName, parseQuery } from '@/lib/api/parse'
import { json, noContent } from '@/lib/api/respond'
import { deleteProject, getProject, projectUpdateSchema, updateProject } from '@/lib/projects'

type Params = { project: string }

export const GET = apiRoute<Params>(async ({ params, caller, prisma }) => json(await getProject(prisma, caller.subject, parseName(params.project, 'project'))))

export const PATCH = apiRoute<Params>(async ({ request, params, caller, prisma }) => {
  const update = await parseBody(request, projectUpdateSchema)
  return json(await updateProject(prisma, caller, parseName(params.project, 'project'), update))
})

const deleteQuery = z.object({ force: z.enum(['true', 'false'], { error: 'force must be true or false' }).optional() }).loose()

export const DELETE = apiRoute<Params>(async ({ request, params, caller, prisma }) => {
  const { force } = parseQuery(request, deleteQuery)
  await deleteProject(prisma, caller, parseName(params.project, 'project'), { force: force === 'true' })
  return noContent()
})
