// Every GET of /api/v1 answers exactly what its OpenAPI response schema says (lib/api/openapi.ts
// ROUTES): the body parses, and parsing drops nothing (no field the document does not describe).
// Tested over HTTP against the running server, in a public project holding one image.
import { beforeAll, describe, expect, it } from 'vitest'
import { ROUTES } from '../../lib/api/openapi'
import { registryUnderTest } from '../support/context'
import { apiClient, type ApiCredentials } from '../support/api'
import { ociImage, randomId, registryClient } from '../support/oci'

const reg = registryUnderTest()
const api = apiClient(reg.url)
const admin: ApiCredentials = { user: reg.user, password: reg.password }
const ours = reg.flavour === 'ours'

describe.runIf(ours)('response shapes', () => {
  const repository = `shape-${randomId(8)}`
  let values: Record<string, string>
  let systemValues: Record<string, string>
  let registryValues: Record<string, string>
  let gcValues: Record<string, string>
  let retentionValues: Record<string, string>

  beforeAll(async () => {
    const project = reg.accounts!.publicProject
    // Something in every list: a repository created through the API (an entry in the project's audit
    // log) holding one image, an access token and a system robot.
    const created = await api.post(`/api/v1/projects/${project}/repositories`, { name: repository, description: 'shapes' }, { auth: admin })
    expect(created.status, created.describe()).toBe(201)
    await registryClient(reg.url, reg.accounts!.owner).pushImage(`${project}/${repository}`, ociImage(), 'v1')
    const token = await api.post('/api/v1/users/me/tokens', { name: `shape-${randomId(6)}`, permission: 'read' }, { auth: admin })
    expect(token.status, token.describe()).toBe(201)
    const robot = await api.post('/api/v1/robots', { name: `shape-${randomId(6)}`, permissions: [{ project, actions: ['pull'] }] }, { auth: admin })
    expect(robot.status, robot.describe()).toBe(201)
    // A webhook policy with one delivery (a test event to a closed port), in the project and system-wide.
    const webhook = async (base: string) => {
      const policy = await api.post(
        base,
        { name: `shape-${randomId(6)}`, eventTypes: ['DELETE_TAG'], targetUrl: 'http://127.0.0.1:9/', repositoryFilter: 'none/none' },
        { auth: admin },
      )
      expect(policy.status, policy.describe()).toBe(201)
      const id = String(policy.json().id)
      const test = await api.post(`${base}/${id}/test`, {}, { auth: admin })
      expect(test.status, test.describe()).toBe(202)
      return { id, deliveryId: test.json().id as string }
    }
    values = { project, repository, reference: 'v1', ...(await webhook(`/api/v1/projects/${project}/webhooks`)) }
    systemValues = { ...values, ...(await webhook('/api/v1/webhooks')) }
    // A registry endpoint with credentials (which its shape reports without the password).
    const endpoint = await api.post(
      '/api/v1/registries',
      { name: `shape-${randomId(6)}`, type: 'harbor', url: 'https://harbor.example', username: 'u', password: 'p' },
      { auth: admin },
    )
    expect(endpoint.status, endpoint.describe()).toBe(201)
    registryValues = { id: String(endpoint.json().id) }
    // A garbage collection (a dry run: it deletes nothing), an immutability rule that matches nothing,
    // and a retention dry run.
    const gc = await api.post('/api/v1/system/gc', { dryRun: true, deleteUntagged: false }, { auth: admin })
    expect(gc.status, gc.describe()).toBe(202)
    gcValues = { id: String(gc.json().id) }
    const rule = await api.post(`/api/v1/projects/${project}/immutable-rules`, { repositories: `shape-none-${randomId(6)}`, tags: 'none' }, { auth: admin })
    expect(rule.status, rule.describe()).toBe(201)
    const retention = await api.post(`/api/v1/projects/${project}/retention/runs`, { dryRun: true }, { auth: admin })
    expect(retention.status, retention.describe()).toBe(202)
    retentionValues = { ...values, id: String(retention.json().id) }
  })

  const gets = ROUTES.filter((route) => route.method === 'get')

  it.each(gets.map((route) => [route.path, route] as const))('GET %s', async (_path, route) => {
    const given = route.path.startsWith('/api/v1/webhooks')
      ? systemValues
      : route.path.startsWith('/api/v1/registries')
        ? registryValues
        : route.path.startsWith('/api/v1/system/gc')
          ? gcValues
          : route.path.includes('/retention/runs')
            ? retentionValues
            : values
    const path = route.path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(given[name]))
    const res = await api.get(route.path === '/api/v1/search' ? `${path}?q=shape` : path, { auth: admin })
    expect(res.status, res.describe()).toBe(200)
    const body = res.json()
    if (Array.isArray(body)) expect(body.length, `${route.path} should list something to check`).toBeGreaterThan(0)
    expect(route.response!.parse(body)).toEqual(body)
  })
})
