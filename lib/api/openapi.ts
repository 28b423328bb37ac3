// The OpenAPI 3.1 document of /api/v1 (and of /v1, what `docker search` uses), generated from the zod
// schemas the handlers validate with (z.toJSONSchema). ROUTES is the registry: one entry per method and
// path; a unit test checks that every route file under app/api/v1 and app/v1 (and each method it exports) appears here.
import { z } from 'zod'
import { pageQuerySchema } from './pagination'
import { auditEntrySchema, auditFilterSchema } from '../audit'
import { memberAddSchema, memberSchema, memberUpdateSchema } from '../members'
import { projectCreateSchema, projectListQuerySchema, projectSchema, projectUpdateSchema } from '../projects'
import { repositoryCreateSchema, repositorySchema, repositoryUpdateSchema } from '../repositories'
import { artifactDetailSchema, artifactListQuerySchema, artifactSchema, tagCreateSchema, tagSchema } from '../artifacts'
import { createdRobotSchema, projectRobotCreateSchema, robotSchema, robotUpdateSchema, systemRobotCreateSchema, updatedRobotSchema } from '../robots'
import { settingsSchema, settingsUpdateSchema } from '../settings'
import { currentUserSchema, passwordChangeSchema, signupSchema, userSchema, userUpdateSchema } from '../users'
import { accessTokenSchema, createdAccessTokenSchema, tokenCreateSchema } from '../tokens'
import { searchQuerySchema, searchResultSchema } from '../search'
import { dockerPingSchema, dockerSearchQuerySchema, dockerSearchResultSchema } from '../search/docker'
import { registryCreateSchema, registryEndpointSchema, registryPingSchema, registryUpdateSchema } from '../registries'
import { gcRequestSchema, gcRunSchema, gcScheduleRequestSchema, gcScheduleSchema } from '../gc/schema'
import { immutableRuleCreateSchema, immutableRuleSchema, immutableRuleUpdateSchema } from '../immutability'
import { retentionPolicyInputSchema, retentionPolicySchema, retentionRunRequestSchema, retentionRunSchema } from '../retention'
import { deliveryFilterSchema, webhookCreateSchema, webhookDeliveryDetailSchema, webhookDeliverySchema, webhookPolicySchema, webhookUpdateSchema } from '../webhooks/policies'

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

export interface RouteSpec {
  method: Method
  /** OpenAPI path, `{param}` for a dynamic segment. */
  path: string
  summary: string
  tag: string
  query?: z.ZodObject
  paginated?: boolean
  body?: z.ZodType
  /** Success status (default 200). */
  status?: number
  /** The success body's schema: the wire shape of what the handler returns (null: no body). */
  response: z.ZodType | null
}

/** This document's own top level (GET /api/v1/openapi.json). */
const openApiDocumentSchema = z.object({
  openapi: z.literal('3.1.0'),
  info: z.object({ title: z.string(), version: z.string(), description: z.string() }),
  servers: z.array(z.object({ url: z.string() })),
  components: z.object({ securitySchemes: z.record(z.string(), z.unknown()), schemas: z.record(z.string(), z.unknown()) }),
  security: z.array(z.record(z.string(), z.array(z.string()))),
  paths: z.record(z.string(), z.record(z.string(), z.unknown()).describe('operations by HTTP method')),
})

const P = '/api/v1/projects/{project}'
const R = `${P}/repositories/{repository}`
const A = `${R}/artifacts/{reference}`

export const ROUTES: RouteSpec[] = [
  { method: 'get', path: '/api/v1/openapi.json', summary: 'This document', tag: 'meta', response: openApiDocumentSchema },
  {
    method: 'get',
    path: '/api/v1/search',
    summary: 'Projects and repositories the caller may read whose name contains q (at most 20 each)',
    tag: 'search',
    query: searchQuerySchema,
    response: searchResultSchema,
  },
  // the slice of Docker's v1 API that `docker search host/term` uses
  {
    method: 'get',
    path: '/v1/search',
    summary: 'docker search: repositories the caller may read whose name or description contains q (Docker Hub v1 shape; n = --limit, 1..100, default 25)',
    tag: 'docker',
    query: dockerSearchQuerySchema,
    response: dockerSearchResultSchema,
  },
  { method: 'get', path: '/v1/_ping', summary: 'docker search: the v1 ping dockerd sends first', tag: 'docker', response: dockerPingSchema },
  // users and the caller's account
  { method: 'get', path: '/api/v1/users', summary: 'List users (system admins)', tag: 'users', paginated: true, response: z.array(userSchema) },
  { method: 'post', path: '/api/v1/users', summary: 'Sign up (or create a user as admin)', tag: 'users', body: signupSchema, status: 201, response: userSchema },
  {
    method: 'patch',
    path: '/api/v1/users/{username}',
    summary: 'Grant or revoke system admin, disable or enable, reset the password (system admins)',
    tag: 'users',
    body: userUpdateSchema,
    response: userSchema,
  },
  { method: 'delete', path: '/api/v1/users/{username}', summary: 'Delete a user; their personal project stays (system admins)', tag: 'users', status: 204, response: null },
  { method: 'delete', path: '/api/v1/users/{username}/sessions', summary: "End all of a user's browser sessions (system admins)", tag: 'users', status: 204, response: null },
  { method: 'get', path: '/api/v1/users/me', summary: 'The caller', tag: 'users', response: currentUserSchema },
  { method: 'put', path: '/api/v1/users/me/password', summary: 'Change the password', tag: 'users', body: passwordChangeSchema, status: 204, response: null },
  { method: 'get', path: '/api/v1/users/me/tokens', summary: "The caller's access tokens", tag: 'tokens', paginated: true, response: z.array(accessTokenSchema) },
  {
    method: 'post',
    path: '/api/v1/users/me/tokens',
    summary: 'Create an access token (the secret is shown once)',
    tag: 'tokens',
    body: tokenCreateSchema,
    status: 201,
    response: createdAccessTokenSchema,
  },
  { method: 'delete', path: '/api/v1/users/me/tokens/{id}', summary: 'Revoke an access token', tag: 'tokens', status: 204, response: null },
  // system
  { method: 'get', path: '/api/v1/settings', summary: 'System settings', tag: 'settings', response: settingsSchema },
  { method: 'put', path: '/api/v1/settings', summary: 'Change system settings (system admins)', tag: 'settings', body: settingsUpdateSchema, response: settingsSchema },
  {
    method: 'get',
    path: '/api/v1/audit-logs',
    summary: 'System audit log (system admins)',
    tag: 'audit',
    query: auditFilterSchema,
    paginated: true,
    response: z.array(auditEntrySchema),
  },
  ...registryRoutes(),
  ...gcRoutes(),
  ...tagRuleRoutes(),
  { method: 'get', path: '/api/v1/robots', summary: 'System robot accounts', tag: 'robots', paginated: true, response: z.array(robotSchema) },
  { method: 'post', path: '/api/v1/robots', summary: 'Create a system robot account', tag: 'robots', body: systemRobotCreateSchema, status: 201, response: createdRobotSchema },
  { method: 'patch', path: '/api/v1/robots/{id}', summary: 'Update a system robot account', tag: 'robots', body: robotUpdateSchema, response: updatedRobotSchema },
  { method: 'delete', path: '/api/v1/robots/{id}', summary: 'Delete a system robot account', tag: 'robots', status: 204, response: null },
  // projects
  {
    method: 'get',
    path: '/api/v1/projects',
    summary: 'Projects the caller may see',
    tag: 'projects',
    query: projectListQuerySchema,
    paginated: true,
    response: z.array(projectSchema),
  },
  {
    method: 'post',
    path: '/api/v1/projects',
    summary: 'Create a project (with proxy: a read-only proxy-cache of a registry endpoint; system admins)',
    tag: 'projects',
    body: projectCreateSchema,
    status: 201,
    response: projectSchema,
  },
  { method: 'get', path: P, summary: 'One project', tag: 'projects', response: projectSchema },
  {
    method: 'patch',
    path: P,
    summary: "Change visibility, or a proxy-cache project's upstream endpoint and tag TTL (system admins)",
    tag: 'projects',
    body: projectUpdateSchema,
    response: projectSchema,
  },
  { method: 'delete', path: P, summary: 'Delete a project', tag: 'projects', status: 204, response: null },
  { method: 'get', path: `${P}/audit-logs`, summary: "The project's audit log", tag: 'audit', query: auditFilterSchema, paginated: true, response: z.array(auditEntrySchema) },
  { method: 'get', path: `${P}/members`, summary: 'Members', tag: 'members', paginated: true, response: z.array(memberSchema) },
  { method: 'post', path: `${P}/members`, summary: 'Add a member', tag: 'members', body: memberAddSchema, status: 201, response: memberSchema },
  { method: 'patch', path: `${P}/members/{username}`, summary: "Change a member's role", tag: 'members', body: memberUpdateSchema, response: memberSchema },
  { method: 'delete', path: `${P}/members/{username}`, summary: 'Remove a member', tag: 'members', status: 204, response: null },
  { method: 'get', path: `${P}/robots`, summary: 'Project robot accounts', tag: 'robots', paginated: true, response: z.array(robotSchema) },
  { method: 'post', path: `${P}/robots`, summary: 'Create a project robot account', tag: 'robots', body: projectRobotCreateSchema, status: 201, response: createdRobotSchema },
  { method: 'patch', path: `${P}/robots/{id}`, summary: 'Update a project robot account', tag: 'robots', body: robotUpdateSchema, response: updatedRobotSchema },
  { method: 'delete', path: `${P}/robots/{id}`, summary: 'Delete a project robot account', tag: 'robots', status: 204, response: null },
  // repositories
  {
    method: 'get',
    path: `${P}/repositories`,
    summary: 'Repositories of a project (q: substring of the name)',
    tag: 'repositories',
    query: z.object({ q: z.string().max(128).optional() }),
    paginated: true,
    response: z.array(repositorySchema),
  },
  { method: 'post', path: `${P}/repositories`, summary: 'Create a repository', tag: 'repositories', body: repositoryCreateSchema, status: 201, response: repositorySchema },
  { method: 'get', path: R, summary: 'One repository ({repository}: the part after project/, slashes as %2F)', tag: 'repositories', response: repositorySchema },
  { method: 'patch', path: R, summary: 'Change the description (repository:push)', tag: 'repositories', body: repositoryUpdateSchema, response: repositorySchema },
  { method: 'delete', path: R, summary: 'Delete the repository with its artifacts and tags (repository:delete)', tag: 'repositories', status: 204, response: null },
  // artifacts and tags
  {
    method: 'get',
    path: `${R}/artifacts`,
    summary: "Artifacts, newest first (tag: substring, matching tags first; tagged: true|false); an index's untagged children only in its children",
    tag: 'artifacts',
    query: artifactListQuerySchema,
    paginated: true,
    response: z.array(artifactSchema),
  },
  { method: 'get', path: A, summary: 'One artifact by digest or tag, with manifest, config, layers and children', tag: 'artifacts', response: artifactDetailSchema },
  {
    method: 'delete',
    path: A,
    summary: "Delete the artifact, all its tags and an index's children nothing else needs (repository:delete; 409 while an index references it)",
    tag: 'artifacts',
    status: 204,
    response: null,
  },
  {
    method: 'get',
    path: `${A}/tags`,
    summary: 'Tags of the artifact, newest first (push time, then the newest tag), like Harbor',
    tag: 'artifacts',
    paginated: true,
    response: z.array(tagSchema),
  },
  {
    method: 'post',
    path: `${A}/tags`,
    summary: 'Tag the artifact (201; 200 if it already has the tag; 409 if the tag names another artifact)',
    tag: 'artifacts',
    body: tagCreateSchema,
    status: 201,
    response: artifactSchema,
  },
  { method: 'delete', path: `${A}/tags/{tag}`, summary: 'Delete one tag; the artifact stays (repository:delete)', tag: 'artifacts', status: 204, response: null },
  // webhooks: the same operations on a project's policies (project admins) and on system-wide ones (system admins)
  ...webhookRoutes(`${P}/webhooks`, "a project's"),
  ...webhookRoutes('/api/v1/webhooks', 'system-wide'),
]

/** Tag immutability rules and tag retention (issue #13): project admins and maintainers. */
function tagRuleRoutes(): RouteSpec[] {
  const rules = `${P}/immutable-rules`
  const retention = `${P}/retention`
  return [
    { method: 'get', path: rules, summary: 'Tag immutability rules of the project', tag: 'immutability', response: z.array(immutableRuleSchema) },
    { method: 'post', path: rules, summary: 'Create a tag immutability rule', tag: 'immutability', body: immutableRuleCreateSchema, status: 201, response: immutableRuleSchema },
    {
      method: 'patch',
      path: `${rules}/{id}`,
      summary: 'Change a rule: its patterns, or enable/disable it',
      tag: 'immutability',
      body: immutableRuleUpdateSchema,
      response: immutableRuleSchema,
    },
    { method: 'delete', path: `${rules}/{id}`, summary: 'Delete a tag immutability rule', tag: 'immutability', status: 204, response: null },
    { method: 'get', path: retention, summary: 'The tag retention policy (rules and schedule)', tag: 'retention', response: retentionPolicySchema },
    { method: 'put', path: retention, summary: 'Replace the tag retention policy', tag: 'retention', body: retentionPolicyInputSchema, response: retentionPolicySchema },
    { method: 'get', path: `${retention}/runs`, summary: 'Retention runs, newest first', tag: 'retention', paginated: true, response: z.array(retentionRunSchema) },
    {
      method: 'post',
      path: `${retention}/runs`,
      summary: 'Run the policy now (dryRun: only list what would go); 202 with the run',
      tag: 'retention',
      body: retentionRunRequestSchema,
      status: 202,
      response: retentionRunSchema,
    },
    { method: 'get', path: `${retention}/runs/{id}`, summary: 'One run: per repository, what went and what kept the rest', tag: 'retention', response: retentionRunSchema },
  ]
}

/** Upstream registry endpoints (issue #12): system admins only; credentials are write-only. */
function registryRoutes(): RouteSpec[] {
  const base = '/api/v1/registries'
  const item = `${base}/{id}`
  const tag = 'registries'
  const update = { path: item, tag, body: registryUpdateSchema, response: registryEndpointSchema }
  const updateSummary = 'Change a registry endpoint; fields left out stay (PUT and PATCH are the same partial update); null credentials remove them'
  return [
    { method: 'get', path: base, summary: 'Upstream registry endpoints (system admins)', tag, paginated: true, response: z.array(registryEndpointSchema) },
    {
      method: 'post',
      path: base,
      summary: 'Create a registry endpoint (system admins); credentials are stored encrypted and never returned',
      tag,
      body: registryCreateSchema,
      status: 201,
      response: registryEndpointSchema,
    },
    { method: 'get', path: item, summary: 'One registry endpoint', tag, response: registryEndpointSchema },
    { method: 'put', summary: updateSummary, ...update },
    { method: 'patch', summary: updateSummary, ...update },
    { method: 'delete', path: item, summary: 'Delete a registry endpoint (409 while a proxy-cache project uses it)', tag, status: 204, response: null },
    {
      method: 'post',
      path: `${item}/ping`,
      summary: 'Check that the endpoint answers /v2/ with its stored credentials; says what failed',
      tag,
      response: registryPingSchema,
    },
  ]
}

/** Garbage collection (issue #13): system admins only. */
function gcRoutes(): RouteSpec[] {
  const base = '/api/v1/system/gc'
  const item = `${base}/{id}`
  const tag = 'gc'
  return [
    {
      method: 'post',
      path: base,
      summary: 'Start a garbage collection (or a dry run) in the background; 409 while one runs in any process',
      tag,
      body: gcRequestSchema,
      status: 202,
      response: gcRunSchema,
    },
    { method: 'get', path: base, summary: 'Garbage collection history, newest first', tag, paginated: true, response: z.array(gcRunSchema) },
    { method: 'get', path: `${base}/schedule`, summary: 'The garbage collection schedule (schedule null: none)', tag, response: gcScheduleSchema },
    {
      method: 'put',
      path: `${base}/schedule`,
      summary: 'Set the garbage collection schedule and the options scheduled runs use',
      tag,
      body: gcScheduleRequestSchema,
      response: gcScheduleSchema,
    },
    { method: 'delete', path: `${base}/schedule`, summary: 'Remove the garbage collection schedule', tag, status: 204, response: null },
    { method: 'get', path: item, summary: 'One garbage collection: status (running, succeeded, failed, cancelled), blobsDeleted, bytesFreed…', tag, response: gcRunSchema },
    {
      method: 'post',
      path: `${item}/cancel`,
      summary: 'Ask a running collection to stop after its current batch (409 when it is not running)',
      tag,
      status: 202,
      response: gcRunSchema,
    },
    { method: 'get', path: `${item}/log`, summary: "A collection's log", tag, response: z.object({ id: z.number(), log: z.string() }) },
  ]
}

function webhookRoutes(base: string, whose: string): RouteSpec[] {
  const item = `${base}/{id}`
  const delivery = `${item}/deliveries/{deliveryId}`
  return [
    { method: 'get', path: base, summary: `List ${whose} webhook policies`, tag: 'webhooks', paginated: true, response: z.array(webhookPolicySchema) },
    { method: 'post', path: base, summary: `Create a ${whose} webhook policy`, tag: 'webhooks', body: webhookCreateSchema, status: 201, response: webhookPolicySchema },
    { method: 'get', path: item, summary: `One ${whose} webhook policy`, tag: 'webhooks', response: webhookPolicySchema },
    {
      method: 'patch',
      path: item,
      summary: `Change a ${whose} webhook policy (enable/disable, target, events, filters, secret)`,
      tag: 'webhooks',
      body: webhookUpdateSchema,
      response: webhookPolicySchema,
    },
    { method: 'delete', path: item, summary: `Delete a ${whose} webhook policy with its delivery log`, tag: 'webhooks', status: 204, response: null },
    {
      method: 'post',
      path: `${item}/test`,
      summary: 'Queue a TEST event to the target (sent even when the policy is disabled)',
      tag: 'webhooks',
      status: 202,
      response: webhookDeliverySchema,
    },
    {
      method: 'get',
      path: `${item}/deliveries`,
      summary: 'Delivery log, newest first',
      tag: 'webhooks',
      query: deliveryFilterSchema,
      paginated: true,
      response: z.array(webhookDeliverySchema),
    },
    {
      method: 'get',
      path: delivery,
      summary: 'One delivery with every attempt (request headers, status, latency, response snippet)',
      tag: 'webhooks',
      response: webhookDeliveryDetailSchema,
    },
    {
      method: 'post',
      path: `${delivery}/redeliver`,
      summary: 'Send a finished delivery again (same delivery id and body); 409 while pending, or when it was never prepared (saved as failed with the reason)',
      tag: 'webhooks',
      status: 202,
      response: webhookDeliverySchema,
    },
  ]
}

const errorSchema = z.object({ errors: z.array(z.object({ code: z.string(), message: z.string(), detail: z.unknown().optional() })) })

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>
  return rest
}

function queryParameters(route: RouteSpec): unknown[] {
  const shapes: z.ZodObject[] = []
  if (route.paginated) shapes.push(pageQuerySchema)
  if (route.query) shapes.push(route.query)
  return shapes.flatMap((shape) =>
    Object.entries(shape.shape).map(([name, schema]) => ({
      name,
      in: 'query',
      required: false,
      schema: jsonSchema(schema as z.ZodType, 'input'),
    })),
  )
}

function operation(route: RouteSpec): Record<string, unknown> {
  const pathParams = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }))
  const status = String(route.status ?? 200)
  const success: Record<string, unknown> = { description: 'success' }
  if (route.response !== null) success.content = { 'application/json': { schema: jsonSchema(route.response, 'output') } }
  if (route.paginated) {
    success.headers = {
      'X-Total-Count': { schema: { type: 'integer' }, description: 'items in all pages' },
      Link: { schema: { type: 'string' }, description: 'rel="prev" / rel="next" pages' },
    }
  }
  const error = { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }
  return {
    summary: route.summary,
    tags: [route.tag],
    operationId: `${route.method}${route.path.replace(/^\/api\/v1/, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    parameters: [...pathParams, ...queryParameters(route)],
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
    responses: { [status]: success, '400': error, '401': error, '403': error, '404': error },
  }
}

let cached: Record<string, unknown> | undefined

export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached
  const paths: Record<string, Record<string, unknown>> = {}
  for (const route of ROUTES) (paths[route.path] ??= {})[route.method] = operation(route)
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Harbormaster registry API',
      version: '1',
      description:
        'Management API. Authenticate with HTTP Basic (password, access token hmp_… or robot secret) or the session cookie. ' +
        'Lists paginate with page and page_size (<= 100) and answer X-Total-Count and Link. Errors: {"errors":[{code,message,detail}]}.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { basic: { type: 'http', scheme: 'basic' }, session: { type: 'apiKey', in: 'cookie', name: 'next-auth.session-token' } },
      schemas: { Error: jsonSchema(errorSchema, 'output') },
    },
    security: [{ basic: [] }, { session: [] }, {}],
    paths,
  }
  return cached
}
