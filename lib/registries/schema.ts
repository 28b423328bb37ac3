// The registry endpoint shapes of /api/v1/registries: requests and responses, the OpenAPI document's
// schemas and the dashboard's types. Schema only (zod, nothing server-side), so browser code may import it.
import { z } from 'zod'

export const REGISTRY_TYPES = ['docker-hub', 'distribution', 'harbor'] as const
export type RegistryType = (typeof REGISTRY_TYPES)[number]

/** Where a `docker-hub` endpoint points when no URL is given. */
export const DOCKER_HUB_URL = 'https://registry-1.docker.io'

const oneLine = /^[^\p{Cc}]*$/u

/** An http(s) base URL without user info, query or fragment; normalized (lowercase host, no default port, no trailing slash). */
export const registryUrlSchema = z
  .string({ error: 'url must be a string' })
  .trim()
  .max(2048, 'url must be at most 2048 characters')
  .transform((value, ctx) => {
    let url: URL
    try {
      url = new URL(value)
    } catch {
      ctx.addIssue({ code: 'custom', message: 'url must be an http:// or https:// URL such as https://registry.example.com' })
      return z.NEVER
    }
    const problem =
      url.protocol !== 'http:' && url.protocol !== 'https:'
        ? 'url must be an http:// or https:// URL'
        : url.username ||
            url.password ||
            value
              .slice(url.protocol.length + 2)
              .split('/')[0]
              .includes('@')
          ? 'url must not contain a user name or password: give them as username and password'
          : url.search || value.includes('?')
            ? 'url must not have a query (?…)'
            : url.hash || value.includes('#')
              ? 'url must not have a fragment (#…)'
              : undefined
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem })
      return z.NEVER
    }
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`
  })
  .describe('http(s) base URL of the registry (its /v2/ is under it); no user info, query or fragment')

const nameSchema = z
  .string({ error: 'name is required' })
  .trim()
  .min(1, 'name is required')
  .max(64, 'name must be at most 64 characters')
  .regex(/^[^\p{Cc}]+$/u, 'name must not contain control characters')

const usernameSchema = z
  .string({ error: 'username must be a string' })
  .min(1, 'username must not be empty')
  .max(255, 'username must be at most 255 characters')
  .regex(/^[^:\p{Cc}]+$/u, 'username must not contain a colon or control characters')
const passwordSchema = z
  .string({ error: 'password must be a string' })
  .min(1, 'password must not be empty')
  .max(4096, 'password must be at most 4096 characters')
  .regex(oneLine, 'password must not contain control characters')
  .describe('write-only: stored encrypted, never returned (for Docker Hub, a personal access token goes here with its user name)')
const tokenSchema = z
  .string({ error: 'token must be a string' })
  .min(1, 'token must not be empty')
  .max(8192, 'token must be at most 8192 characters')
  .regex(oneLine, 'token must not contain control characters')
  .describe('write-only: a bearer token for the upstream, stored encrypted, never returned')
const typeSchema = z.enum(REGISTRY_TYPES, { error: `type must be one of ${REGISTRY_TYPES.join(', ')}` })
const insecureSchema = z.boolean({ error: 'insecure must be true or false' }).describe('skip TLS certificate verification')

export const registryCreateSchema = z
  .strictObject({
    name: nameSchema,
    type: typeSchema,
    url: registryUrlSchema.optional().describe(`required except for docker-hub (default ${DOCKER_HUB_URL})`),
    username: usernameSchema.optional(),
    password: passwordSchema.optional(),
    token: tokenSchema.optional(),
    insecure: insecureSchema.default(false),
  })
  .superRefine((input, ctx) => {
    if (input.url === undefined && input.type !== 'docker-hub') ctx.addIssue({ code: 'custom', path: ['url'], message: `url is required for a ${input.type} endpoint` })
    if (input.token !== undefined && (input.username !== undefined || input.password !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['token'], message: 'give either username and password, or a token' })
    } else if ((input.username === undefined) !== (input.password === undefined)) {
      ctx.addIssue({ code: 'custom', path: [input.username === undefined ? 'username' : 'password'], message: 'username and password go together' })
    }
  })
  .transform(({ url, ...input }) => ({ ...input, url: url ?? DOCKER_HUB_URL }))

/**
 * Changes to an endpoint; fields left out stay as they are. Credentials: `username` + `password` or
 * `token` replace them (`password` alone keeps the user name, `username` alone keeps the password);
 * `null` for any of the three removes them (anonymous access).
 */
export const registryUpdateSchema = z
  .strictObject({
    name: nameSchema,
    type: typeSchema,
    url: registryUrlSchema,
    username: usernameSchema.nullable(),
    password: passwordSchema.nullable(),
    token: tokenSchema.nullable(),
    insecure: insecureSchema,
  })
  .partial()
  .refine((update) => Object.keys(update).length > 0, { message: 'nothing to change' })
  .superRefine((update, ctx) => {
    const given = [update.username, update.password, update.token].filter((value) => value !== undefined)
    if (given.includes(null) && given.some((value) => value !== null)) {
      ctx.addIssue({ code: 'custom', message: 'null removes the credentials: do not combine it with new ones' })
    } else if (typeof update.token === 'string' && (typeof update.username === 'string' || typeof update.password === 'string')) {
      ctx.addIssue({ code: 'custom', path: ['token'], message: 'give either username and password, or a token' })
    }
  })

export type RegistryCreate = z.infer<typeof registryCreateSchema>
export type RegistryUpdate = z.infer<typeof registryUpdateSchema>

/** The wire shape of a registry endpoint (OpenAPI). Credentials are write-only: only whether and which kind are set. */
export const registryEndpointSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  type: z.enum(REGISTRY_TYPES),
  url: z.string(),
  insecure: z.boolean(),
  credentials: z.enum(['anonymous', 'basic', 'token']).describe('which credentials are stored; their secret part is never returned'),
  hasCredentials: z.boolean(),
  username: z.string().nullable().describe('the Basic user name, when set'),
  proxyProjects: z.number().int().describe('proxy-cache projects using it (it cannot be deleted while any do)'),
  createdBy: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
})

/** A registry endpoint as the API sends it (dates as ISO strings). */
export type RegistryEndpoint = z.infer<typeof registryEndpointSchema>

/** What POST /api/v1/registries/{id}/ping answers: reachable with these credentials, or what failed. */
export const registryPingSchema = z.object({
  ok: z.boolean(),
  kind: z
    .enum(['not_found', 'unauthorized', 'rate_limited', 'upstream_error', 'unreachable', 'timeout', 'invalid'])
    .optional()
    .describe('how it failed: unauthorized (credentials refused), unreachable (DNS, connection, TLS or refused by UPSTREAM_ALLOWED_NETWORKS), timeout, …'),
  message: z.string().optional(),
})
export type RegistryPing = z.infer<typeof registryPingSchema>
