// Projects: the namespace before the first `/` of a repository name.
import { z } from 'zod'
import type { PrismaClient } from '../db/prisma'
import type { Prisma } from '../generated/prisma/client'
import { can, canSystem, permittedActions, type ProjectAction, type ProjectRole, type Subject } from '../auth/permissions'
import { conflict, forbidden, invalid, isUniqueViolation, precondition, unauthorized } from '../errors'
import { skipTake, type Page, type PageRequest } from '../pagination'
import { auditActor, recordAudit, type Caller } from '../audit'
import { requireProject } from './access'
import { invalidateCredentials } from '../auth/credentials'
import { invalidateProjectAccess } from '../auth/project-access'
import { namespaceNameSchema } from './names'
import { likeLiteral } from '../db/like'
import { countOf } from '../plural'
import { invalidateProxyRoutes } from '../proxy/route-cache'
import type { ProjectProxy } from './schema'
import { projectStorage, setStorageLimit, storageLimitSchema, type ProjectStorage } from '../quota'

// The response shapes live in ./schema (the dashboard imports them too); the request shapes here.
export * from './schema'

export { requireProject, loadProject } from './access'
export { namespaceNameSchema } from './names'

/** Harbor and distribution HEAD the upstream on every pull of a tag; five minutes spares the upstream most of those. */
export const DEFAULT_PROXY_TAG_TTL_SECONDS = 300

const tagTtlSecondsSchema = z
  .number({ error: 'proxy.tagTtlSeconds must be a number of seconds' })
  .int()
  .min(0)
  .max(7 * 86_400)

export const projectCreateSchema = z.strictObject({
  name: namespaceNameSchema,
  public: z.boolean({ error: 'public must be true or false' }).default(false),
  proxy: z
    .strictObject({
      registryId: z.number({ error: 'proxy.registryId must be the id of a registry endpoint' }).int().positive(),
      tagTtlSeconds: tagTtlSecondsSchema.default(DEFAULT_PROXY_TAG_TTL_SECONDS),
    })
    .nullable()
    .optional()
    .describe('makes the project a read-only proxy-cache of this registry endpoint (system admins only)'),
})

export const projectUpdateSchema = z
  .strictObject({
    public: z.boolean({ error: 'public must be true or false' }).optional(),
    proxy: z
      .strictObject({
        registryId: z.number({ error: 'proxy.registryId must be the id of a registry endpoint' }).int().positive().optional(),
        tagTtlSeconds: tagTtlSecondsSchema.optional(),
      })
      .refine((proxy) => proxy.registryId !== undefined || proxy.tagTtlSeconds !== undefined, { message: 'nothing to change: give proxy.registryId or proxy.tagTtlSeconds' })
      .nullable()
      .optional()
      .describe(
        "a proxy-cache project's upstream endpoint and tag TTL (system admins). A new endpoint keeps the cached content; each tag is revalidated against it when its TTL expires. A proxy-cache project never becomes hosted (null is refused), nor a hosted project a proxy-cache one",
      ),
    storageLimit: storageLimitSchema.optional().describe('storage quota in bytes, -1 for none (system admins)'),
  })
  .refine((update) => update.public !== undefined || update.proxy !== undefined || update.storageLimit !== undefined, {
    message: 'nothing to change: give public, proxy or storageLimit',
  })

export interface ProjectView extends ProjectStorage {
  id: number
  name: string
  public: boolean
  createdAt: Date
  updatedAt: Date
  /** The caller's membership role, if any. */
  role: ProjectRole | null
  repositoryCount: number
  /** What the caller may do in the project (`permittedActions`), so clients offer only that. */
  permissions: ProjectAction[]
  proxy: ProjectProxy | null
}

const PROXY_SELECT = { proxyTagTtlSeconds: true, proxyRegistry: { select: { id: true, name: true, url: true } } } as const

function proxyView(row: { proxyTagTtlSeconds: number; proxyRegistry: { id: number; name: string; url: string } | null }): ProjectProxy | null {
  const endpoint = row.proxyRegistry
  return endpoint ? { registryId: endpoint.id, registryName: endpoint.name, url: endpoint.url, tagTtlSeconds: row.proxyTagTtlSeconds } : null
}

async function projectProxy(prisma: Pick<PrismaClient, 'project'>, projectId: number): Promise<ProjectProxy | null> {
  const row = await prisma.project.findUnique({ where: { id: projectId }, select: PROXY_SELECT })
  return row ? proxyView(row) : null
}

export async function createProject(prisma: PrismaClient, caller: Caller, input: z.infer<typeof projectCreateSchema>): Promise<ProjectView> {
  const subject = caller.subject
  if (subject.kind === 'anonymous') throw unauthorized()
  if (!canSystem(subject, 'project:create') || subject.kind !== 'user') {
    throw forbidden('projects are created by users signed in with a password or session, not by access tokens or robots')
  }
  const proxy = input.proxy ?? null
  // As in Harbor: a proxy-cache project spends the registry's upstream quota and bandwidth.
  if (proxy && !subject.isAdmin) throw forbidden('only system administrators create proxy-cache projects')
  try {
    const created = await prisma.$transaction(async (tx) => {
      // One namespace: a project may carry a username only for that user (recreating a personal project).
      const owner = await tx.user.findUnique({ where: { username: input.name }, select: { id: true } })
      if (owner && owner.id !== subject.userId) throw conflict(`the name ${input.name} is already taken`)
      if (proxy && !(await tx.registryEndpoint.findUnique({ where: { id: proxy.registryId }, select: { id: true } }))) {
        throw invalid(`proxy.registryId: there is no registry endpoint ${proxy.registryId}`)
      }
      const project = await tx.project.create({
        data: { name: input.name, public: input.public, ...(proxy ? { proxyRegistryId: proxy.registryId, proxyTagTtlSeconds: proxy.tagTtlSeconds } : {}) },
        select: { id: true, name: true, public: true, createdAt: true, updatedAt: true, ...PROXY_SELECT },
      })
      await tx.member.create({ data: { projectId: project.id, userId: subject.userId, role: 'projectAdmin' } })
      await recordAudit(tx, {
        ...auditActor(caller),
        action: 'project.create',
        resourceType: 'project',
        resource: project.name,
        projectId: project.id,
        detail: { public: project.public, ...(proxy ? { proxy } : {}) },
      })
      const context = { projectId: project.id, public: project.public, role: 'projectAdmin' as const }
      const { id, name, createdAt, updatedAt } = project
      // Made by the database with the project, limited by the defaultStorageLimit setting.
      const storage = (await projectStorage(tx, [id])).get(id)!
      return {
        id,
        name,
        public: project.public,
        createdAt,
        updatedAt,
        role: context.role,
        repositoryCount: 0,
        permissions: permittedActions(subject, context),
        proxy: proxyView(project),
        ...storage,
      }
    })
    // A name the transparent mirror served until now is local from now on.
    invalidateProxyRoutes()
    return created
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`the name ${input.name} is already taken`)
    throw error
  }
}

export async function getProject(prisma: PrismaClient, subject: Subject, name: string): Promise<ProjectView> {
  const { project, context } = await requireProject(prisma, subject, name, 'project:read')
  const [repositoryCount, proxy, storage] = await Promise.all([
    prisma.repository.count({ where: { projectId: project.id } }),
    projectProxy(prisma, project.id),
    projectStorage(prisma, [project.id]),
  ])
  return { ...project, role: context.role ?? null, repositoryCount, permissions: permittedActions(subject, context), proxy, ...storage.get(project.id)! }
}

/** The projects a subject may see, mirrored from `can(subject, 'project:read', …)` as a query. */
function visibleWhere(subject: Subject): Prisma.ProjectWhereInput {
  switch (subject.kind) {
    case 'anonymous':
      return { public: true }
    case 'robot':
      return { OR: [{ public: true }, { id: { in: [...subject.grants.keys()] } }] }
    case 'user':
      return subject.isAdmin ? {} : { OR: [{ public: true }, { members: { some: { userId: subject.userId } } }] }
  }
}

export const projectListQuerySchema = z.object({
  q: z.string().max(128).optional(),
  public: z.enum(['true', 'false'], { error: 'public must be true or false' }).optional(),
  member: z.enum(['true', 'false'], { error: 'member must be true or false' }).optional(),
})

/** `q` is a substring of the name; Harbor's `name=~foo` form is accepted too. */
export function nameFilter(q: string | undefined): string | undefined {
  if (!q) return undefined
  const harbor = /^name=~?(.*)$/.exec(q)
  return (harbor ? harbor[1] : q) || undefined
}

export async function listProjects(prisma: PrismaClient, subject: Subject, query: z.infer<typeof projectListQuerySchema>, page: PageRequest): Promise<Page<ProjectView>> {
  const filters: Prisma.ProjectWhereInput[] = [visibleWhere(subject)]
  const name = nameFilter(query.q)
  if (name) filters.push({ name: { contains: likeLiteral(name) } })
  if (query.public) filters.push({ public: query.public === 'true' })
  if (query.member === 'true') filters.push(subject.kind === 'user' ? { members: { some: { userId: subject.userId } } } : { id: -1 })
  const where: Prisma.ProjectWhereInput = { AND: filters }
  const [rows, total] = await Promise.all([
    prisma.project.findMany({
      where,
      orderBy: { name: 'asc' },
      ...skipTake(page),
      include: {
        members: subject.kind === 'user' ? { where: { userId: subject.userId }, select: { role: true } } : false,
        proxyRegistry: { select: PROXY_SELECT.proxyRegistry.select },
      },
    }),
    prisma.project.count({ where }),
  ])
  // Counted over just this page's projects (Prisma's relation `_count` would group every repository of the registry).
  const repositoryCounts = await prisma.repository.groupBy({ by: ['projectId'], where: { projectId: { in: rows.map((row) => row.id) } }, _count: { _all: true } })
  const repositoryCountOf = new Map(repositoryCounts.map((c) => [c.projectId, c._count._all]))
  const storage = await projectStorage(
    prisma,
    rows.map((row) => row.id),
  )
  const items: ProjectView[] = []
  for (const row of rows) {
    const role = (row.members as { role: ProjectRole }[] | undefined)?.[0]?.role ?? null
    // The query mirrors the policy; the policy still has the last word.
    const context = { projectId: row.id, public: row.public, role }
    if (!can(subject, 'project:read', context)) continue
    items.push({
      id: row.id,
      name: row.name,
      public: row.public,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      role,
      repositoryCount: repositoryCountOf.get(row.id) ?? 0,
      permissions: permittedActions(subject, context),
      proxy: proxyView(row),
      ...storage.get(row.id)!,
    })
  }
  return { items, total }
}

export async function updateProject(prisma: PrismaClient, caller: Caller, name: string, update: z.infer<typeof projectUpdateSchema>): Promise<ProjectView> {
  const { project, context } = await requireProject(prisma, caller.subject, name, 'project:update')
  const proxyUpdate = update.proxy
  if (proxyUpdate !== undefined) {
    if (caller.subject.kind !== 'user' || !caller.subject.isAdmin) throw forbidden("only system administrators change a proxy-cache project's upstream settings")
    const current = await projectProxy(prisma, project.id)
    // Unsafe either way: a cached manifest's layers are fetched only when pulled (hosted, they would be
    // missing for good), and a hosted project's tags would be resolved upstream (where they are not).
    if (proxyUpdate === null || !current) {
      throw invalid(
        current
          ? `project ${name} is a proxy-cache project and stays one (its cached images may lack layers never pulled); create a hosted project instead`
          : `project ${name} is not a proxy-cache project, and a hosted project cannot become one; create a proxy-cache project instead`,
      )
    }
  }
  // As in Harbor: quotas are the system administrator's, not the project admin's.
  if (update.storageLimit !== undefined && (caller.subject.kind !== 'user' || !caller.subject.isAdmin)) {
    throw forbidden("only system administrators change a project's storage quota")
  }
  const updated = await prisma.$transaction(async (tx) => {
    const before = await tx.project.findUniqueOrThrow({ where: { id: project.id }, select: { proxyTagTtlSeconds: true, proxyRegistryId: true } })
    if (proxyUpdate?.registryId !== undefined && !(await tx.registryEndpoint.findUnique({ where: { id: proxyUpdate.registryId }, select: { id: true } }))) {
      throw invalid(`proxy.registryId: there is no registry endpoint ${proxyUpdate.registryId}`)
    }
    const row = await tx.project.update({
      where: { id: project.id },
      data: { public: update.public, proxyRegistryId: proxyUpdate?.registryId, proxyTagTtlSeconds: proxyUpdate?.tagTtlSeconds },
    })
    if (row.public !== project.public) {
      await recordAudit(tx, { ...auditActor(caller), action: 'project.visibility', resourceType: 'project', resource: name, projectId: project.id, detail: { public: row.public } })
    }
    if (row.proxyTagTtlSeconds !== before.proxyTagTtlSeconds || row.proxyRegistryId !== before.proxyRegistryId) {
      await recordAudit(tx, {
        ...auditActor(caller),
        action: 'project.proxy',
        resourceType: 'project',
        resource: name,
        projectId: project.id,
        detail: { registryId: row.proxyRegistryId, tagTtlSeconds: row.proxyTagTtlSeconds },
      })
    }
    if (update.storageLimit !== undefined) await setStorageLimit(tx, caller, project, update.storageLimit)
    return row
  })
  invalidateProjectAccess()
  invalidateProxyRoutes()
  const [repositoryCount, proxy, storage] = await Promise.all([
    prisma.repository.count({ where: { projectId: project.id } }),
    projectProxy(prisma, project.id),
    projectStorage(prisma, [project.id]),
  ])
  const { id, createdAt, updatedAt } = updated
  return {
    id,
    name: updated.name,
    public: updated.public,
    createdAt,
    updatedAt,
    role: context.role ?? null,
    repositoryCount,
    permissions: permittedActions(caller.subject, { ...context, public: updated.public }),
    proxy,
    ...storage.get(project.id)!,
  }
}

/**
 * Deletes a project. Refused (412) while it holds repositories unless `force`, which deletes their
 * index rows too (tags, artifacts, blob links); the blob bytes stay for garbage collection.
 */
export async function deleteProject(prisma: PrismaClient, caller: Caller, name: string, options: { force: boolean }): Promise<{ deletedRepositories: number }> {
  const { project } = await requireProject(prisma, caller.subject, name, 'project:delete')
  const result = await prisma.$transaction(async (tx) => {
    // Locks the project row: a concurrent first push (whose INSERT takes a key-share lock on it)
    // waits for us and then fails, so the count below cannot go stale.
    await tx.$queryRaw`SELECT id FROM "Project" WHERE id = ${project.id} FOR UPDATE`
    const repositories = await tx.repository.count({ where: { projectId: project.id } })
    if (repositories > 0 && !options.force) {
      throw precondition(`project ${name} is not empty (${countOf(repositories, 'repository')}); delete its repositories first or pass force=true`, { repositories })
    }
    const deleted = await tx.repository.deleteMany({ where: { projectId: project.id } })
    await tx.project.delete({ where: { id: project.id } })
    await recordAudit(tx, {
      ...auditActor(caller),
      action: 'project.delete',
      resourceType: 'project',
      resource: name,
      projectId: project.id,
      detail: { deletedRepositories: deleted.count },
    })
    return { deletedRepositories: deleted.count }
  })
  // Its robots went with it (cascade): forget their cached verifications in this process.
  invalidateCredentials()
  invalidateProjectAccess()
  invalidateProxyRoutes()
  return result
}
