// Dashboard sessions are server-side records: a copied session cookie stops working after logout,
// after a password change (other sessions only), after an administrator ends them, and when the
// user is disabled or deleted. Disabled users cannot use passwords or access tokens either.
import { beforeAll, describe, expect, it } from 'vitest'
import { registryUnderTest } from '../support/context'
import { apiClient, type ApiCredentials } from '../support/api'

const reg = registryUnderTest()
const api = apiClient(reg.url)
const admin: ApiCredentials = { user: reg.user, password: reg.password }
const ours = reg.flavour === 'ours'

async function works(cookie: string): Promise<boolean> {
  const res = await api.get('/api/v1/users/me', { auth: { cookie } })
  expect([200, 401]).toContain(res.status)
  return res.status === 200
}

describe.runIf(ours)('session revocation', () => {
  beforeAll(async () => {
    // Signup may have been switched off by another file's test; this file needs it on.
    expect((await api.put('/api/v1/settings', { signupEnabled: true }, { auth: admin })).status).toBe(200)
  })

  it('logout ends the session on the server: a copy of the cookie stops working', async () => {
    const user = await api.signup('logout')
    const cookie = await api.login(user)
    const copy = cookie
    const other = await api.login(user)
    expect(await works(copy)).toBe(true)
    await api.logout(cookie)
    expect(await works(copy)).toBe(false)
    // Only that session: another sign-in of the same user is untouched.
    expect(await works(other)).toBe(true)
    // The copied cookie cannot mint an access token either.
    const minted = await api.post('/api/v1/users/me/tokens', { name: 'stolen', permission: 'readWriteDelete' }, { auth: { cookie: copy } })
    expect(minted.status, minted.describe()).toBe(401)
  })

  it('a password change ends every other session and keeps the one that made it', async () => {
    const user = await api.signup('pwchange')
    const current = await api.login(user)
    const stolen = await api.login(user)
    const res = await api.put('/api/v1/users/me/password', { currentPassword: user.password, newPassword: 'a-new-secret-for-pwchange' }, { auth: { cookie: current } })
    expect(res.status, res.describe()).toBe(204)
    expect(await works(current)).toBe(true)
    expect(await works(stolen)).toBe(false)
  })

  it('a password change with Basic credentials ends every session', async () => {
    const user = await api.signup('pwbasic')
    const cookie = await api.login(user)
    const res = await api.put('/api/v1/users/me/password', { currentPassword: user.password, newPassword: 'a-new-secret-for-pwbasic' }, { auth: user })
    expect(res.status, res.describe()).toBe(204)
    expect(await works(cookie)).toBe(false)
  })

  it("an administrator ends a user's sessions (DELETE /users/{name}/sessions); others may not", async () => {
    const user = await api.signup('revoked')
    const cookie = await api.login(user)
    const bystander = await api.signup('bystander')
    expect((await api.delete(`/api/v1/users/${user.user}/sessions`, { auth: bystander })).status).toBe(403)
    expect(await works(cookie)).toBe(true)
    const res = await api.delete(`/api/v1/users/${user.user}/sessions`, { auth: admin })
    expect(res.status, res.describe()).toBe(204)
    expect(await works(cookie)).toBe(false)
    // The password still works: signing in again gives a new session.
    expect(await works(await api.login(user))).toBe(true)
    expect((await api.delete('/api/v1/users/nosuchuser0/sessions', { auth: admin })).status).toBe(404)
  })

  it('a disabled user loses sessions, password and tokens at once; enabling restores the password', async () => {
    const user = await api.signup('disabled')
    const cookie = await api.login(user)
    const token = await api.post('/api/v1/users/me/tokens', { name: 'cli', permission: 'read' }, { auth: user })
    expect(token.status, token.describe()).toBe(201)
    const tokenAuth = { user: user.user, password: token.json().secret as string }
    expect((await api.get('/api/v1/users/me', { auth: tokenAuth })).status).toBe(200)

    const off = await api.patch(`/api/v1/users/${user.user}`, { disabled: true }, { auth: admin })
    expect(off.status, off.describe()).toBe(200)
    expect(off.json()).toMatchObject({ username: user.user, disabled: true })
    expect(await works(cookie)).toBe(false)
    expect((await api.get('/api/v1/users/me', { auth: user })).status).toBe(401)
    expect((await api.get('/api/v1/users/me', { auth: tokenAuth })).status).toBe(401)
    expect((await api.get('/v2/', { auth: user })).status).toBe(401)
    await expect(api.login(user)).rejects.toThrow(/login failed/)

    expect((await api.patch(`/api/v1/users/${user.user}`, { disabled: false }, { auth: admin })).json().disabled).toBe(false)
    expect((await api.get('/api/v1/users/me', { auth: user })).status).toBe(200)
    // The old session stays over.
    expect(await works(cookie)).toBe(false)
  })

  it('an administrator resets a password: the old one and all sessions stop working', async () => {
    const user = await api.signup('reset')
    const cookie = await api.login(user)
    const weak = await api.patch(`/api/v1/users/${user.user}`, { password: 'password' }, { auth: admin })
    expect(weak.status, weak.describe()).toBe(400)
    const res = await api.patch(`/api/v1/users/${user.user}`, { password: 'reset-by-the-admin-42' }, { auth: admin })
    expect(res.status, res.describe()).toBe(200)
    expect(await works(cookie)).toBe(false)
    expect((await api.get('/api/v1/users/me', { auth: user })).status).toBe(401)
    expect((await api.get('/api/v1/users/me', { auth: { user: user.user, password: 'reset-by-the-admin-42' } })).status).toBe(200)
  })

  it('a deleted user loses sessions and credentials; and the personal project stays', async () => {
    const user = await api.signup('deleted')
    const cookie = await api.login(user)
    expect((await api.delete(`/api/v1/users/${user.user}`, { auth: user })).status).toBe(403)
    const res = await api.delete(`/api/v1/users/${user.user}`, { auth: admin })
    expect(res.status, res.describe()).toBe(204)
    expect(await works(cookie)).toBe(false)
    expect((await api.get('/api/v1/users/me', { auth: user })).status).toBe(401)
    expect((await api.get(`/api/v1/projects/${user.user}`, { auth: admin })).status).toBe(200)
    // The name stays taken by the project: nobody can sign up as the deleted user and inherit it.
    const again = await api.post('/api/v1/users', { username: user.user, email: `again-${user.email}`, password: 'another-long-secret' })
    expect(again.status).toBe(409)
    expect((await api.delete(`/api/v1/users/${user.user}`, { auth: admin })).status).toBe(404)
  })
})
