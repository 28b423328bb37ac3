// Webhook policies and their delivery logs, for /api/v1: per project (managed by its project admins,
// `webhook:manage`) and system-wide (system admins). A policy's `authHeader` and `secret` are
// write-only: views say whether they are set, never what they are; they are stored sealed (lib/secrets).
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import type { PrismaClient } from '../db/prisma'
import type { Prisma } from '../generated/prisma/client'
import { conflict, invalid, isUniqueViolation, notFound } from '../errors'
import { skipTake, type Page, type PageRequest } from '../pagination'
import { auditActor, recordAudit, type Caller } from '../audit'
import { runtime } from '../runtime'
import { SECRET_CONTEXT, secretBox } from '../secrets'
import { requireProject, requireSystem } from '../projects/access'
import { globPatternSchema } from '../patterns/glob-schema'
import { checkTargetResolves } from './outbound'
import { SUBSCRIBABLE_EVENT_TYPES, TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES, type SubscribableEventType } from './event-types'
import { signalOutbox } from './outbox'
import { renderPayload, type PayloadFormat } from './payloads'
import { renderSettings } from './render-settings'
import { DELIVERY_STATUSES, webhookPolicySchema } from './schema'

/** A project's policies (`{ project }`) or the system-wide ones. */
export type WebhookScope = { project: string } | { system: true }

// ---------------------------------------------------------------- schemas

// The response shapes live in ./schema (the dashboard imports them too); the request shapes here.
export * from './schema'

const globSchema = globPatternSchema('a filter must be a glob pattern')

const policyFields = {
  name: z
    .string({ error: 'name is required' })
    .trim()
    .min(1, 'name is required')
    .max(64, 'name must be at most 64 characters')
    .regex(/^[^\p{Cc}]+$/u, 'name must not contain control characters'),
  description: z.string({ error: 'description must be a string' }).max(1024, 'description must be at most 1024 characters'),
  enabled: z.boolean({ error: 'enabled must be true or false' }),
  eventTypes: z
    .array(z.enum(SUBSCRIBABLE_EVENT_TYPES, { error: `event types must be among ${SUBSCRIBABLE_EVENT_TYPES.join(', ')}` }), { error: 'eventTypes must be a list' })
    .min(1, 'at least one event type is needed')
    .max(SUBSCRIBABLE_EVENT_TYPES.length)
    .transform((types) => [...new Set(types)]),
  targetUrl: z
    .url({ protocol: /^https?$/, error: 'targetUrl must be an http:// or https:// URL' })
    .max(2048, 'targetUrl must be at most 2048 characters')
    .describe('a host name must resolve when saved, and no address (literal or resolved) may be in a refused network'),
  format: z.enum(['default', 'cloudevents'], { error: 'format must be default or cloudevents' }),
  authHeader: z
    .string({ error: 'authHeader must be a string' })
    .max(4096, 'authHeader must be at most 4096 characters')
    .regex(/^[^\r\n\0]*$/, 'authHeader must be one line')
    .nullable(),
  secret: z.string({ error: 'secret must be a string' }).min(16, 'secret must be at least 16 characters').max(256, 'secret must be at most 256 characters').nullable(),
  repositoryFilter: globSchema.nullable(),
  tagFilter: globSchema.nullable(),
}

export const webhookCreateSchema = z.strictObject({
  ...policyFields,
  description: policyFields.description.default(''),
  enabled: policyFields.enabled.default(true),
  format: policyFields.format.default('default'),
  authHeader: policyFields.authHeader.optional(),
  secret: policyFields.secret.optional(),
  repositoryFilter: policyFields.repositoryFilter.optional(),
  tagFilter: policyFields.tagFilter.optional(),
})

export const webhookUpdateSchema = z
  .strictObject(policyFields)
  .partial()
  .refine((update) => Object.keys(update).length > 0, { message: 'nothing to change' })

export const deliveryFilterSchema = z.object({
  status: z.enum(DELIVERY_STATUSES, { error: `status must be one of ${DELIVERY_STATUSES.join(', ')}` }).optional(),
  event_type: z.enum(WEBHOOK_EVENT_TYPES, { error: 'unknown event_type' }).optional(),
})

type LastDelivery = { status: (typeof DELIVERY_STATUSES)[number]; lastStatusCode: number | null; createdAt: Date }
export type WebhookPolicyView = Omit<z.infer<typeof webhookPolicySchema>, 'createdAt' | 'updatedAt' | 'lastDelivery'> & {
  createdAt: Date
  updatedAt: Date
  lastDelivery: LastDelivery | null
}

// ---------------------------------------------------------------- access

interface ScopeAccess {
  projectId: number | null
  projectName: string | null
  /** The project's visibility (false for the system scope): the test event's `repo_type`. */
  projectPublic: boolean
  /** Prisma filter selecting the scope's policies. */
  where: Prisma.WebhookPolicyWhereInput
  label: string
}

async function requireScope(prisma: PrismaClient, caller: Caller, scope: WebhookScope): Promise<ScopeAccess> {
  if ('project' in scope) {
    const { project } = await requireProject(prisma, caller.subject, scope.project, 'webhook:manage')
    return { projectId: project.id, projectName: project.name, projectPublic: project.public, where: { projectId: project.id }, label: `project ${project.name}` }
  }
  requireSystem(caller.subject, 'system:admin', 'only system administrators manage system webhooks')
  return { projectId: null, projectName: null, projectPublic: false, where: { projectId: null }, label: 'the system' }
}

const POLICY_INCLUDE = {
  project: { select: { name: true } },
  deliveries: { select: { status: true, lastStatusCode: true, createdAt: true }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], take: 1 },
} satisfies Prisma.WebhookPolicyInclude
type PolicyRow = Prisma.WebhookPolicyGetPayload<{ include: typeof POLICY_INCLUDE }>

function toPolicyView(row: PolicyRow): WebhookPolicyView {
  return {
    id: row.id,
    project: row.project?.name ?? null,
    name: row.name,
    description: row.description,
    enabled: row.enabled,
    eventTypes: row.eventTypes as SubscribableEventType[],
    targetUrl: row.targetUrl,
    format: row.format,
    hasAuthHeader: row.authHeaderEnvelope !== null,
    hasSecret: row.secretEnvelope !== null,
    repositoryFilter: row.repositoryFilter,
    tagFilter: row.tagFilter,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    lastDelivery: row.deliveries[0] ?? null,
  }
}

async function requirePolicy(prisma: PrismaClient, access: ScopeAccess, id: number): Promise<PolicyRow> {
  const row = await prisma.webhookPolicy.findFirst({ where: { ...access.where, id }, include: POLICY_INCLUDE })
  if (!row) throw notFound(`webhook ${id} not found in ${access.label}`)
  return row
}

/** Refuses targets the worker would refuse (private addresses, literal or resolved; other schemes), with the reason. */
async function checkTarget(url: string): Promise<void> {
  const check = await checkTargetResolves(url, { allowedNetworks: runtime().config.webhooks.allowedNetworks })
  if (!check.ok) throw invalid(`targetUrl is not allowed: ${check.reason}`)
}

/** The columns that store a policy's write-only values: sealed, or null to clear; an undefined value is left alone. */
function sealedSecrets(values: { authHeader?: string | null; secret?: string | null }) {
  const seal = (value: string | null | undefined, context: string) => (value === undefined ? undefined : value === null ? null : secretBox().seal(value, context))
  return {
    authHeaderEnvelope: seal(values.authHeader, SECRET_CONTEXT.webhookAuthHeader),
    secretEnvelope: seal(values.secret, SECRET_CONTEXT.webhookSecret),
  }
}

/** A system policy's name must be unique too (the unique index cannot say so for a null project). */
async function assertSystemNameFree(prisma: PrismaClient, access: ScopeAccess, name: string, exceptId?: number): Promise<void> {
  if (access.projectId !== null) return
  const clash = await prisma.webhookPolicy.findFirst({ where: { projectId: null, name, ...(exceptId ? { id: { not: exceptId } } : {}) }, select: { id: true } })
  if (clash) throw conflict(`a system webhook named ${name} already exists`)
}

// ---------------------------------------------------------------- policies

export async function listWebhooks(prisma: PrismaClient, caller: Caller, scope: WebhookScope, page: PageRequest): Promise<Page<WebhookPolicyView>> {
  const access = await requireScope(prisma, caller, scope)
  const [rows, total] = await Promise.all([
    prisma.webhookPolicy.findMany({ where: access.where, include: POLICY_INCLUDE, orderBy: [{ name: 'asc' }, { id: 'asc' }], ...skipTake(page) }),
    prisma.webhookPolicy.count({ where: access.where }),
  ])
  return { items: rows.map(toPolicyView), total }
}

export async function getWebhook(prisma: PrismaClient, caller: Caller, scope: WebhookScope, id: number): Promise<WebhookPolicyView> {
  const access = await requireScope(prisma, caller, scope)
  return toPolicyView(await requirePolicy(prisma, access, id))
}

export async function createWebhook(prisma: PrismaClient, caller: Caller, scope: WebhookScope, input: z.infer<typeof webhookCreateSchema>): Promise<WebhookPolicyView> {
  const access = await requireScope(prisma, caller, scope)
  await checkTarget(input.targetUrl)
  await assertSystemNameFree(prisma, access, input.name)
  try {
    const row = await prisma.$transaction(async (tx) => {
      const created = await tx.webhookPolicy.create({
        data: {
          projectId: access.projectId,
          name: input.name,
          description: input.description,
          enabled: input.enabled,
          eventTypes: input.eventTypes,
          targetUrl: input.targetUrl,
          format: input.format,
          ...sealedSecrets({ authHeader: input.authHeader ?? null, secret: input.secret ?? null }),
          repositoryFilter: input.repositoryFilter || null,
          tagFilter: input.tagFilter || null,
          createdBy: auditActor(caller).actor,
        },
        include: POLICY_INCLUDE,
      })
      await recordAudit(tx, {
        ...auditActor(caller),
        action: 'webhook.create',
        resourceType: 'webhook',
        resource: created.name,
        projectId: access.projectId,
        detail: { id: created.id, targetUrl: created.targetUrl, eventTypes: created.eventTypes },
      })
      return created
    })
    return toPolicyView(row)
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`a webhook named ${input.name} already exists in ${access.label}`)
    throw error
  }
}

export async function updateWebhook(
  prisma: PrismaClient,
  caller: Caller,
  scope: WebhookScope,
  id: number,
  update: z.infer<typeof webhookUpdateSchema>,
): Promise<WebhookPolicyView> {
  const access = await requireScope(prisma, caller, scope)
  await requirePolicy(prisma, access, id)
  if (update.targetUrl !== undefined) await checkTarget(update.targetUrl)
  if (update.name !== undefined) await assertSystemNameFree(prisma, access, update.name, id)
  const { authHeader, secret, ...plain } = update
  const data: Prisma.WebhookPolicyUpdateInput = { ...plain, ...sealedSecrets({ authHeader, secret }) }
  if (update.repositoryFilter !== undefined) data.repositoryFilter = update.repositoryFilter || null
  if (update.tagFilter !== undefined) data.tagFilter = update.tagFilter || null
  try {
    const row = await prisma.$transaction(async (tx) => {
      const updated = await tx.webhookPolicy.update({ where: { id }, data, include: POLICY_INCLUDE })
      const changed = Object.keys(update).map((key) => (key === 'secret' || key === 'authHeader' ? `${key} (value not logged)` : key))
      await recordAudit(tx, {
        ...auditActor(caller),
        action: 'webhook.update',
        resourceType: 'webhook',
        resource: updated.name,
        projectId: access.projectId,
        detail: { id, changed },
      })
      return updated
    })
    return toPolicyView(row)
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`a webhook named ${update.name} already exists in ${access.label}`)
    throw error
  }
}

/** Deletes a policy with its deliveries and their log. */
export async function deleteWebhook(prisma: PrismaClient, caller: Caller, scope: WebhookScope, id: number): Promise<void> {
  const access = await requireScope(prisma, caller, scope)
  const row = await requirePolicy(prisma, access, id)
  await prisma.$transaction(async (tx) => {
    await tx.webhookPolicy.delete({ where: { id } })
    await recordAudit(tx, { ...auditActor(caller), action: 'webhook.delete', resourceType: 'webhook', resource: row.name, projectId: access.projectId, detail: { id } })
  })
}

// ---------------------------------------------------------------- deliveries

const DELIVERY_SELECT = {
  id: true,
  eventId: true,
  eventType: true,
  repository: true,
  digest: true,
  tags: true,
  status: true,
  attempts: true,
  nextAttemptAt: true,
  lastStatusCode: true,
  lastError: true,
  createdAt: true,
  finishedAt: true,
} satisfies Prisma.WebhookDeliverySelect
type DeliveryRow = Prisma.WebhookDeliveryGetPayload<{ select: typeof DELIVERY_SELECT }>

function toDeliveryView(row: DeliveryRow) {
  return { ...row, nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt : null }
}
export type WebhookDeliveryView = ReturnType<typeof toDeliveryView>

/** Queues a TEST event for the policy (sent even when the policy is disabled) and wakes the worker. */
export async function sendTestEvent(prisma: PrismaClient, caller: Caller, scope: WebhookScope, id: number): Promise<WebhookDeliveryView> {
  const access = await requireScope(prisma, caller, scope)
  const policy = await requirePolicy(prisma, access, id)
  const namespace = access.projectName ?? 'system'
  const eventId = randomUUID()
  const payload = renderPayload(
    policy.format as PayloadFormat,
    {
      id: eventId,
      type: TEST_EVENT_TYPE,
      occurredAt: new Date(),
      operator: auditActor(caller).actor,
      repository: { fullName: `${namespace}/webhook-test`, namespace, name: 'webhook-test', createdAt: new Date(), public: access.projectPublic },
      resources: [],
    },
    renderSettings(),
  )
  const row = await prisma.webhookDelivery.create({
    data: { policyId: policy.id, eventId, eventType: TEST_EVENT_TYPE, repository: `${namespace}/webhook-test`, tags: [], contentType: payload.contentType, payload: payload.body },
    select: DELIVERY_SELECT,
  })
  signalOutbox()
  return toDeliveryView(row)
}

export async function listDeliveries(
  prisma: PrismaClient,
  caller: Caller,
  scope: WebhookScope,
  policyId: number,
  filter: z.infer<typeof deliveryFilterSchema>,
  page: PageRequest,
): Promise<Page<WebhookDeliveryView>> {
  const access = await requireScope(prisma, caller, scope)
  await requirePolicy(prisma, access, policyId)
  const where: Prisma.WebhookDeliveryWhereInput = { policyId, ...(filter.status ? { status: filter.status } : {}), ...(filter.event_type ? { eventType: filter.event_type } : {}) }
  const [rows, total] = await Promise.all([
    prisma.webhookDelivery.findMany({ where, select: DELIVERY_SELECT, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], ...skipTake(page) }),
    prisma.webhookDelivery.count({ where }),
  ])
  return { items: rows.map(toDeliveryView), total }
}

async function requireDelivery(prisma: PrismaClient, policyId: number, deliveryId: string) {
  const parsed = z.uuid().safeParse(deliveryId)
  const row = parsed.success
    ? await prisma.webhookDelivery.findFirst({
        where: { id: deliveryId, policyId },
        select: { ...DELIVERY_SELECT, contentType: true, payload: true, attemptLog: { orderBy: { number: 'asc' } } },
      })
    : null
  if (!row) throw notFound(`delivery ${deliveryId} not found for webhook ${policyId}`)
  return row
}

export async function getDelivery(prisma: PrismaClient, caller: Caller, scope: WebhookScope, policyId: number, deliveryId: string) {
  const access = await requireScope(prisma, caller, scope)
  await requirePolicy(prisma, access, policyId)
  const { attemptLog, ...row } = await requireDelivery(prisma, policyId, deliveryId)
  return {
    ...toDeliveryView(row),
    attemptLog: attemptLog.map(({ id: _id, deliveryId: _delivery, ...attempt }) => attempt),
  }
}

/** Sends a finished delivery again: same id, same body, a fresh set of attempts. */
export async function redeliver(prisma: PrismaClient, caller: Caller, scope: WebhookScope, policyId: number, deliveryId: string): Promise<WebhookDeliveryView> {
  const access = await requireScope(prisma, caller, scope)
  await requirePolicy(prisma, access, policyId)
  const delivery = await requireDelivery(prisma, policyId, deliveryId)
  // Saved as failed by the fan-out because it could not be prepared: there is nothing to send.
  if (delivery.payload === '') throw conflict(`delivery ${deliveryId} was never prepared (${delivery.lastError}); it cannot be sent again`)
  const requeued = await prisma.webhookDelivery.updateMany({
    where: { id: deliveryId, policyId, status: { not: 'pending' } },
    data: { status: 'pending', attempts: 0, nextAttemptAt: new Date(), finishedAt: null },
  })
  if (requeued.count === 0) throw conflict(`delivery ${deliveryId} is still pending; it will be retried on its own`)
  signalOutbox()
  const row = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId }, select: DELIVERY_SELECT })
  return toDeliveryView(row)
}
