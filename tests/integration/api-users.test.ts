// /api/v1 users, settings and the CSRF rule, over HTTP against the running server.
import { beforeAll, describe, expect, it } from 'vitest'
import { registryUnderTest } from '../support/context'
import { apiClient, type ApiCredentials } from '../support/api'
import { randomId } from '../support/oci'

const reg = registryUnderTest()
const api = apiClient(reg.url)
const admin: ApiCredentials = { user: reg.user, password: reg.password }
const ours = reg.flavour === 'ours'

describe.runIf(ours)('users API', () => {
  let alice: ApiCredentials & { email: string }

  beforeAll(async () => {
    alice = await api.signup('alice')
  })

  it('signup creates the user and a private personal project with the user as project admin', async () => {
    const username = `bob${randomId(8)}`
    const res = await api.post('/api/v1/users', { username, email: `${username}@example.test`, password: 'long-enough-1' })
    expect(res.status, res.describe()).toBe(201)
    expect(res.header('location')).toMatch(new RegExp(`/api/v1/users/${username}$`))
    const user = res.json()
    expect(user).toMatchObject({ username, isAdmin: false, email: `${username}@example.test` })
    expect(user.passwordHash).toBeUndefined()
    const project = await api.get(`/api/v1/projects/${username}`, { auth: { user: username, password: 'long-enough-1' } })
    expect(project.status, project.describe()).toBe(200)
    expect(project.json()).toMatchObject({ name: username, public: false, role: 'projectAdmin' })
    // Private: another user does not see it.
    expect((await api.get(`/api/v1/projects/${username}`, { auth: alice })).status).toBe(404)
  })

  it('signup with isAdmin in the body does not make an admin', async () => {
    const username = `mallory${randomId(8)}`
    const password = 'long-enough-2'
    const res = await api.post('/api/v1/users', { username, email: `${username}@example.test`, password, isAdmin: true, is_admin: true, admin: true })
    expect(res.status, res.describe()).toBe(201)
    expect(res.json().isAdmin).toBe(false)
    const me = await api.get('/api/v1/users/me', { auth: { user: username, password } })
    expect(me.json().isAdmin).toBe(false)
    expect((await api.get('/api/v1/users', { auth: { user: username, password } })).status).toBe(403)
  })

  it('signup validates its input with 400 and a clear message', async () => {
    const cases: [unknown, RegExp][] = [
      [{ username: 'Upper', email: 'a@example.test', password: 'long-enough-pw' }, /username/],
      [{ username: 'a', email: 'a@example.test', password: 'long-enough-pw' }, /username/],
      [{ username: 'a--b', email: 'a@example.test', password: 'long-enough-pw' }, /username/],
      [{ username: `x${randomId(6)}`, email: 'not-an-email', password: 'long-enough-pw' }, /email/],
      [{ username: `x${randomId(6)}`, email: 'a@example.test', password: 'short' }, /password/],
      [{ email: 'a@example.test', password: 'long-enough-pw' }, /username/],
    ]
    for (const [body, message] of cases) {
      const res = await api.post('/api/v1/users', body)
      expect(res.status, res.describe()).toBe(400)
      expect(res.errorCode()).toBe('BAD_REQUEST')
      expect(res.json().errors[0].message).toMatch(message)
    }
    const notJson = await api.request('POST', '/api/v1/users', undefined, { raw: '{nope', headers: { 'content-type': 'application/json' } })
    expect(notJson.status).toBe(400)
    const form = await api.request('POST', '/api/v1/users', undefined, { raw: 'username=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expect(form.status).toBe(415)
  })

  it('signup holds passwords to the policy: length, common passwords, the username', async () => {
    const username = `policy${randomId(8)}`
    const cases: [string, RegExp][] = [
      ['password', /at least 12/],
      ['password1234', /too common/],
      ['qwertyuiop123!', /too common/],
      [`${username}`, /username|at least 12/],
      [`${username}2024`, /username/],
    ]
    for (const [password, message] of cases) {
      const res = await api.post('/api/v1/users', { username, email: `${username}@example.test`, password })
      expect(res.status, res.describe()).toBe(400)
      expect(res.json().errors[0].message).toMatch(message)
    }
    const ok = await api.post('/api/v1/users', { username, email: `${username}@example.test`, password: 'a quiet harbour at dawn' })
    expect(ok.status, ok.describe()).toBe(201)
  })

  it('refuses a taken username, a name taken by a project, and a taken email (409)', async () => {
    expect((await api.post('/api/v1/users', { username: alice.user, email: `other${randomId(5)}@example.test`, password: 'long-enough-pw' })).status).toBe(409)
    expect((await api.post('/api/v1/users', { username: `z${randomId(6)}`, email: alice.email, password: 'long-enough-pw' })).status).toBe(409)
    const projectName = `proj${randomId(8)}`
    expect((await api.post('/api/v1/projects', { name: projectName }, { auth: alice })).status).toBe(201)
    const clash = await api.post('/api/v1/users', { username: projectName, email: `${projectName}@example.test`, password: 'long-enough-pw' })
    expect(clash.status, clash.describe()).toBe(409)
    expect(clash.errorCode()).toBe('CONFLICT')
  })

  it('GET /users/me: 200 with credentials, 401 anonymous or with a wrong password', async () => {
    const me = await api.get('/api/v1/users/me', { auth: alice })
    expect(me.status).toBe(200)
    expect(me.json()).toMatchObject({ username: alice.user, isAdmin: false, viaToken: false })
    const anon = await api.get('/api/v1/users/me')
    expect(anon.status).toBe(401)
    expect(anon.json()).toEqual({ errors: [expect.objectContaining({ code: 'UNAUTHORIZED', message: expect.any(String) })] })
    expect((await api.get('/api/v1/users/me', { auth: { user: alice.user, password: 'wrong-password' } })).status).toBe(401)
  })

  it('password change needs the current password', async () => {
    const carol = await api.signup('carol')
    const wrong = await api.put('/api/v1/users/me/password', { currentPassword: 'not-it-at-all', newPassword: 'carol-new-secret-1' }, { auth: carol })
    expect(wrong.status, wrong.describe()).toBe(400)
    const weak = await api.put('/api/v1/users/me/password', { currentPassword: carol.password, newPassword: 'short' }, { auth: carol })
    expect(weak.status).toBe(400)
    const common = await api.put('/api/v1/users/me/password', { currentPassword: carol.password, newPassword: 'password1234' }, { auth: carol })
    expect(common.status, common.describe()).toBe(400)
    expect(common.json().errors[0].message).toMatch(/too common/)
    const same = await api.put('/api/v1/users/me/password', { currentPassword: carol.password, newPassword: carol.password }, { auth: carol })
    expect(same.status, same.describe()).toBe(400)
    expect(same.json().errors[0].message).toMatch(/differ from the current/)
    const ok = await api.put('/api/v1/users/me/password', { currentPassword: carol.password, newPassword: 'carol-new-secret-1' }, { auth: carol })
    expect(ok.status, ok.describe()).toBe(204)
    expect((await api.get('/api/v1/users/me', { auth: { user: carol.user, password: 'carol-new-secret-1' } })).status).toBe(200)
    expect((await api.get('/api/v1/users/me', { auth: carol })).status).toBe(401)
  })

  it('admin lists users with Harbor pagination; others get 403', async () => {
    for (let i = 0; i < 3; i++) await api.signup('pg')
    const first = await api.get('/api/v1/users?page=1&page_size=2', { auth: admin })
    expect(first.status, first.describe()).toBe(200)
    expect(first.json()).toHaveLength(2)
    const total = Number(first.header('x-total-count'))
    expect(total).toBeGreaterThanOrEqual(5)
    expect(first.header('link')).toContain('rel="next"')
    expect(first.header('link')).not.toContain('rel="prev"')
    expect(first.header('link')).toContain('page=2')
    const second = await api.get('/api/v1/users?page=2&page_size=2', { auth: admin })
    expect(second.header('link')).toContain('rel="prev"')
    expect(second.json()[0].username).not.toBe(first.json()[0].username)
    const filtered = await api.get(`/api/v1/users?q=${alice.user}`, { auth: admin })
    expect(filtered.json().map((u: { username: string }) => u.username)).toEqual([alice.user])
    expect((await api.get('/api/v1/users', { auth: alice })).status).toBe(403)
    expect((await api.get('/api/v1/users')).status).toBe(401)
    expect((await api.get('/api/v1/users?page_size=101', { auth: admin })).status).toBe(400)
    expect((await api.get('/api/v1/users?page=0', { auth: admin })).status).toBe(400)
  })

  it('PATCH /users/{name} sets isAdmin for system admins only', async () => {
    const dave = await api.signup('dave')
    const denied = await api.patch(`/api/v1/users/${dave.user}`, { isAdmin: true }, { auth: alice })
    expect(denied.status).toBe(403)
    expect((await api.get('/api/v1/users/me', { auth: dave })).json().isAdmin).toBe(false)
    const self = await api.patch(`/api/v1/users/${alice.user}`, { isAdmin: true }, { auth: alice })
    expect(self.status).toBe(403)
    const ok = await api.patch(`/api/v1/users/${dave.user}`, { isAdmin: true }, { auth: admin })
    expect(ok.status, ok.describe()).toBe(200)
    expect(ok.json().isAdmin).toBe(true)
    expect((await api.get('/api/v1/users', { auth: dave })).status).toBe(200)
    expect((await api.patch(`/api/v1/users/${dave.user}`, { isAdmin: false }, { auth: admin })).json().isAdmin).toBe(false)
    expect((await api.patch(`/api/v1/users/nosuch${randomId(6)}`, { isAdmin: true }, { auth: admin })).status).toBe(404)
    expect((await api.patch(`/api/v1/users/${dave.user}`, { isAdmin: 'yes' }, { auth: admin })).status).toBe(400)
  })

  it('settings: admin only; signup disabled refuses signups', async () => {
    expect((await api.get('/api/v1/settings', { auth: alice })).status).toBe(403)
    expect((await api.put('/api/v1/settings', { signupEnabled: false }, { auth: alice })).status).toBe(403)
    expect((await api.get('/api/v1/settings', { auth: admin })).json()).toEqual({ signupEnabled: true, mirrorProject: null, defaultStorageLimit: -1, quotaWarningPercent: 85 })
    const off = await api.put('/api/v1/settings', { signupEnabled: false }, { auth: admin })
    expect(off.status, off.describe()).toBe(200)
    expect(off.json()).toEqual({ signupEnabled: false, mirrorProject: null, defaultStorageLimit: -1, quotaWarningPercent: 85 })
    try {
      const username = `late${randomId(8)}`
      const refused = await api.post('/api/v1/users', { username, email: `${username}@example.test`, password: 'long-enough-pw' })
      expect(refused.status, refused.describe()).toBe(403)
      expect(refused.json().errors[0].message).toMatch(/signup is disabled/)
      // A system admin may still create accounts.
      const byAdmin = await api.post('/api/v1/users', { username, email: `${username}@example.test`, password: 'long-enough-pw' }, { auth: admin })
      expect(byAdmin.status, byAdmin.describe()).toBe(201)
      expect(byAdmin.json().isAdmin).toBe(false)
    } finally {
      expect((await api.put('/api/v1/settings', { signupEnabled: true }, { auth: admin })).status).toBe(200)
    }
    expect((await api.put('/api/v1/settings', { signupEnabled: 'no' }, { auth: admin })).status).toBe(400)
    expect((await api.put('/api/v1/settings', { other: 1 }, { auth: admin })).status).toBe(400)
  })
})

describe.runIf(ours)('session cookie and CSRF', () => {
  let erin: ApiCredentials
  let cookie: string

  beforeAll(async () => {
    erin = await api.signup('erin')
    cookie = await api.login(erin)
  })

  it('the session cookie authenticates API requests', async () => {
    const me = await api.get('/api/v1/users/me', { auth: { cookie } })
    expect(me.status, me.describe()).toBe(200)
    expect(me.json().username).toBe(erin.user)
  })

  it('a cookie-authenticated POST without a same-origin Origin is refused and changes nothing', async () => {
    const name = `csrf${randomId(8)}`
    const noOrigin = await api.post('/api/v1/projects', { name }, { auth: { cookie }, headers: { origin: '' } })
    expect(noOrigin.status, noOrigin.describe()).toBe(403)
    const foreign = await api.post('/api/v1/projects', { name }, { auth: { cookie }, headers: { origin: 'https://evil.example' } })
    expect(foreign.status).toBe(403)
    const crossSite = await api.post('/api/v1/projects', { name }, { auth: { cookie }, headers: { origin: '', 'sec-fetch-site': 'cross-site' } })
    expect(crossSite.status).toBe(403)
    expect((await api.get(`/api/v1/projects/${name}`, { auth: erin })).status).toBe(404)
    const del = await api.delete(`/api/v1/projects/${erin.user}`, { auth: { cookie }, headers: { origin: 'http://evil.example' } })
    expect(del.status).toBe(403)
    expect((await api.get(`/api/v1/projects/${erin.user}`, { auth: erin })).status).toBe(200)
  })

  it('a same-origin cookie-authenticated POST works (Origin or Sec-Fetch-Site)', async () => {
    const name = `csrf${randomId(8)}`
    const ok = await api.post('/api/v1/projects', { name }, { auth: { cookie } })
    expect(ok.status, ok.describe()).toBe(201)
    const other = `csrf${randomId(8)}`
    const viaFetchSite = await api.post('/api/v1/projects', { name: other }, { auth: { cookie }, headers: { origin: '', 'sec-fetch-site': 'same-origin' } })
    expect(viaFetchSite.status, viaFetchSite.describe()).toBe(201)
  })

  it('Basic-authenticated requests need no Origin', async () => {
    const res = await api.post('/api/v1/projects', { name: `basic${randomId(8)}` }, { auth: erin })
    expect(res.status).toBe(201)
  })
})
