// Tag immutability rules of a project (issue #13): list, create, update (patterns, enable/disable)
// and delete, for project admins and maintainers (Harbor's `immutable-tag` permissions). Every
// change is audited. Enforcement lives in ./enforce (called by the registry index), matching in ./match.
import { z } from 'zod'
import type { PrismaClient } from '../db/prisma'
import { auditActor, recordAudit, type Caller } from '../audit'
import { notFound } from '../errors'
import { requireProject } from '../projects/access'
import { globPatternSchema } from '../patterns/glob-schema'
import type { ImmutableRuleView } from './schema'

export { ruleProtecting, protectedTag, immutableTagError, type ActiveImmutableRule } from './match'
export { activeRules } from './enforce'
export * from './schema'

const ruleFields = {
  repositories: globPatternSchema('repositories must be a glob pattern').pipe(z.string().min(1, 'repositories must not be empty')),
  tags: globPatternSchema('tags must be a glob pattern').pipe(z.string().min(1, 'tags must not be empty')),
  enabled: z.boolean({ error: 'enabled must be true or false' }),
}

export const immutableRuleCreateSchema = z.strictObject({
  repositories: ruleFields.repositories.describe('glob matched against the repository name inside the project, e.g. `**` or `team/*`'),
  tags: ruleFields.tags.describe('glob matched against tag names, e.g. `v*` or `{1,2}.*`'),
  enabled: ruleFields.enabled.default(true),
})

export const immutableRuleUpdateSchema = z
  .strictObject({ repositories: ruleFields.repositories.optional(), tags: ruleFields.tags.optional(), enabled: ruleFields.enabled.optional() })
  .refine((update) => Object.keys(update).length > 0, 'nothing to update: give repositories, tags or enabled')

type RuleRow = { id: number; repositories: string; tags: string; enabled: boolean; createdAt: Date; updatedAt: Date }

function toView(row: RuleRow): ImmutableRuleView {
  return { id: row.id, repositories: row.repositories, tags: row.tags, enabled: row.enabled, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() }
}

export async function listImmutableRules(prisma: PrismaClient, caller: Caller, projectName: string): Promise<ImmutableRuleView[]> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'immutable:manage')
  const rows = await prisma.immutableRule.findMany({ where: { projectId: project.id }, orderBy: { id: 'asc' } })
  return rows.map(toView)
}

export async function createImmutableRule(prisma: PrismaClient, caller: Caller, projectName: string, input: z.infer<typeof immutableRuleCreateSchema>): Promise<ImmutableRuleView> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'immutable:manage')
  const row = await prisma.$transaction(async (tx) => {
    const created = await tx.immutableRule.create({ data: { projectId: project.id, repositories: input.repositories, tags: input.tags, enabled: input.enabled } })
    await recordAudit(tx, {
      ...auditActor(caller),
      action: 'immutable_rule.create',
      resourceType: 'immutable_rule',
      resource: `${project.name}#${created.id}`,
      projectId: project.id,
      detail: { id: created.id, repositories: created.repositories, tags: created.tags, enabled: created.enabled },
    })
    return created
  })
  return toView(row)
}

export async function updateImmutableRule(
  prisma: PrismaClient,
  caller: Caller,
  projectName: string,
  id: number,
  input: z.infer<typeof immutableRuleUpdateSchema>,
): Promise<ImmutableRuleView> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'immutable:manage')
  const row = await prisma.$transaction(async (tx) => {
    const { count } = await tx.immutableRule.updateMany({ where: { id, projectId: project.id }, data: input })
    if (!count) throw notFound(`immutable rule ${id} not found in project ${project.name}`)
    const updated = await tx.immutableRule.findUniqueOrThrow({ where: { id } })
    await recordAudit(tx, {
      ...auditActor(caller),
      action: 'immutable_rule.update',
      resourceType: 'immutable_rule',
      resource: `${project.name}#${id}`,
      projectId: project.id,
      detail: { id, ...input },
    })
    return updated
  })
  return toView(row)
}

export async function deleteImmutableRule(prisma: PrismaClient, caller: Caller, projectName: string, id: number): Promise<void> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'immutable:manage')
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.immutableRule.deleteMany({ where: { id, projectId: project.id } })
    if (!count) throw notFound(`immutable rule ${id} not found in project ${project.name}`)
    await recordAudit(tx, {
      ...auditActor(caller),
      action: 'immutable_rule.delete',
      resourceType: 'immutable_rule',
      resource: `${project.name}#${id}`,
      projectId: project.id,
      detail: { id },
    })
  })
}
