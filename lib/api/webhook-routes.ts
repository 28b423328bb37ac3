// The /api/v1 handlers of webhook policies, once for both scopes: app/api/v1/projects/{project}/webhooks/**
// and app/api/v1/webhooks/** (system-wide) export these with their own way of naming the scope.
import { apiRoute } from './route'
import { parseBody, parseId, parseName, parsePage, parseQuery } from './parse'
import { created, json, noContent, paged } from './respond'
import {
  createWebhook,
  deleteWebhook,
  deliveryFilterSchema,
  getDelivery,
  getWebhook,
  listDeliveries,
  listWebhooks,
  redeliver,
  sendTestEvent,
  updateWebhook,
  webhookCreateSchema,
  webhookUpdateSchema,
  type WebhookScope,
} from '../webhooks/policies'

type ScopeParams = { project?: string }

function scopeOf(params: ScopeParams): WebhookScope {
  return params.project === undefined ? { system: true } : { project: parseName(params.project, 'project') }
}

function basePath(scope: WebhookScope): string {
  return 'project' in scope ? `/api/v1/projects/${encodeURIComponent(scope.project)}/webhooks` : '/api/v1/webhooks'
}

export const webhookCollection = {
  GET: apiRoute<ScopeParams>(async ({ request, params, caller, prisma }) => {
    const page = parsePage(request)
    return paged(request, page, await listWebhooks(prisma, caller, scopeOf(params), page))
  }),
  POST: apiRoute<ScopeParams>(async ({ request, params, caller, prisma }) => {
    const scope = scopeOf(params)
    const policy = await createWebhook(prisma, caller, scope, await parseBody(request, webhookCreateSchema))
    return created(policy, `${basePath(scope)}/${policy.id}`)
  }),
}

type PolicyParams = ScopeParams & { id: string }

export const webhookItem = {
  GET: apiRoute<PolicyParams>(async ({ params, caller, prisma }) => json(await getWebhook(prisma, caller, scopeOf(params), parseId(params.id)))),
  PATCH: apiRoute<PolicyParams>(async ({ request, params, caller, prisma }) => {
    const update = await parseBody(request, webhookUpdateSchema)
    return json(await updateWebhook(prisma, caller, scopeOf(params), parseId(params.id), update))
  }),
  DELETE: apiRoute<PolicyParams>(async ({ params, caller, prisma }) => {
    await deleteWebhook(prisma, caller, scopeOf(params), parseId(params.id))
    return noContent()
  }),
}

export const webhookTest = {
  POST: apiRoute<PolicyParams>(async ({ params, caller, prisma }) => json(await sendTestEvent(prisma, caller, scopeOf(params), parseId(params.id)), { status: 202 })),
}

export const webhookDeliveries = {
  GET: apiRoute<PolicyParams>(async ({ request, params, caller, prisma }) => {
    const page = parsePage(request)
    const filter = parseQuery(request, deliveryFilterSchema)
    return paged(request, page, await listDeliveries(prisma, caller, scopeOf(params), parseId(params.id), filter, page))
  }),
}

type DeliveryParams = PolicyParams & { deliveryId: string }

export const webhookDelivery = {
  GET: apiRoute<DeliveryParams>(async ({ params, caller, prisma }) => json(await getDelivery(prisma, caller, scopeOf(params), parseId(params.id), params.deliveryId))),
}

export const webhookRedelivery = {
  POST: apiRoute<DeliveryParams>(async ({ params, caller, prisma }) =>
    json(await redeliver(prisma, caller, scopeOf(params), parseId(params.id), params.deliveryId), { status: 202 }),
  ),
}
