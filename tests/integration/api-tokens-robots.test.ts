// /api/v1 personal access tokens and robot accounts, over HTTP against the running server.
import { beforeAll, describe, expect, it } from 'vitest'
import { registryUnderTest } from '../support/context'
import { apiClient, type ApiCredentials } from '../support/api'
import { ociImage, randomId, registryClient } from '../support/oci'

const reg = registryUnderTest()
const api = apiClient(reg.url)
const admin: ApiCredentials = { user: reg.user, password: reg.password }
const ours = reg.flavour === 'ours'

describe.runIf(ours)('access tokens API', () => {
  let user: ApiCredentials

  beforeAll(async () => {
    user = await api.signup('tok')
  })

  it('create shows the secret once; list never shows it; the token works for Basic with its ceiling', async () => {
    const res = await api.post('/api/v1/users/me/tokens', { name: 'ci', permission: 'read', expiresInDays: 7 }, { auth: user })
    expect(res.status, res.describe()).toBe(201)
    const token = res.json()
    expect(token.secret).toMatch(/^hmp_[A-Za-z0-9_-]{43}$/)
    expect(res.header('location')).toMatch(new RegExp(`/api/v1/users/me/tokens/${token.id}$`))
    expect(token).toMatchObject({ name: 'ci', permission: 'read', expired: false })
    expect(Date.parse(token.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000)

    const list = await api.get('/api/v1/users/me/tokens', { auth: user })
    expect(list.status).toBe(200)
    expect(list.header('x-total-count')).toBe('1')
    expect(list.text).not.toContain(token.secret)
    expect(list.json()[0]).toEqual(expect.objectContaining({ id: token.id, name: 'ci', permission: 'read', lastUsedAt: null }))
    expect(list.json()[0].secret).toBeUndefined()
    expect(list.json()[0].secretHash).toBeUndefined()

    const viaToken = { user: user.user, password: token.secret }
    const me = await api.get('/api/v1/users/me', { auth: viaToken })
    expect(me.status, me.describe()).toBe(200)
    expect(me.json()).toMatchObject({ username: user.user, viaToken: true })
    expect((await api.get(`/api/v1/projects/${user.user}/repositories`, { auth: viaToken })).status).toBe(200)
    // Never management rights through a token.
    expect((await api.post('/api/v1/projects', { name: `t${randomId(8)}` }, { auth: viaToken })).status).toBe(403)
    expect((await api.post('/api/v1/users/me/tokens', { name: 'more', permission: 'readWriteDelete' }, { auth: viaToken })).status).toBe(403)
    expect((await api.get('/api/v1/users/me/tokens', { auth: viaToken })).status).toBe(403)
    expect((await api.put('/api/v1/users/me/password', { currentPassword: user.password, newPassword: 'a-valid-new-passphrase' }, { auth: viaToken })).status).toBe(403)
    expect((await api.post(`/api/v1/projects/${user.user}/repositories`, { name: 'nope' }, { auth: viaToken })).status).toBe(403)
    // The secret is in no later response, the audit log included.
    const audit = await api.get(`/api/v1/audit-logs?actor=${user.user}&page_size=100`, { auth: admin })
    expect(audit.text).not.toContain(token.secret)
    expect(audit.json().some((e: { action: string }) => e.action === 'token.create')).toBe(true)
  })

  it('validation: name, permission, expiry; duplicate names 409', async () => {
    const post = (body: unknown) => api.post('/api/v1/users/me/tokens', body, { auth: user })
    expect((await post({ name: '', permission: 'read' })).status).toBe(400)
    expect((await post({ name: 'x', permission: 'admin' })).status).toBe(400)
    expect((await post({ name: 'x', permission: 'read', expiresInDays: 0 })).status).toBe(400)
    expect((await post({ name: 'x', permission: 'read', expiresAt: '2001-01-01T00:00:00Z' })).status).toBe(400)
    expect((await post({ name: 'x', permission: 'read', isAdmin: true })).status).toBe(400)
    expect((await post({ name: 'dup', permission: 'readWrite' })).status).toBe(201)
    expect((await post({ name: 'dup', permission: 'readWrite' })).status).toBe(409)
    expect((await api.post('/api/v1/users/me/tokens', { name: 'anon', permission: 'read' })).status).toBe(401)
  })

  it('revoke: 204, then the token stops working on /api/v1 and /v2; another user cannot revoke it', async () => {
    const created = (await api.post('/api/v1/users/me/tokens', { name: `rv${randomId(4)}`, permission: 'readWrite' }, { auth: user })).json()
    const viaToken = { user: user.user, password: created.secret }
    const repo = `${user.user}/tok-${randomId(6)}`
    const client = registryClient(reg.url, viaToken)
    expect((await client.pushImage(repo, ociImage(), 'v1')).status).toBe(201)
    expect((await api.get('/api/v1/users/me', { auth: viaToken })).status).toBe(200)

    const other = await api.signup('tok')
    expect((await api.delete(`/api/v1/users/me/tokens/${created.id}`, { auth: other })).status).toBe(404)
    expect((await api.delete(`/api/v1/users/me/tokens/${created.id}`, { auth: admin })).status).toBe(404)
    expect((await api.delete('/api/v1/users/me/tokens/abc', { auth: user })).status).toBe(400)
    expect((await api.delete(`/api/v1/users/me/tokens/${created.id}`, { auth: user })).status).toBe(204)
    expect((await api.delete(`/api/v1/users/me/tokens/${created.id}`, { auth: user })).status).toBe(404)

    expect((await api.get('/api/v1/users/me', { auth: viaToken })).status).toBe(401)
    const pull = await registryClient(reg.url, viaToken).request('GET', `/v2/${repo}/manifests/v1`)
    expect(pull.status, pull.describe()).toBe(401)
    const audit = await api.get(`/api/v1/audit-logs?action=token.revoke&actor=${user.user}`, { auth: admin })
    expect(audit.json()).toHaveLength(1)
  })
})

describe.runIf(ours)('robot accounts API', () => {
  let owner: ApiCredentials
  let dev: ApiCredentials
  let project: string
  let otherProject: string

  beforeAll(async () => {
    owner = await api.signup('rob')
    dev = await api.signup('rdev')
    project = `rp${randomId(8)}`
    otherProject = `ro${randomId(8)}`
    expect((await api.post('/api/v1/projects', { name: project }, { auth: owner })).status).toBe(201)
    expect((await api.post('/api/v1/projects', { name: otherProject }, { auth: dev })).status).toBe(201)
    expect((await api.post(`/api/v1/projects/${project}/members`, { username: dev.user, role: 'developer' }, { auth: owner })).status).toBe(201)
    expect((await api.post(`/api/v1/projects/${otherProject}/members`, { username: owner.user, role: 'developer' }, { auth: dev })).status).toBe(201)
  })

  it('create: robot$<project>+<name>, secret once, default expiry 30 days; works for /v2 and read-only /api/v1', async () => {
    const res = await api.post(`/api/v1/projects/${project}/robots`, { name: 'ci', actions: ['pull', 'push'], description: 'builds' }, { auth: owner })
    expect(res.status, res.describe()).toBe(201)
    const robot = res.json()
    expect(robot.name).toBe(`robot$${project}+ci`)
    expect(robot.secret).toMatch(/^hmr_/)
    expect(res.header('location')).toMatch(new RegExp(`/api/v1/projects/${project}/robots/${robot.id}$`))
    expect(robot.permissions).toEqual([{ project, actions: ['pull', 'push'] }])
    const days = (Date.parse(robot.expiresAt) - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(29.9)
    expect(days).toBeLessThan(30.1)

    const creds = { user: robot.name, password: robot.secret }
    const client = registryClient(reg.url, creds)
    expect((await client.pushImage(`${project}/app`, ociImage(), 'v1')).status).toBe(201)
    expect((await client.request('DELETE', `/v2/${project}/app/manifests/v1`)).status).toBeGreaterThanOrEqual(401)
    expect((await api.get(`/api/v1/projects/${project}/repositories`, { auth: creds })).status).toBe(200)
    // A robot never manages anything, nor sees projects it has no grant on.
    expect((await api.post(`/api/v1/projects/${project}/members`, { username: dev.user, role: 'guest' }, { auth: creds })).status).toBe(403)
    expect((await api.post(`/api/v1/projects/${project}/robots`, { name: 'child', actions: ['pull'] }, { auth: creds })).status).toBe(403)
    expect((await api.get(`/api/v1/projects/${otherProject}/repositories`, { auth: creds })).status).toBe(404)
    expect((await api.get('/api/v1/users/me', { auth: creds })).status).toBe(403)

    const list = await api.get(`/api/v1/projects/${project}/robots`, { auth: owner })
    expect(list.status).toBe(200)
    expect(list.header('x-total-count')).toBe('1')
    expect(list.text).not.toContain(robot.secret)
    expect((await api.get(`/api/v1/projects/${project}/robots`, { auth: dev })).status).toBe(403)
  })

  it('never: expiresInDays -1; validation errors are 400; duplicate names 409', async () => {
    const forever = await api.post(`/api/v1/projects/${project}/robots`, { name: 'forever', actions: ['pull'], expiresInDays: -1 }, { auth: owner })
    expect(forever.status, forever.describe()).toBe(201)
    expect(forever.json().expiresAt).toBeNull()
    const post = (body: unknown) => api.post(`/api/v1/projects/${project}/robots`, body, { auth: owner })
    expect((await post({ name: 'forever', actions: ['pull'] })).status).toBe(409)
    expect((await post({ name: 'bad+name', actions: ['pull'] })).status).toBe(400)
    expect((await post({ name: 'x', actions: [] })).status).toBe(400)
    expect((await post({ name: 'x', actions: ['pull', 'admin'] })).status).toBe(400)
    expect((await post({ name: 'x', actions: ['pull'], expiresInDays: 0 })).status).toBe(400)
    expect((await post({ name: 'x', actions: ['pull'], permissions: [{ project: otherProject, actions: ['pull'] }] })).status).toBe(400)
  })

  it('refused: by a developer, on another project, or with more rights than the creator (403); nothing created', async () => {
    expect((await api.post(`/api/v1/projects/${project}/robots`, { name: 'devbot', actions: ['pull'] }, { auth: dev })).status).toBe(403)
    // owner is only a developer in otherProject: may not manage its robots at all.
    expect((await api.post(`/api/v1/projects/${otherProject}/robots`, { name: 'sneaky', actions: ['pull'] }, { auth: owner })).status).toBe(403)
    // System robots over projects: system admins only.
    const sys = await api.post('/api/v1/robots', { name: `s${randomId(6)}`, permissions: [{ project, actions: ['pull'] }] }, { auth: owner })
    expect(sys.status).toBe(403)
    expect((await api.get(`/api/v1/projects/${otherProject}/robots`, { auth: dev })).json()).toEqual([])
    // A project admin demoted to developer can no longer create robots (subset of the creator's rights is re-checked server-side).
    expect((await api.get(`/api/v1/projects/${project}/robots?page_size=100`, { auth: owner })).json().every((r: { name: string }) => r.name.startsWith(`robot$${project}+`))).toBe(
      true,
    )
  })

  it('robots of one project are not reachable through another project URL', async () => {
    const theirs = (await api.post(`/api/v1/projects/${otherProject}/robots`, { name: 'own', actions: ['pull'] }, { auth: dev })).json()
    expect((await api.patch(`/api/v1/projects/${project}/robots/${theirs.id}`, { disabled: true }, { auth: owner })).status).toBe(404)
    expect((await api.delete(`/api/v1/projects/${project}/robots/${theirs.id}`, { auth: owner })).status).toBe(404)
    const still = await api.get(`/api/v1/projects/${otherProject}/robots`, { auth: dev })
    expect(still.json()).toEqual([expect.objectContaining({ id: theirs.id, disabled: false })])
  })

  it('refresh secret, disable, delete (audited)', async () => {
    const robot = (await api.post(`/api/v1/projects/${project}/robots`, { name: `r${randomId(5)}`, actions: ['pull'] }, { auth: owner })).json()
    const old = { user: robot.name, password: robot.secret }
    expect((await api.get(`/api/v1/projects/${project}/repositories`, { auth: old })).status).toBe(200)
    const refreshed = await api.patch(`/api/v1/projects/${project}/robots/${robot.id}`, { refreshSecret: true }, { auth: owner })
    expect(refreshed.status, refreshed.describe()).toBe(200)
    const secret = refreshed.json().secret
    expect(secret).toMatch(/^hmr_/)
    expect(secret).not.toBe(robot.secret)
    expect((await api.get(`/api/v1/projects/${project}/repositories`, { auth: old })).status).toBe(401)
    const fresh = { user: robot.name, password: secret }
    expect((await api.get(`/api/v1/projects/${project}/repositories`, { auth: fresh })).status).toBe(200)
    expect((await api.patch(`/api/v1/projects/${project}/robots/${robot.id}`, { disabled: true }, { auth: dev })).status).toBe(403)
    const disabled = await api.patch(`/api/v1/projects/${project}/robots/${robot.id}`, { disabled: true }, { auth: owner })
    expect(disabled.json()).toMatchObject({ disabled: true })
    expect(disabled.json().secret).toBeUndefined()
    expect((await api.get(`/api/v1/projects/${project}/repositories`, { auth: fresh })).status).toBe(401)
    expect((await api.patch(`/api/v1/projects/${project}/robots/${robot.id}`, {}, { auth: owner })).status).toBe(400)
    expect((await api.delete(`/api/v1/projects/${project}/robots/${robot.id}`, { auth: owner })).status).toBe(204)
    expect((await api.delete(`/api/v1/projects/${project}/robots/${robot.id}`, { auth: owner })).status).toBe(404)
    const audit = await api.get(`/api/v1/projects/${project}/audit-logs?resource_type=robot&page_size=100`, { auth: owner })
    const actions = audit
      .json()
      .filter((e: { resource: string }) => e.resource === robot.name)
      .map((e: { action: string }) => e.action)
    expect(actions).toEqual(['robot.delete', 'robot.disable', 'robot.refresh', 'robot.create'])
  })

  it('system robots: admin creates one over several projects; it works in those only', async () => {
    const name = `sys${randomId(6)}`
    const res = await api.post(
      '/api/v1/robots',
      {
        name,
        permissions: [
          { project, actions: ['pull'] },
          { project: otherProject, actions: ['pull', 'push'] },
        ],
      },
      { auth: admin },
    )
    expect(res.status, res.describe()).toBe(201)
    const robot = res.json()
    expect(robot.name).toBe(`robot$${name}`)
    expect(robot.project).toBeNull()
    expect(res.header('location')).toMatch(new RegExp(`/api/v1/robots/${robot.id}$`))
    const creds = { user: robot.name, password: robot.secret }
    expect((await api.get(`/api/v1/projects/${project}/repositories`, { auth: creds })).status).toBe(200)
    expect((await api.get(`/api/v1/projects/${otherProject}/repositories`, { auth: creds })).status).toBe(200)
    expect((await api.get(`/api/v1/projects/${owner.user}/repositories`, { auth: creds })).status).toBe(404)
    const list = await api.get('/api/v1/robots?page_size=100', { auth: admin })
    expect(list.json().some((r: { id: number }) => r.id === robot.id)).toBe(true)
    expect((await api.get('/api/v1/robots', { auth: owner })).status).toBe(403)
    expect((await api.post('/api/v1/robots', { name: `x${randomId(5)}`, permissions: [{ project: `nosuch${randomId(5)}`, actions: ['pull'] }] }, { auth: admin })).status).toBe(404)
    expect((await api.post('/api/v1/robots', { name: `x${randomId(5)}`, permissions: [] }, { auth: admin })).status).toBe(400)
    expect((await api.patch(`/api/v1/robots/${robot.id}`, { disabled: true }, { auth: admin })).status).toBe(200)
    expect((await api.delete(`/api/v1/robots/${robot.id}`, { auth: admin })).status).toBe(204)
  })
})
