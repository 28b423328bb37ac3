// Project members: user x project x role. A project always keeps at least one project admin.
import { z } from 'zod'
import type { PrismaClient } from '../db/prisma'
import type { ProjectRole } from '../auth/permissions'
import { conflict, isUniqueViolation, notFound } from '../errors'
import { skipTake, type Page, type PageRequest } from '../pagination'
import { auditActor, recordAudit, type Caller } from '../audit'
import { requireProject } from '../projects/access'
import { invalidateProjectAccess } from '../auth/project-access'
import { likeLiteral } from '../db/like'
import { roleSchema } from './schema'

// The response shapes live in ./schema (the dashboard imports them too); the request shapes here.
export * from './schema'

export const memberAddSchema = z.strictObject({
  username: z.string({ error: 'username is required' }).min(1, 'username is required').max(64),
  role: roleSchema,
})
export const memberUpdateSchema = z.strictObject({ role: roleSchema })

export interface MemberView {
  userId: number
  username: string
  role: ProjectRole
  createdAt: Date
  updatedAt: Date
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0]

export async function listMembers(prisma: PrismaClient, caller: Caller, projectName: string, q: string | undefined, page: PageRequest): Promise<Page<MemberView>> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'member:list')
  const where = { projectId: project.id, ...(q ? { user: { username: { contains: likeLiteral(q) } } } : {}) }
  const [rows, total] = await Promise.all([
    prisma.member.findMany({ where, include: { user: { select: { username: true } } }, orderBy: { user: { username: 'asc' } }, ...skipTake(page) }),
    prisma.member.count({ where }),
  ])
  return { items: rows.map(toView), total }
}

function toView(row: { userId: number; role: ProjectRole; createdAt: Date; updatedAt: Date; user: { username: string } }): MemberView {
  return { userId: row.userId, username: row.user.username, role: row.role, createdAt: row.createdAt, updatedAt: row.updatedAt }
}

/** Serializes membership changes of one project (the last-admin rule must hold under concurrency). */
async function lockProject(tx: Tx, projectId: number): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "Project" WHERE id = ${projectId} FOR UPDATE`
}

async function ensureAnotherAdmin(tx: Tx, projectId: number, userId: number): Promise<void> {
  const others = await tx.member.count({ where: { projectId, role: 'projectAdmin', userId: { not: userId } } })
  if (others === 0) throw conflict('a project must keep at least one project admin')
}

export async function addMember(prisma: PrismaClient, caller: Caller, projectName: string, input: z.infer<typeof memberAddSchema>): Promise<MemberView> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'member:manage')
  const user = await prisma.user.findUnique({ where: { username: input.username }, select: { id: true } })
  if (!user) throw notFound(`user ${input.username} not found`)
  try {
    const view = await prisma.$transaction(async (tx) => {
      const row = await tx.member.create({
        data: { projectId: project.id, userId: user.id, role: input.role },
        include: { user: { select: { username: true } } },
      })
      await recordAudit(tx, {
        ...auditActor(caller),
        action: 'member.add',
        resourceType: 'member',
        resource: `${projectName}/${input.username}`,
        projectId: project.id,
        detail: { role: input.role },
      })
      return toView(row)
    })
    invalidateProjectAccess()
    return view
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`the user ${input.username} is already a member of ${projectName}`)
    throw error
  }
}

export async function changeMemberRole(
  prisma: PrismaClient,
  caller: Caller,
  projectName: string,
  username: string,
  update: z.infer<typeof memberUpdateSchema>,
): Promise<MemberView> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'member:manage')
  const view = await prisma.$transaction(async (tx) => {
    await lockProject(tx, project.id)
    const member = await tx.member.findFirst({ where: { projectId: project.id, user: { username } }, include: { user: { select: { username: true } } } })
    if (!member) throw notFound(`the user ${username} is not a member of ${projectName}`)
    if (member.role === 'projectAdmin' && update.role !== 'projectAdmin') await ensureAnotherAdmin(tx, project.id, member.userId)
    const row = await tx.member.update({
      where: { projectId_userId: { projectId: project.id, userId: member.userId } },
      data: { role: update.role },
      include: { user: { select: { username: true } } },
    })
    await recordAudit(tx, {
      ...auditActor(caller),
      action: 'member.update',
      resourceType: 'member',
      resource: `${projectName}/${username}`,
      projectId: project.id,
      detail: { from: member.role, to: update.role },
    })
    return toView(row)
  })
  invalidateProjectAccess()
  return view
}

export async function removeMember(prisma: PrismaClient, caller: Caller, projectName: string, username: string): Promise<void> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'member:manage')
  await prisma.$transaction(async (tx) => {
    await lockProject(tx, project.id)
    const member = await tx.member.findFirst({ where: { projectId: project.id, user: { username } } })
    if (!member) throw notFound(`the user ${username} is not a member of ${projectName}`)
    if (member.role === 'projectAdmin') await ensureAnotherAdmin(tx, project.id, member.userId)
    await tx.member.delete({ where: { projectId_userId: { projectId: project.id, userId: member.userId } } })
    await recordAudit(tx, {
      ...auditActor(caller),
      action: 'member.remove',
      resourceType: 'member',
      resource: `${projectName}/${username}`,
      projectId: project.id,
      detail: { role: member.role },
    })
  })
  invalidateProjectAccess()
}
