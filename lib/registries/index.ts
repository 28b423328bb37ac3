// Registry endpoints (issue #12): the upstream registries proxy-cache projects pull through, managed
// by system administrators. Credentials are write-only: sealed with lib/secrets when saved, opened only
// by `upstreamEndpointOf` for the code that talks to the upstream.
import type { PrismaClient } from '../db/prisma'
import type { Prisma } from '../generated/prisma/client'
import { conflict, invalid, isForeignKeyViolation, isUniqueViolation, notFound } from '../errors'
import { skipTake, type Page, type PageRequest } from '../pagination'
import { auditActor, recordAudit, type Caller } from '../audit'
import { requireSystem } from '../projects/access'
import { SECRET_CONTEXT, secretBox } from '../secrets'
import type { RegistryCreate, RegistryEndpoint, RegistryType, RegistryUpdate } from './schema'

// The request and response shapes live in ./schema (the dashboard imports them too).
export * from './schema'

/** An endpoint as the domain returns it (the API sends the dates as ISO strings). */
export type RegistryEndpointView = Omit<RegistryEndpoint, 'createdAt' | 'updatedAt'> & { createdAt: Date; updatedAt: Date }

/** What the upstream client needs to reach an endpoint, credentials opened. */
export interface UpstreamEndpoint {
  id: number
  name: string
  url: string
  type: RegistryType
  insecure: boolean
  credentials: { kind: 'basic'; username: string; password: string } | { kind: 'token'; token: string } | { kind: 'anonymous' }
}

const ENDPOINT_INCLUDE = { _count: { select: { proxyProjects: true } } } satisfies Prisma.RegistryEndpointInclude
type EndpointRow = Prisma.RegistryEndpointGetPayload<{ include: typeof ENDPOINT_INCLUDE }>

/** Stored credentials: the user name in clear, the password or token sealed; null columns for none. */
type StoredCredentials = { username: string | null; credentialEnvelope: string | null }

function credentialKind(row: StoredCredentials): RegistryEndpointView['credentials'] {
  if (row.credentialEnvelope === null) return 'anonymous'
  return row.username === null ? 'token' : 'basic'
}

function toView(row: EndpointRow): RegistryEndpointView {
  const credentials = credentialKind(row)
  return {
    id: row.id,
    name: row.name,
    type: row.type as RegistryType,
    url: row.url,
    insecure: row.insecure,
    credentials,
    hasCredentials: credentials !== 'anonymous',
    username: credentials === 'basic' ? row.username : null,
    proxyProjects: row._count.proxyProjects,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

function requireAdmin(caller: Caller): void {
  requireSystem(caller.subject, 'system:admin', 'only system administrators manage registry endpoints')
}

async function requireEndpoint(prisma: Pick<PrismaClient, 'registryEndpoint'>, id: number): Promise<EndpointRow> {
  const row = await prisma.registryEndpoint.findUnique({ where: { id }, include: ENDPOINT_INCLUDE })
  if (!row) throw notFound(`registry endpoint ${id} not found`)
  return row
}

const sealBasic = (username: string, password: string): StoredCredentials => ({
  username,
  credentialEnvelope: secretBox().seal(password, SECRET_CONTEXT.registryPassword),
})
const sealToken = (token: string): StoredCredentials => ({ username: null, credentialEnvelope: secretBox().seal(token, SECRET_CONTEXT.registryToken) })
const ANONYMOUS: StoredCredentials = { username: null, credentialEnvelope: null }

/** The credentials an update leaves (undefined: unchanged); see registryUpdateSchema for the rules. */
function nextCredentials(current: StoredCredentials, update: RegistryUpdate): StoredCredentials | undefined {
  const { username, password, token } = update
  if (username === undefined && password === undefined && token === undefined) return undefined
  if (username === null || password === null || token === null) return ANONYMOUS
  if (token !== undefined) return sealToken(token)
  const currentKind = credentialKind(current)
  if (password !== undefined) {
    const user = username ?? (currentKind === 'basic' ? current.username : null)
    if (user === null) throw invalid('username is required with password (the endpoint has no user name yet)')
    return sealBasic(user, password)
  }
  if (currentKind !== 'basic') throw invalid('password is required with username (the endpoint has no password yet)')
  return { username: username!, credentialEnvelope: current.credentialEnvelope }
}

function uniqueName<T>(name: string | undefined) {
  return (error: unknown): T => {
    if (isUniqueViolation(error)) throw conflict(`a registry endpoint named ${name} already exists`)
    throw error
  }
}

export async function listRegistries(prisma: PrismaClient, caller: Caller, page: PageRequest): Promise<Page<RegistryEndpointView>> {
  requireAdmin(caller)
  const [rows, total] = await Promise.all([
    prisma.registryEndpoint.findMany({ include: ENDPOINT_INCLUDE, orderBy: [{ name: 'asc' }, { id: 'asc' }], ...skipTake(page) }),
    prisma.registryEndpoint.count(),
  ])
  return { items: rows.map(toView), total }
}

export async function getRegistry(prisma: PrismaClient, caller: Caller, id: number): Promise<RegistryEndpointView> {
  requireAdmin(caller)
  return toView(await requireEndpoint(prisma, id))
}

export async function createRegistry(prisma: PrismaClient, caller: Caller, input: RegistryCreate): Promise<RegistryEndpointView> {
  requireAdmin(caller)
  const credentials = input.token !== undefined ? sealToken(input.token) : input.username !== undefined ? sealBasic(input.username, input.password!) : ANONYMOUS
  const row = await prisma
    .$transaction(async (tx) => {
      const created = await tx.registryEndpoint.create({
        data: { name: input.name, type: input.type, url: input.url, insecure: input.insecure, ...credentials, createdBy: auditActor(caller).actor },
        include: ENDPOINT_INCLUDE,
      })
      await recordAudit(tx, {
        ...auditActor(caller),
        action: 'registry.create',
        resourceType: 'registry',
        resource: created.name,
        detail: { id: created.id, type: created.type, url: created.url, credentials: credentialKind(created) },
      })
      return created
    })
    .catch(uniqueName<EndpointRow>(input.name))
  return toView(row)
}

export async function updateRegistry(prisma: PrismaClient, caller: Caller, id: number, update: RegistryUpdate): Promise<RegistryEndpointView> {
  requireAdmin(caller)
  const current = await requireEndpoint(prisma, id)
  const credentials = nextCredentials(current, update)
  const data: Prisma.RegistryEndpointUpdateInput = {
    ...(update.name !== undefined ? { name: update.name } : {}),
    ...(update.type !== undefined ? { type: update.type } : {}),
    ...(update.url !== undefined ? { url: update.url } : {}),
    ...(update.insecure !== undefined ? { insecure: update.insecure } : {}),
    ...credentials,
  }
  const row = await prisma
    .$transaction(async (tx) => {
      const updated = await tx.registryEndpoint.update({ where: { id }, data, include: ENDPOINT_INCLUDE })
      const secretFields = new Set(['password', 'token'])
      const changed = Object.keys(update).map((key) => (secretFields.has(key) ? `${key} (value not logged)` : key))
      await recordAudit(tx, { ...auditActor(caller), action: 'registry.update', resourceType: 'registry', resource: updated.name, detail: { id, changed } })
      return updated
    })
    .catch(uniqueName<EndpointRow>(update.name))
  return toView(row)
}

/**
 * The proxy-cache projects that use an endpoint: while there are any it cannot be deleted. (The
 * foreign key refuses it too; this names them.)
 */
export async function projectsUsingRegistry(prisma: Pick<PrismaClient, 'project'>, id: number): Promise<string[]> {
  const rows = await prisma.project.findMany({ where: { proxyRegistryId: id }, select: { name: true }, orderBy: { name: 'asc' } })
  return rows.map((row) => row.name)
}

export async function deleteRegistry(prisma: PrismaClient, caller: Caller, id: number): Promise<void> {
  requireAdmin(caller)
  const row = await requireEndpoint(prisma, id)
  const refuse = (projects: string[]) =>
    conflict(`registry endpoint ${row.name} is used by proxy-cache project${projects.length === 1 ? '' : 's'} ${projects.join(', ')}`, { projects })
  const users = await projectsUsingRegistry(prisma, id)
  if (users.length > 0) throw refuse(users)
  try {
    await prisma.$transaction(async (tx) => {
      await tx.registryEndpoint.delete({ where: { id } })
      await recordAudit(tx, { ...auditActor(caller), action: 'registry.delete', resourceType: 'registry', resource: row.name, detail: { id } })
    })
  } catch (error) {
    // A proxy project created meanwhile: the foreign key (ON DELETE NO ACTION) refused the delete.
    if (isForeignKeyViolation(error)) throw refuse(await projectsUsingRegistry(prisma, id))
    throw error
  }
}

/** The endpoint with its credentials opened, for the upstream client. SecretEnvelopeError when the key cannot open them. */
export async function upstreamEndpointOf(prisma: Pick<PrismaClient, 'registryEndpoint'>, id: number): Promise<UpstreamEndpoint> {
  const row = await prisma.registryEndpoint.findUnique({ where: { id } })
  if (!row) throw notFound(`registry endpoint ${id} not found`)
  const base = { id: row.id, name: row.name, url: row.url, type: row.type as RegistryType, insecure: row.insecure }
  if (row.credentialEnvelope === null) return { ...base, credentials: { kind: 'anonymous' } }
  if (row.username === null) return { ...base, credentials: { kind: 'token', token: secretBox().open(row.credentialEnvelope, SECRET_CONTEXT.registryToken) } }
  return { ...base, credentials: { kind: 'basic', username: row.username, password: secretBox().open(row.credentialEnvelope, SECRET_CONTEXT.registryPassword) } }
}

export { pingRegistry } from './ping'
