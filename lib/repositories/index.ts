// Repositories of a project: created on first push (by the registry index) or explicitly here with
// a description; listed per project. Always looked up within the project named in the request.
import { z } from 'zod'
import type { PrismaClient } from '../db/prisma'
import type { Prisma } from '../generated/prisma/client'
import { isValidName } from '../../registry-core/src/grammar'
import { conflict, invalid, isUniqueViolation } from '../api/errors'
import { skipTake, type Page, type PageRequest } from '../api/pagination'
import { auditActor, recordAudit, type Caller } from '../audit'
import { requireProject } from '../projects/access'

/** The part after `project/`: OCI path components separated by `/`. */
export const repositoryCreateSchema = z.strictObject({
  name: z
    .string({ error: 'name is required' })
    .min(1, 'name is required')
    .max(200, 'name must be at most 200 characters')
    .regex(/^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/, 'name must be lowercase path components such as app or team/app'),
  description: z.string({ error: 'description must be a string' }).max(4096, 'description must be at most 4096 characters').default(''),
})

export interface RepositoryView {
  id: number
  /** The full name, `project/name`. */
  name: string
  projectName: string
  description: string
  artifactCount: number
  pullCount: bigint
  createdAt: Date
  updatedAt: Date
  lastPushedAt: Date | null
}

export async function createRepository(prisma: PrismaClient, caller: Caller, projectName: string, input: z.infer<typeof repositoryCreateSchema>): Promise<RepositoryView> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'repository:push')
  const fullName = `${project.name}/${input.name}`
  if (!isValidName(fullName)) throw invalid(`${fullName} is not a valid repository name`)
  try {
    return await prisma.$transaction(async (tx) => {
      const row = await tx.repository.create({ data: { name: fullName, projectId: project.id, description: input.description } })
      await recordAudit(tx, { ...auditActor(caller), action: 'repository.create', resourceType: 'repository', resource: fullName, projectId: project.id })
      return { ...row, projectName: project.name, artifactCount: 0 }
    })
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`repository ${fullName} already exists`)
    throw error
  }
}

export async function listRepositories(prisma: PrismaClient, caller: Caller, projectName: string, q: string | undefined, page: PageRequest): Promise<Page<RepositoryView>> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'project:read')
  const filter = q ? (/^name=~?(.*)$/.exec(q)?.[1] ?? q) : ''
  const where: Prisma.RepositoryWhereInput = { projectId: project.id, ...(filter ? { name: { contains: filter } } : {}) }
  const [rows, total] = await Promise.all([
    prisma.repository.findMany({ where, orderBy: { name: 'asc' }, ...skipTake(page), include: { _count: { select: { artifacts: true } } } }),
    prisma.repository.count({ where }),
  ])
  return {
    items: rows.map(({ _count, ...row }) => ({ ...row, projectName: project.name, artifactCount: _count.artifacts })),
    total,
  }
}
