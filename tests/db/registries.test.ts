// Registry endpoints (lib/registries) against real databases (PGlite always, PostgreSQL when
// TEST_POSTGRES_URL is set): system admins only; credentials sealed at rest, write-only in views,
// opened by upstreamEndpointOf; the update rules for credentials; unique names; an endpoint a
// proxy-cache project uses cannot be deleted; the audit log never holds a credential.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../lib/config'
import { migrateDeploy } from '../../lib/db/migrate'
import { createPrisma, type PrismaClient } from '../../lib/db/prisma'
import { installRuntime, runtime, type Runtime } from '../../lib/runtime'
import { buildRuntime } from '../../lib/runtime/build'
import { SecretBox, SecretEnvelopeError } from '../../lib/secrets/envelope'
import { createRegistry, deleteRegistry, getRegistry, listRegistries, registryCreateSchema, registryUpdateSchema, updateRegistry, upstreamEndpointOf } from '../../lib/registries'
import { BACKENDS, openBackend, type Backend } from './backends'
import { silentLogger } from './fixtures'

const KEY = 'registries-test-key-0123456789abcdef'
const admin = { subject: { kind: 'user' as const, userId: 1, username: 'root', isAdmin: true } }
const user = { subject: { kind: 'user' as const, userId: 2, username: 'dev', isAdmin: false } }
const anonymous = { subject: { kind: 'anonymous' as const } }
const page = { page: 1, pageSize: 100 }

describe.each(BACKENDS)('registry endpoints on %s', (backendName) => {
  let backend: Backend
  let prisma: PrismaClient
  let dataDir: string
  let previous: Runtime | undefined
  const add = (input: Record<string, unknown>) => createRegistry(prisma, admin, registryCreateSchema.parse(input))
  const change = (id: number, input: Record<string, unknown>) => updateRegistry(prisma, admin, id, registryUpdateSchema.parse(input))

  beforeAll(async () => {
    backend = await openBackend(backendName)
    await migrateDeploy(backend.url, { log: () => {}, keepPgliteOpen: true })
    prisma = createPrisma(backend.url)
    dataDir = await mkdtemp(join(tmpdir(), 'registries-db-'))
    previous = runtime()
    installRuntime(buildRuntime(loadConfig({ DATA_DIR: dataDir, SECRET_KEY: KEY }), silentLogger))
  })
  afterAll(async () => {
    if (previous) installRuntime(previous)
    await prisma?.$disconnect()
    await backend?.cleanup()
    await rm(dataDir, { recursive: true, force: true })
  })
  beforeEach(async () => {
    await prisma.project.deleteMany({})
    await prisma.registryEndpoint.deleteMany({})
  })

  it('creates, lists, gets, updates and deletes; only system admins (401 anonymous, 403 others)', async () => {
    const hub = await add({ name: 'hub', type: 'docker-hub' })
    expect(hub).toMatchObject({
      name: 'hub',
      type: 'docker-hub',
      url: 'https://registry-1.docker.io',
      insecure: false,
      credentials: 'anonymous',
      hasCredentials: false,
      username: null,
    })
    expect(hub.createdBy).toBe('root')
    const local = await add({ name: 'local', type: 'distribution', url: 'HTTP://Mirror.Example:5000/', insecure: true })
    expect(local.url).toBe('http://mirror.example:5000')
    expect((await listRegistries(prisma, admin, page)).items.map((e) => e.name)).toEqual(['hub', 'local'])
    expect((await getRegistry(prisma, admin, local.id)).insecure).toBe(true)
    expect((await change(local.id, { name: 'lan', insecure: false })).name).toBe('lan')
    await deleteRegistry(prisma, admin, local.id)
    await expect(getRegistry(prisma, admin, local.id)).rejects.toMatchObject({ kind: 'not_found' })

    for (const [caller, kind] of [
      [anonymous, 'unauthorized'],
      [user, 'forbidden'],
    ] as const) {
      await expect(listRegistries(prisma, caller, page)).rejects.toMatchObject({ kind })
      await expect(getRegistry(prisma, caller, hub.id)).rejects.toMatchObject({ kind })
      await expect(createRegistry(prisma, caller, registryCreateSchema.parse({ name: 'x', type: 'docker-hub' }))).rejects.toMatchObject({ kind })
      await expect(updateRegistry(prisma, caller, hub.id, { insecure: true })).rejects.toMatchObject({ kind })
      await expect(deleteRegistry(prisma, caller, hub.id)).rejects.toMatchObject({ kind })
    }
    expect((await listRegistries(prisma, admin, page)).total).toBe(1)
  })

  it('stores credentials sealed, never shows them, and opens them for the upstream client', async () => {
    const basic = await add({ name: 'basic', type: 'harbor', url: 'https://harbor.example', username: 'robot$ci', password: 'p4ssw0rd-upstream' })
    expect(basic).toMatchObject({ credentials: 'basic', hasCredentials: true, username: 'robot$ci' })
    expect(JSON.stringify(basic)).not.toContain('p4ssw0rd-upstream')
    const token = await add({ name: 'token', type: 'distribution', url: 'https://ghcr.example', token: 'tok-upstream-123' })
    expect(token).toMatchObject({ credentials: 'token', hasCredentials: true, username: null })

    const rows = await prisma.registryEndpoint.findMany({ orderBy: { name: 'asc' } })
    for (const row of rows) {
      expect(row.credentialEnvelope).toMatch(/^v1:/)
      expect(row.credentialEnvelope).not.toMatch(/p4ssw0rd|tok-upstream/)
    }
    expect(await upstreamEndpointOf(prisma, basic.id)).toEqual({
      id: basic.id,
      name: 'basic',
      url: 'https://harbor.example',
      type: 'harbor',
      insecure: false,
      credentials: { kind: 'basic', username: 'robot$ci', password: 'p4ssw0rd-upstream' },
    })
    expect((await upstreamEndpointOf(prisma, token.id)).credentials).toEqual({ kind: 'token', token: 'tok-upstream-123' })
    const hub = await add({ name: 'anon', type: 'docker-hub' })
    expect((await upstreamEndpointOf(prisma, hub.id)).credentials).toEqual({ kind: 'anonymous' })
    await expect(upstreamEndpointOf(prisma, 999_999)).rejects.toMatchObject({ kind: 'not_found' })

    // A password envelope swapped in as a token does not open as one; another key is a typed error.
    await prisma.registryEndpoint.update({ where: { id: token.id }, data: { credentialEnvelope: rows[0].credentialEnvelope } })
    await expect(upstreamEndpointOf(prisma, token.id)).rejects.toMatchObject({ reason: 'corrupt' })
    await prisma.registryEndpoint.update({ where: { id: token.id }, data: { credentialEnvelope: new SecretBox('some-other-key-0123456789abcdefgh').seal('x', 'registry.token') } })
    await expect(upstreamEndpointOf(prisma, token.id)).rejects.toBeInstanceOf(SecretEnvelopeError)

    const audit = await prisma.auditLog.findMany({ where: { resourceType: 'registry' } })
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['registry.create']))
    expect(JSON.stringify(audit.map((a) => a.detail))).not.toMatch(/p4ssw0rd|tok-upstream/)
  })

  it('updates credentials by the rules: replace, keep the other half, switch kind, remove with null', async () => {
    const e = await add({ name: 'e', type: 'distribution', url: 'https://r.example', username: 'alice', password: 'first-password' })
    const creds = async () => (await upstreamEndpointOf(prisma, e.id)).credentials
    await change(e.id, { password: 'second-password' })
    expect(await creds()).toEqual({ kind: 'basic', username: 'alice', password: 'second-password' })
    await change(e.id, { username: 'bob' })
    expect(await creds()).toEqual({ kind: 'basic', username: 'bob', password: 'second-password' })
    await change(e.id, { url: 'https://r.example/' })
    expect(await creds()).toEqual({ kind: 'basic', username: 'bob', password: 'second-password' })
    expect((await change(e.id, { token: 'a-token' })).credentials).toBe('token')
    expect(await creds()).toEqual({ kind: 'token', token: 'a-token' })
    await expect(change(e.id, { username: 'carol' })).rejects.toMatchObject({ kind: 'invalid', message: /password is required/ })
    await expect(change(e.id, { password: 'lonely' })).rejects.toMatchObject({ kind: 'invalid', message: /username is required/ })
    expect(await change(e.id, { username: 'carol', password: 'third-password' })).toMatchObject({ credentials: 'basic', username: 'carol' })
    expect(await change(e.id, { password: null })).toMatchObject({ credentials: 'anonymous', hasCredentials: false, username: null })
    expect(await creds()).toEqual({ kind: 'anonymous' })
    const row = await prisma.registryEndpoint.findUniqueOrThrow({ where: { id: e.id } })
    expect([row.username, row.credentialEnvelope]).toEqual([null, null])
    const audit = await prisma.auditLog.findMany({ where: { action: 'registry.update' } })
    const details = JSON.stringify(audit.map((a) => a.detail))
    expect(details).not.toMatch(/second-password|third-password|a-token/)
    expect(details).toContain('password (value not logged)')
  })

  it('refuses a second endpoint with the same name (409), also by renaming', async () => {
    await add({ name: 'same', type: 'docker-hub' })
    const other = await add({ name: 'other', type: 'docker-hub' })
    await expect(add({ name: 'same', type: 'docker-hub' })).rejects.toMatchObject({ kind: 'conflict', message: /named same already exists/ })
    await expect(change(other.id, { name: 'same' })).rejects.toMatchObject({ kind: 'conflict' })
  })

  it('refuses to delete an endpoint a proxy-cache project uses (409 naming it), and deletes it once unused', async () => {
    const e = await add({ name: 'upstream', type: 'docker-hub' })
    await prisma.project.create({ data: { name: 'hub-cache', proxyRegistryId: e.id } })
    expect((await getRegistry(prisma, admin, e.id)).proxyProjects).toBe(1)
    await expect(deleteRegistry(prisma, admin, e.id)).rejects.toMatchObject({ kind: 'conflict', message: /used by proxy-cache project hub-cache/ })
    // The foreign key holds on its own too.
    await expect(prisma.registryEndpoint.delete({ where: { id: e.id } })).rejects.toMatchObject({ code: 'P2003' })
    await prisma.project.delete({ where: { name: 'hub-cache' } })
    await deleteRegistry(prisma, admin, e.id)
    expect(await prisma.registryEndpoint.count()).toBe(0)
  })
})
