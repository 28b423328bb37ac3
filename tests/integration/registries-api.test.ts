// /api/v1/registries over HTTP against the running server (issue #12): system admins only (401
// anonymous, 403 other users and access tokens), CRUD with 201 + Location, validation 400s with the
// reason, credentials write-only (never in a response or the audit log). And the secret envelope as
// an existing install meets it: webhook secrets stored in clear text by an earlier version are sealed
// at start and still sign deliveries; a server given another key still starts and says why it cannot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registryUnderTest } from '../support/context'
import { apiClient, type ApiCredentials } from '../support/api'
import { ociImage, randomId, registryClient } from '../support/oci'
import { createTestDatabase, type TestDatabase } from '../support/postgres'
import { startRegistryServer, type RunningServer } from '../support/registry-server'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver'
import { createPrisma } from '../../lib/db/prisma'
import { closePglite, parseDatabaseUrl } from '../../lib/db/database-url'
import { verifySignature } from '../../lib/webhooks/signature'

const reg = registryUnderTest()
const api = apiClient(reg.url)
const admin: ApiCredentials = { user: reg.user, password: reg.password }
const ours = reg.flavour === 'ours'
const PASSWORD = `upstream-pw-${randomId(12)}`
const TOKEN = `upstream-token-${randomId(12)}`

describe.runIf(ours)('registry endpoints API', () => {
  let user: ApiCredentials

  beforeAll(async () => {
    user = await api.signup('regs')
  })

  it('anonymous callers get 401, other users 403, on every operation', async () => {
    const created = await api.post('/api/v1/registries', { name: `authz-${randomId(6)}`, type: 'docker-hub' }, { auth: admin })
    expect(created.status, created.describe()).toBe(201)
    const item = `/api/v1/registries/${created.json().id}`
    const token = await api.post('/api/v1/users/me/tokens', { name: `t-${randomId(4)}`, permission: 'readWriteDelete' }, { auth: admin })
    expect(token.status, token.describe()).toBe(201)
    const adminViaToken = { user: admin.user, password: token.json().secret as string }
    const calls = [
      ['GET', '/api/v1/registries', undefined],
      ['POST', '/api/v1/registries', { name: 'x', type: 'docker-hub' }],
      ['GET', item, undefined],
      ['PUT', item, { insecure: true }],
      ['PATCH', item, { insecure: true }],
      ['DELETE', item, undefined],
    ] as const
    for (const [method, path, body] of calls) {
      const anonymous = await api.request(method, path, body)
      expect(anonymous.status, `${method} ${path} anonymous: ${anonymous.describe()}`).toBe(401)
      const other = await api.request(method, path, body, { auth: user })
      expect(other.status, `${method} ${path} as a user: ${other.describe()}`).toBe(403)
      expect(other.json().errors[0].message).toMatch(/only system administrators manage registry endpoints/)
      const viaToken = await api.request(method, path, body, { auth: adminViaToken })
      expect(viaToken.status, `${method} ${path} with an access token: ${viaToken.describe()}`).toBe(403)
    }
    expect((await api.get(item, { auth: admin })).json().insecure).toBe(false)
  })

  it('creates (201, Location, id), lists, gets, updates with PUT and PATCH, deletes; credentials never come back', async () => {
    const name = `harbor-${randomId(6)}`
    const res = await api.post(
      '/api/v1/registries',
      { name, url: 'https://Harbor.Example.com/', type: 'harbor', username: 'robot$mirror', password: PASSWORD, insecure: true },
      { auth: admin },
    )
    expect(res.status, res.describe()).toBe(201)
    const endpoint = res.json()
    expect(endpoint.id).toEqual(expect.any(Number))
    expect(res.header('location')).toMatch(new RegExp(`/api/v1/registries/${endpoint.id}$`))
    expect(endpoint).toMatchObject({
      name,
      url: 'https://harbor.example.com',
      type: 'harbor',
      insecure: true,
      credentials: 'basic',
      hasCredentials: true,
      username: 'robot$mirror',
    })
    expect(endpoint.password).toBeUndefined()
    expect(res.text).not.toContain(PASSWORD)

    const list = await api.get('/api/v1/registries?page_size=100', { auth: admin })
    expect(list.status).toBe(200)
    expect(Number(list.header('x-total-count'))).toBeGreaterThanOrEqual(1)
    expect(list.json().map((e: { name: string }) => e.name)).toContain(name)
    expect(list.text).not.toContain(PASSWORD)

    const item = `/api/v1/registries/${endpoint.id}`
    const got = await api.get(item, { auth: admin })
    expect(got.json()).toEqual(endpoint)

    const put = await api.put(item, { token: TOKEN }, { auth: admin })
    expect(put.status, put.describe()).toBe(200)
    expect(put.json()).toMatchObject({ name, credentials: 'token', hasCredentials: true, username: null })
    expect(put.text).not.toContain(TOKEN)
    const patch = await api.patch(item, { name: `${name}-renamed`, insecure: false, token: null }, { auth: admin })
    expect(patch.status, patch.describe()).toBe(200)
    expect(patch.json()).toMatchObject({ name: `${name}-renamed`, insecure: false, credentials: 'anonymous', hasCredentials: false })

    const hub = await api.post('/api/v1/registries', { name: `hub-${randomId(6)}`, type: 'docker-hub', token: TOKEN }, { auth: admin })
    expect(hub.json()).toMatchObject({ url: 'https://registry-1.docker.io', credentials: 'token' })

    const audit = await api.get('/api/v1/audit-logs?page_size=100', { auth: admin })
    expect(audit.status).toBe(200)
    expect(audit.text).toContain('registry.create')
    expect(audit.text).not.toContain(PASSWORD)
    expect(audit.text).not.toContain(TOKEN)

    expect((await api.delete(item, { auth: admin })).status).toBe(204)
    expect((await api.get(item, { auth: admin })).status).toBe(404)
    expect((await api.delete(item, { auth: admin })).status).toBe(404)
  })

  it('refuses bad input with 400 and the reason, and a taken name with 409; nothing is saved', async () => {
    const before = Number((await api.get('/api/v1/registries', { auth: admin })).header('x-total-count'))
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ type: 'distribution' }, /url is required for a distribution endpoint/],
      [{ type: 'quay' }, /type must be one of docker-hub, distribution, harbor/],
      [{ type: 'distribution', url: 'ftp://r.example' }, /http:\/\/ or https:\/\//],
      [{ type: 'distribution', url: 'not a url' }, /url must be an http/],
      [{ type: 'distribution', url: 'https://user:pw@r.example' }, /must not contain a user name or password/],
      [{ type: 'distribution', url: 'https://r.example/?x=1' }, /must not have a query/],
      [{ type: 'distribution', url: 'https://r.example/#top' }, /must not have a fragment/],
      [{ type: 'docker-hub', username: 'alice' }, /username and password go together/],
      [{ type: 'docker-hub', password: 'secret' }, /username and password go together/],
      [{ type: 'docker-hub', username: 'a', password: 'b', token: 'c' }, /either username and password, or a token/],
      [{ type: 'docker-hub', username: 'a:b', password: 'c' }, /must not contain a colon/],
      [{ type: 'docker-hub', insecure: 'yes' }, /insecure must be true or false/],
      [{ type: 'docker-hub', extra: 1 }, /extra|unrecognized/i],
      [{ type: 'docker-hub', name: '' }, /name is required/],
    ]
    for (const [body, message] of cases) {
      const res = await api.post('/api/v1/registries', { name: `bad-${randomId(4)}`, ...body }, { auth: admin })
      expect(res.status, `${JSON.stringify(body)}: ${res.describe()}`).toBe(400)
      expect(res.json().errors[0].message, JSON.stringify(body)).toMatch(message)
    }
    const name = `taken-${randomId(6)}`
    const first = await api.post('/api/v1/registries', { name, type: 'docker-hub' }, { auth: admin })
    expect(first.status).toBe(201)
    expect((await api.post('/api/v1/registries', { name, type: 'docker-hub' }, { auth: admin })).status).toBe(409)
    const item = `/api/v1/registries/${first.json().id}`
    for (const [body, message] of [
      [{}, /nothing to change/],
      [{ url: 'https://r.example?x' }, /must not have a query/],
      [{ username: 'alice' }, /password is required with username/],
      [{ password: 'lonely' }, /username is required with password/],
      [{ token: null, password: 'x' }, /null removes the credentials/],
    ] as const) {
      const res = await api.patch(item, body, { auth: admin })
      expect(res.status, `${JSON.stringify(body)}: ${res.describe()}`).toBe(400)
      expect(res.json().errors[0].message).toMatch(message)
    }
    expect((await api.get('/api/v1/registries/abc', { auth: admin })).status).toBe(400)
    expect(Number((await api.get('/api/v1/registries', { auth: admin })).header('x-total-count'))).toBe(before + 1)
  })
})

// Its own server: it is stopped, its database edited as an earlier version left it, and restarted.
describe.skipIf(!!process.env.REGISTRY_URL)('webhook secrets of an existing install', () => {
  const SECRET = 'a-secret-stored-in-clear-text-before'
  const AUTH = 'Bearer stored-in-clear-text-before'
  let server: RunningServer
  let db: TestDatabase | undefined
  let receiver: WebhookReceiver
  let policyId: number

  beforeAll(async () => {
    if (process.env.TEST_DATABASE === 'postgres') db = await createTestDatabase()
    server = await startRegistryServer({ databaseUrl: db?.url })
    receiver = await startWebhookReceiver()
    const auth = { user: server.adminUser, password: server.adminPassword }
    const res = await apiClient(server.url).post(
      `/api/v1/projects/${server.adminUser}/webhooks`,
      { name: 'legacy', eventTypes: ['PUSH_ARTIFACT'], targetUrl: `${receiver.url}/legacy`, secret: 'replaced-by-the-clear-text-one', authHeader: 'Bearer replaced' },
      { auth },
    )
    expect(res.status, res.describe()).toBe(201)
    policyId = res.json().id
  }, 300_000)
  afterAll(async () => {
    if (process.env.SHOW_SERVER_LOGS === '1') process.stderr.write(server?.logs() ?? '')
    await receiver?.close()
    await server?.dispose()
    await db?.drop()
  })

  /** Runs `edit` on the stopped server's database. */
  async function withDatabase<T>(edit: (prisma: ReturnType<typeof createPrisma>) => Promise<T>): Promise<T> {
    const prisma = createPrisma(server.databaseUrl)
    try {
      return await edit(prisma)
    } finally {
      await prisma.$disconnect()
      const target = parseDatabaseUrl(server.databaseUrl)
      if (target.kind === 'pglite') await closePglite(target.dataDir)
    }
  }

  it('seals clear-text secrets at start; deliveries are signed and authorized with them as before', async () => {
    await server.stop()
    // What the migration leaves of a policy saved by an earlier version: the values in clear text.
    await withDatabase((prisma) =>
      prisma.webhookPolicy.update({ where: { id: policyId }, data: { plaintextSecret: SECRET, plaintextAuthHeader: AUTH, secretEnvelope: null, authHeaderEnvelope: null } }),
    )
    await server.restart()
    const view = await apiClient(server.url).get(`/api/v1/projects/${server.adminUser}/webhooks/${policyId}`, { auth: { user: server.adminUser, password: server.adminPassword } })
    expect(view.json()).toMatchObject({ hasSecret: true, hasAuthHeader: true })
    expect(view.text).not.toContain(SECRET)

    await registryClient(server.url, { user: server.adminUser, password: server.adminPassword }).pushImage(`${server.adminUser}/sealed`, ociImage(), 'v1')
    const request = await receiver.waitFor((r) => r.path === '/legacy', 20_000)
    expect(request.headers.authorization).toBe(AUTH)
    expect(verifySignature(SECRET, String(request.headers['x-registry-timestamp']), request.body, String(request.headers['x-registry-signature-256']))).toBe(true)

    await server.stop()
    const row = await withDatabase((prisma) => prisma.webhookPolicy.findUniqueOrThrow({ where: { id: policyId } }))
    expect([row.plaintextSecret, row.plaintextAuthHeader]).toEqual([null, null])
    expect(row.secretEnvelope).toMatch(/^v1:/)
    expect(row.secretEnvelope).not.toContain(SECRET)
  })

  it('a server started with another key starts, and the deliveries it cannot sign fail saying why', async () => {
    const other = await startRegistryServer({
      dataDir: server.dataDir,
      databaseUrl: server.databaseUrl,
      env: { SECRET_KEY: `another-key-${randomId(24)}`, ADMIN_PASSWORD: server.adminPassword },
    })
    try {
      const auth = { user: other.adminUser, password: other.adminPassword }
      await registryClient(other.url, auth).pushImage(`${other.adminUser}/sealed`, ociImage(), 'v2')
      const path = `/api/v1/projects/${other.adminUser}/webhooks/${policyId}/deliveries?status=failed`
      let failed: { lastError: string | null }[] = []
      for (const deadline = Date.now() + 20_000; failed.length === 0 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
        failed = (await apiClient(other.url).get(path, { auth })).json()
      }
      expect(failed[0]?.lastError).toMatch(/encrypted with another key.*SECRET_KEY/)
    } finally {
      await other.stop()
    }
  })
})
