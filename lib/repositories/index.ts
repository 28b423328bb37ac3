// Repositories of a project: created on first push (by the registry index) or explicitly here with
// a description; listed per project. Always looked up within the project named in the request.
import { z } from 'zod'
import type { PrismaClient } from '../db/prisma'
import { Prisma } from '../generated/prisma/client'
import { isValidName } from '@registry-core'
import { REPOSITORY_NAME_RULE } from '../name-rules'
import { conflict, invalid, isUniqueViolation, notFound } from '../errors'
import type { ProjectAction } from '../auth/permissions'
import { invalidateManifestCache } from '../registry/manifest-cache'
import { repositoryStorage } from '../quota'
import { runtime } from '../runtime'
import { skipTake, type Page, type PageRequest } from '../pagination'
import { auditActor, recordAudit, type Caller } from '../audit'
import { requireProject } from '../projects/access'
import { likeLiteral } from '../db/like'

// The response shapes live in ./schema (the dashboard imports them too); the request shapes here.
export * from './schema'
import { listedOnItsOwn } from '../artifacts/listed'

/** The most a repository description (Markdown) may hold, in bytes of UTF-8, when created and when changed. */
export const REPOSITORY_DESCRIPTION_MAX_BYTES = 64 * 1024

/** The largest create or update body: the longest description with its JSON escapes (up to 6 bytes, `\u0001`, per byte). */
export const REPOSITORY_BODY_MAX_BYTES = 512 * 1024

const descriptionSchema = z
  .string({ error: 'description must be a string' })
  .refine((s) => Buffer.byteLength(s) <= REPOSITORY_DESCRIPTION_MAX_BYTES, `description must be at most ${REPOSITORY_DESCRIPTION_MAX_BYTES / 1024} KiB of UTF-8`)
  .describe(`Markdown, at most ${REPOSITORY_DESCRIPTION_MAX_BYTES} bytes of UTF-8`)

/** `name` is the part after `project/`: OCI path components separated by `/`. */
export const repositoryCreateSchema = z.strictObject({
  name: z
    .string({ error: 'name is required' })
    .min(1, 'name is required')
    .max(200, 'name must be at most 200 characters')
    .regex(/^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/, `name is not a valid repository name: ${REPOSITORY_NAME_RULE}`),
  description: descriptionSchema.default(''),
})

export interface RepositoryView {
  id: number
  /** The full name, `project/name`. */
  name: string
  projectName: string
  description: string
  artifactCount: number
  /** Bytes of the distinct blobs and manifests it holds (lib/quota). */
  storageUsed: number
  pullCount: bigint
  createdAt: Date
  updatedAt: Date
  lastPushedAt: Date | null
}

/** The columns a RepositoryView shows (the internal projectId stays inside). */
const VIEW_FIELDS = {
  id: true,
  name: true,
  description: true,
  createdAt: true,
  updatedAt: true,
  lastPushedAt: true,
  pullCount: true,
} satisfies Prisma.RepositorySelect

export async function createRepository(prisma: PrismaClient, caller: Caller, projectName: string, input: z.infer<typeof repositoryCreateSchema>): Promise<RepositoryView> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'repository:push')
  const fullName = `${project.name}/${input.name}`
  if (!isValidName(fullName)) throw invalid(`the repository name ${fullName} is not valid: ${REPOSITORY_NAME_RULE}`)
  try {
    return await prisma.$transaction(async (tx) => {
      const row = await tx.repository.create({ data: { name: fullName, projectId: project.id, description: input.description }, select: VIEW_FIELDS })
      await recordAudit(tx, { ...auditActor(caller), action: 'repository.create', resourceType: 'repository', resource: fullName, projectId: project.id })
      return { ...row, projectName: project.name, artifactCount: 0, storageUsed: 0 }
    })
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`repository ${fullName} already exists`)
    throw error
  }
}

/**
 * Artifact counts of the given repositories as their artifact lists show them (index children
 * folded), counted over just their rows (the (repositoryId, digest) index).
 */
async function artifactCounts(prisma: PrismaClient, repositoryIds: number[]): Promise<Map<number, number>> {
  if (!repositoryIds.length) return new Map()
  const counts = await prisma.$queryRaw<{ repositoryId: number; count: bigint }[]>`
    SELECT a."repositoryId", count(*) AS "count" FROM "Artifact" a
     WHERE a."repositoryId" IN (${Prisma.join(repositoryIds)}) AND ${listedOnItsOwn('a')}
     GROUP BY a."repositoryId"`
  return new Map(counts.map((c) => [c.repositoryId, Number(c.count)]))
}

export async function listRepositories(prisma: PrismaClient, caller: Caller, projectName: string, q: string | undefined, page: PageRequest): Promise<Page<RepositoryView>> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'project:read')
  const filter = q ? (/^name=~?(.*)$/.exec(q)?.[1] ?? q) : ''
  const where: Prisma.RepositoryWhereInput = { projectId: project.id, ...(filter ? { name: { contains: likeLiteral(filter) } } : {}) }
  const [rows, total] = await Promise.all([
    prisma.repository.findMany({ where, select: VIEW_FIELDS, orderBy: { name: 'asc' }, ...skipTake(page) }),
    prisma.repository.count({ where }),
  ])
  const ids = rows.map((row) => row.id)
  const [counts, storage] = await Promise.all([artifactCounts(prisma, ids), repositoryStorage(prisma, ids)])
  return {
    items: rows.map((row) => ({ ...row, projectName: project.name, artifactCount: counts.get(row.id) ?? 0, storageUsed: storage.get(row.id) ?? 0 })),
    total,
  }
}

// ---------------------------------------------------------------- one repository

export const repositoryUpdateSchema = z.strictObject({ description: descriptionSchema })

async function loadRepository(prisma: PrismaClient, caller: Caller, projectName: string, name: string, action: ProjectAction) {
  const loaded = await requireProject(prisma, caller.subject, projectName, action)
  const fullName = `${loaded.project.name}/${name}`
  const row = await prisma.repository.findFirst({ where: { name: fullName, projectId: loaded.project.id }, select: VIEW_FIELDS })
  if (!row) throw notFound(`repository ${fullName} not found`)
  const [counts, storage] = await Promise.all([artifactCounts(prisma, [row.id]), repositoryStorage(prisma, [row.id])])
  const view = { ...row, projectName: loaded.project.name, artifactCount: counts.get(row.id) ?? 0, storageUsed: storage.get(row.id) ?? 0 }
  return { loaded, view: view satisfies RepositoryView }
}

export async function getRepository(prisma: PrismaClient, caller: Caller, projectName: string, name: string): Promise<RepositoryView> {
  return (await loadRepository(prisma, caller, projectName, name, 'repository:pull')).view
}

export async function updateRepository(
  prisma: PrismaClient,
  caller: Caller,
  projectName: string,
  name: string,
  input: z.infer<typeof repositoryUpdateSchema>,
): Promise<RepositoryView> {
  const { loaded, view } = await loadRepository(prisma, caller, projectName, name, 'repository:push')
  return prisma.$transaction(async (tx) => {
    const row = await tx.repository.update({ where: { id: view.id }, data: { description: input.description }, select: VIEW_FIELDS })
    await recordAudit(tx, { ...auditActor(caller), action: 'repository.update', resourceType: 'repository', resource: view.name, projectId: loaded.project.id })
    return { ...view, ...row }
  })
}

/**
 * Deletes a repository with its artifacts, tags and blob links (cascades); the blob bytes stay for
 * garbage collection. /v2 sees it at once (the runtime's manifest cache is invalidated).
 */
export async function deleteRepository(prisma: PrismaClient, caller: Caller, projectName: string, name: string): Promise<void> {
  const { loaded, view } = await loadRepository(prisma, caller, projectName, name, 'repository:delete')
  const manifests = runtime().caches.manifests
  invalidateManifestCache(view.name, manifests)
  try {
    await prisma.$transaction(async (tx) => {
      await tx.repository.delete({ where: { id: view.id } })
      await recordAudit(tx, { ...auditActor(caller), action: 'repository.delete', resourceType: 'repository', resource: view.name, projectId: loaded.project.id })
    })
  } finally {
    invalidateManifestCache(view.name, manifests)
  }
}
