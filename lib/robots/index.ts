// Robot accounts. A project robot `robot$<project>+<name>` acts in its own project only; a system
// robot `robot$<name>` (created by a system admin) over several projects. Each grant is a subset of
// pull / push / delete that the CREATOR holds on that project (registryActions()), checked here.
// The secret (`hmr_…`) is returned once at creation and at refresh; only its sha256 is stored.
import { z } from 'zod'
import type { PrismaClient } from '../db/prisma'
import type { Prisma } from '../generated/prisma/client'
import { generateSecret, invalidateCredentials, hashSecret, ROBOT_NAME_PREFIX, ROBOT_SECRET_PREFIX } from '../auth/credentials'
import { registryActions, type RobotAction, type Subject } from '../auth/permissions'
import { conflict, forbidden, invalid, isUniqueViolation, notFound } from '../errors'
import { skipTake, type Page, type PageRequest } from '../pagination'
import { auditActor, recordAudit, type Caller } from '../audit'
import { loadProject, requireProject, requireSystem } from '../projects/access'
import { ROBOT_ACTIONS } from './schema'

// The response shapes live in ./schema (the dashboard imports them too); the request shapes here.
export * from './schema'

export const DEFAULT_ROBOT_EXPIRY_DAYS = 30

const actionsSchema = z
  .array(z.enum(ROBOT_ACTIONS as [RobotAction, ...RobotAction[]], { error: `actions must be among ${ROBOT_ACTIONS.join(', ')}` }), {
    error: 'actions must be a list such as ["pull", "push"]',
  })
  .min(1, 'at least one action is needed')
  .max(3)
  .transform((actions) => [...new Set(actions)])

const robotBase = {
  name: z
    .string({ error: 'name is required' })
    .min(1, 'name is required')
    .max(64, 'name must be at most 64 characters')
    .regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/, 'name must be lowercase letters and digits, separated by single . _ or -'),
  description: z.string({ error: 'description must be a string' }).max(1024, 'description must be at most 1024 characters').default(''),
  /** Days until expiry: default 30; -1 for never. */
  expiresInDays: z
    .number({ error: 'expiresInDays must be a number' })
    .int('expiresInDays must be a whole number')
    .refine((days) => days === -1 || (days >= 1 && days <= 3650), 'expiresInDays must be -1 (never) or 1..3650')
    .default(DEFAULT_ROBOT_EXPIRY_DAYS),
}

export const projectRobotCreateSchema = z.strictObject({ ...robotBase, actions: actionsSchema })
export const systemRobotCreateSchema = z.strictObject({
  ...robotBase,
  permissions: z
    .array(z.strictObject({ project: z.string({ error: 'project is required' }).min(1).max(64), actions: actionsSchema }), { error: 'permissions must be a list' })
    .min(1, 'at least one project permission is needed')
    .max(100, 'at most 100 projects'),
})
export const robotUpdateSchema = z
  .strictObject({
    refreshSecret: z.literal(true, { error: 'refreshSecret must be true' }).optional(),
    disabled: z.boolean({ error: 'disabled must be true or false' }).optional(),
    description: z.string().max(1024, 'description must be at most 1024 characters').optional(),
  })
  .refine((value) => value.refreshSecret || value.disabled !== undefined || value.description !== undefined, {
    message: 'nothing to change: give refreshSecret, disabled or description',
  })

export interface RobotView {
  id: number
  name: string
  description: string
  /** The owning project's name; null for a system robot. */
  project: string | null
  permissions: { project: string; actions: RobotAction[] }[]
  disabled: boolean
  expiresAt: Date | null
  expired: boolean
  createdAt: Date
  lastUsedAt: Date | null
  createdBy: string | null
}

const ROBOT_INCLUDE = {
  project: { select: { name: true } },
  permissions: { include: { project: { select: { name: true } } } },
  createdBy: { select: { username: true } },
} satisfies Prisma.RobotInclude

type RobotRow = Prisma.RobotGetPayload<{ include: typeof ROBOT_INCLUDE }>

function toView(row: RobotRow): RobotView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    project: row.project?.name ?? null,
    permissions: row.permissions
      .map((p) => ({ project: p.project.name, actions: ROBOT_ACTIONS.filter((a) => p.actions.includes(a)) }))
      .sort((a, b) => a.project.localeCompare(b.project)),
    disabled: row.disabled,
    expiresAt: row.expiresAt,
    expired: row.expiresAt !== null && row.expiresAt.getTime() <= Date.now(),
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    createdBy: row.createdBy?.username ?? null,
  }
}

function expiry(days: number): Date | null {
  return days === -1 ? null : new Date(Date.now() + days * 86_400_000)
}

/** Refuses actions the creator does not hold on the project (a robot never exceeds its creator). */
function checkSubset(subject: Subject, projectName: string, context: Parameters<typeof registryActions>[1], actions: RobotAction[]): void {
  const held = new Set(registryActions(subject, context))
  const excess = actions.filter((action) => !held.has(action))
  if (excess.length > 0) {
    throw forbidden(`you cannot grant ${excess.join(', ')} on ${projectName}: a robot's permissions must be a subset of yours`)
  }
}

async function insertRobot(
  prisma: PrismaClient,
  caller: Caller,
  data: { name: string; description: string; projectId: number | null; expiresAt: Date | null },
  grants: { projectId: number; projectName: string; actions: RobotAction[] }[],
): Promise<RobotView & { secret: string }> {
  const secret = generateSecret(ROBOT_SECRET_PREFIX)
  const createdById = caller.subject.kind === 'user' ? caller.subject.userId : null
  try {
    const row = await prisma.$transaction(async (tx) => {
      const robot = await tx.robot.create({ data: { ...data, secretHash: hashSecret(secret), createdById } })
      await tx.robotPermission.createMany({ data: grants.map((g) => ({ robotId: robot.id, projectId: g.projectId, actions: g.actions })) })
      await recordAudit(tx, {
        ...auditActor(caller),
        action: 'robot.create',
        resourceType: 'robot',
        resource: data.name,
        projectId: data.projectId,
        detail: { id: robot.id, permissions: grants.map((g) => ({ project: g.projectName, actions: g.actions })), expiresAt: data.expiresAt?.toISOString() ?? null },
      })
      return tx.robot.findUniqueOrThrow({ where: { id: robot.id }, include: ROBOT_INCLUDE })
    })
    return { ...toView(row), secret }
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`a robot named ${data.name} already exists`)
    throw error
  }
}

// ------------------------------------------------------------------ project robots

export async function createProjectRobot(
  prisma: PrismaClient,
  caller: Caller,
  projectName: string,
  input: z.infer<typeof projectRobotCreateSchema>,
): Promise<RobotView & { secret: string }> {
  const { project, context } = await requireProject(prisma, caller.subject, projectName, 'robot:manage')
  checkSubset(caller.subject, project.name, context, input.actions)
  return insertRobot(
    prisma,
    caller,
    { name: `${ROBOT_NAME_PREFIX}${project.name}+${input.name}`, description: input.description, projectId: project.id, expiresAt: expiry(input.expiresInDays) },
    [{ projectId: project.id, projectName: project.name, actions: input.actions }],
  )
}

export async function listProjectRobots(prisma: PrismaClient, caller: Caller, projectName: string, page: PageRequest): Promise<Page<RobotView>> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'robot:list')
  const where = { projectId: project.id }
  const [rows, total] = await Promise.all([prisma.robot.findMany({ where, include: ROBOT_INCLUDE, orderBy: { name: 'asc' }, ...skipTake(page) }), prisma.robot.count({ where })])
  return { items: rows.map(toView), total }
}

/** Refresh the secret, disable/enable or describe a robot of this project (looked up by id AND project). */
export async function updateProjectRobot(
  prisma: PrismaClient,
  caller: Caller,
  projectName: string,
  id: number,
  update: z.infer<typeof robotUpdateSchema>,
): Promise<RobotView & { secret?: string }> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'robot:manage')
  return updateRobot(prisma, caller, { id, projectId: project.id }, update)
}

export async function deleteProjectRobot(prisma: PrismaClient, caller: Caller, projectName: string, id: number): Promise<void> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'robot:manage')
  await deleteRobot(prisma, caller, { id, projectId: project.id })
}

async function updateRobot(
  prisma: PrismaClient,
  caller: Caller,
  where: { id: number; projectId: number | null },
  update: z.infer<typeof robotUpdateSchema>,
): Promise<RobotView & { secret?: string }> {
  const secret = update.refreshSecret ? generateSecret(ROBOT_SECRET_PREFIX) : undefined
  const row = await prisma.$transaction(async (tx) => {
    const robot = await tx.robot.findFirst({ where, select: { id: true, name: true, projectId: true } })
    if (!robot) throw notFound(`robot ${where.id} not found`)
    const data: Prisma.RobotUpdateInput = {}
    if (secret) data.secretHash = hashSecret(secret)
    if (update.disabled !== undefined) data.disabled = update.disabled
    if (update.description !== undefined) data.description = update.description
    await tx.robot.update({ where: { id: robot.id }, data })
    const base = { ...auditActor(caller), resourceType: 'robot', resource: robot.name, projectId: robot.projectId }
    if (secret) await recordAudit(tx, { ...base, action: 'robot.refresh', detail: { id: robot.id } })
    if (update.disabled !== undefined) await recordAudit(tx, { ...base, action: update.disabled ? 'robot.disable' : 'robot.enable', detail: { id: robot.id } })
    return tx.robot.findUniqueOrThrow({ where: { id: robot.id }, include: ROBOT_INCLUDE })
  })
  // This process forgets verified credentials at once; other replicas within the cache TTL.
  if (secret || update.disabled) invalidateCredentials(row.name)
  return { ...toView(row), ...(secret ? { secret } : {}) }
}

async function deleteRobot(prisma: PrismaClient, caller: Caller, where: { id: number; projectId: number | null }): Promise<void> {
  const name = await prisma.$transaction(async (tx) => {
    const robot = await tx.robot.findFirst({ where, select: { id: true, name: true, projectId: true } })
    if (!robot) throw notFound(`robot ${where.id} not found`)
    await tx.robot.delete({ where: { id: robot.id } })
    await recordAudit(tx, { ...auditActor(caller), action: 'robot.delete', resourceType: 'robot', resource: robot.name, projectId: robot.projectId, detail: { id: robot.id } })
    return robot.name
  })
  invalidateCredentials(name)
}

// ------------------------------------------------------------------ system robots

function requireSystemAdmin(subject: Subject): void {
  requireSystem(subject, 'system:admin', 'only system administrators may manage system robots')
}

export async function createSystemRobot(prisma: PrismaClient, caller: Caller, input: z.infer<typeof systemRobotCreateSchema>): Promise<RobotView & { secret: string }> {
  requireSystemAdmin(caller.subject)
  const names = input.permissions.map((p) => p.project)
  if (new Set(names).size !== names.length) throw invalid('each project may appear once in permissions')
  const grants: { projectId: number; projectName: string; actions: RobotAction[] }[] = []
  for (const permission of input.permissions) {
    const loaded = await loadProject(prisma, caller.subject, permission.project)
    if (!loaded) throw notFound(`project ${permission.project} not found`)
    checkSubset(caller.subject, loaded.project.name, loaded.context, permission.actions)
    grants.push({ projectId: loaded.project.id, projectName: loaded.project.name, actions: permission.actions })
  }
  return insertRobot(prisma, caller, { name: `${ROBOT_NAME_PREFIX}${input.name}`, description: input.description, projectId: null, expiresAt: expiry(input.expiresInDays) }, grants)
}

export async function listSystemRobots(prisma: PrismaClient, caller: Caller, page: PageRequest): Promise<Page<RobotView>> {
  requireSystemAdmin(caller.subject)
  const where = { projectId: null }
  const [rows, total] = await Promise.all([prisma.robot.findMany({ where, include: ROBOT_INCLUDE, orderBy: { name: 'asc' }, ...skipTake(page) }), prisma.robot.count({ where })])
  return { items: rows.map(toView), total }
}

export async function updateSystemRobot(prisma: PrismaClient, caller: Caller, id: number, update: z.infer<typeof robotUpdateSchema>): Promise<RobotView & { secret?: string }> {
  requireSystemAdmin(caller.subject)
  return updateRobot(prisma, caller, { id, projectId: null }, update)
}

export async function deleteSystemRobot(prisma: PrismaClient, caller: Caller, id: number): Promise<void> {
  requireSystemAdmin(caller.subject)
  await deleteRobot(prisma, caller, { id, projectId: null })
}
