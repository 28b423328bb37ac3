// /api/v1 projects, members, repositories and audit logs, over HTTP against the running server.
import { beforeAll, describe, expect, it } from 'vitest'
import { registryUnderTest } from '../support/context'
import { apiClient, type ApiCredentials } from '../support/api'
import { ociImage, randomId, registryClient } from '../support/oci'

const reg = registryUnderTest()
const api = apiClient(reg.url)
const admin: ApiCredentials = { user: reg.user, password: reg.password }
const ours = reg.flavour === 'ours'

describe.runIf(ours)('projects API', () => {
  let owner: ApiCredentials
  let dev: ApiCredentials
  let outsider: ApiCredentials
  let project: string

  beforeAll(async () => {
    owner = await api.signup('own')
    dev = await api.signup('dev')
    outsider = await api.signup('out')
    project = `team${randomId(8)}`
    const res = await api.post('/api/v1/projects', { name: project, public: false }, { auth: owner })
    expect(res.status, res.describe()).toBe(201)
    expect((await api.post(`/api/v1/projects/${project}/members`, { username: dev.user, role: 'developer' }, { auth: owner })).status).toBe(201)
  })

  it('create: 201 with Location; the creator is project admin', async () => {
    const name = `p${randomId(8)}`
    const res = await api.post('/api/v1/projects', { name, public: true }, { auth: owner })
    expect(res.status, res.describe()).toBe(201)
    expect(res.header('location')).toMatch(new RegExp(`/api/v1/projects/${name}$`))
    expect(res.json()).toMatchObject({ name, public: true, role: 'projectAdmin', repositoryCount: 0 })
    const members = await api.get(`/api/v1/projects/${name}/members`, { auth: owner })
    expect(members.json()).toEqual([expect.objectContaining({ username: owner.user, role: 'projectAdmin' })])
  })

  it('create: validation (400), conflicts with projects and usernames (409), anonymous (401)', async () => {
    for (const name of ['A', 'x', 'has space', 'a..b', '-lead', 'trail-', 'a'.repeat(65)]) {
      const res = await api.post('/api/v1/projects', { name }, { auth: owner })
      expect(res.status, res.describe()).toBe(400)
    }
    expect((await api.post('/api/v1/projects', { name: `ok${randomId(6)}`, public: 'yes' }, { auth: owner })).status).toBe(400)
    expect((await api.post('/api/v1/projects', { name: project }, { auth: dev })).status).toBe(409)
    // A username is a taken name even when its personal project no longer exists.
    expect((await api.delete(`/api/v1/projects/${outsider.user}`, { auth: outsider })).status).toBe(204)
    const taken = await api.post('/api/v1/projects', { name: outsider.user }, { auth: dev })
    expect(taken.status, taken.describe()).toBe(409)
    // …but its user may recreate it.
    expect((await api.post('/api/v1/projects', { name: outsider.user }, { auth: outsider })).status).toBe(201)
    expect((await api.post('/api/v1/projects', { name: `anon${randomId(6)}` })).status).toBe(401)
  })

  it('get: members see a private project, others get 404, anonymous 401', async () => {
    expect((await api.get(`/api/v1/projects/${project}`, { auth: dev })).json()).toMatchObject({ name: project, role: 'developer' })
    const hidden = await api.get(`/api/v1/projects/${project}`, { auth: outsider })
    expect(hidden.status).toBe(404)
    expect(hidden.errorCode()).toBe('NOT_FOUND')
    expect((await api.get(`/api/v1/projects/${project}`)).status).toBe(401)
    expect((await api.get(`/api/v1/projects/${project}`, { auth: admin })).status).toBe(200)
    expect((await api.get(`/api/v1/projects/nosuch${randomId(6)}`, { auth: owner })).status).toBe(404)
  })

  it('list: only visible projects, q filter, Harbor pagination', async () => {
    const prefix = `lst${randomId(6)}`
    for (let i = 0; i < 5; i++) expect((await api.post('/api/v1/projects', { name: `${prefix}-${i}`, public: i % 2 === 0 }, { auth: owner })).status).toBe(201)
    const mine = await api.get(`/api/v1/projects?q=${prefix}&page_size=2`, { auth: owner })
    expect(mine.status).toBe(200)
    expect(mine.header('x-total-count')).toBe('5')
    expect(mine.json().map((p: { name: string }) => p.name)).toEqual([`${prefix}-0`, `${prefix}-1`])
    expect(mine.header('link')).toBe(`</api/v1/projects?q=${prefix}&page_size=2&page=2>; rel="next"`)
    const page3 = await api.get(`/api/v1/projects?q=${prefix}&page_size=2&page=3`, { auth: owner })
    expect(page3.json().map((p: { name: string }) => p.name)).toEqual([`${prefix}-4`])
    expect(page3.header('link')).toBe(`</api/v1/projects?q=${prefix}&page_size=2&page=2>; rel="prev"`)
    const theirs = await api.get(`/api/v1/projects?q=${prefix}`, { auth: outsider })
    expect(theirs.header('x-total-count')).toBe('3')
    expect(theirs.json().every((p: { public: boolean }) => p.public)).toBe(true)
    const anonymous = await api.get(`/api/v1/projects?q=${prefix}`)
    expect(anonymous.header('x-total-count')).toBe('3')
    const harborQ = await api.get(`/api/v1/projects?q=${encodeURIComponent(`name=~${prefix}`)}&public=false`, { auth: owner })
    expect(harborQ.header('x-total-count')).toBe('2')
    expect((await api.get('/api/v1/projects?page_size=1000', { auth: owner })).status).toBe(400)
    expect((await api.get('/api/v1/projects?page=abc', { auth: owner })).status).toBe(400)
  })

  it('visibility: project admin changes it (audited); a developer gets 403 and nothing changes', async () => {
    const denied = await api.patch(`/api/v1/projects/${project}`, { public: true }, { auth: dev })
    expect(denied.status).toBe(403)
    expect(denied.errorCode()).toBe('FORBIDDEN')
    expect((await api.get(`/api/v1/projects/${project}`, { auth: owner })).json().public).toBe(false)
    expect((await api.patch(`/api/v1/projects/${project}`, { public: true }, { auth: outsider })).status).toBe(404)
    const ok = await api.patch(`/api/v1/projects/${project}`, { public: true }, { auth: owner })
    expect(ok.status, ok.describe()).toBe(200)
    expect(ok.json().public).toBe(true)
    expect((await api.get(`/api/v1/projects/${project}`, { auth: outsider })).status).toBe(200)
    expect((await api.patch(`/api/v1/projects/${project}`, { public: false }, { auth: owner })).json().public).toBe(false)
    expect((await api.patch(`/api/v1/projects/${project}`, { public: 'no' }, { auth: owner })).status).toBe(400)
    const audit = await api.get(`/api/v1/projects/${project}/audit-logs?action=project.visibility`, { auth: owner })
    expect(audit.status).toBe(200)
    expect(audit.json().map((e: { detail: { public: boolean } }) => e.detail.public)).toEqual([false, true])
  })

  it('repositories: create with description (push right), list, conflicts and validation', async () => {
    const created = await api.post(`/api/v1/projects/${project}/repositories`, { name: 'web/app', description: 'the web app' }, { auth: dev })
    expect(created.status, created.describe()).toBe(201)
    expect(created.header('location')).toMatch(new RegExp(`/api/v1/projects/${project}/repositories/web%2Fapp$`))
    expect(created.json()).toMatchObject({ name: `${project}/web/app`, description: 'the web app' })
    expect((await api.post(`/api/v1/projects/${project}/repositories`, { name: 'web/app' }, { auth: dev })).status).toBe(409)
    expect((await api.post(`/api/v1/projects/${project}/repositories`, { name: 'Bad Name' }, { auth: dev })).status).toBe(400)
    expect((await api.post(`/api/v1/projects/${project}/repositories`, { name: 'x', extra: 1 }, { auth: dev })).status).toBe(400)
    expect((await api.post(`/api/v1/projects/${project}/repositories`, { name: 'other' }, { auth: outsider })).status).toBe(404)
    const guest = await api.signup('gst')
    expect((await api.post(`/api/v1/projects/${project}/members`, { username: guest.user, role: 'guest' }, { auth: owner })).status).toBe(201)
    expect((await api.post(`/api/v1/projects/${project}/repositories`, { name: 'guestrepo' }, { auth: guest })).status).toBe(403)
    const list = await api.get(`/api/v1/projects/${project}/repositories`, { auth: guest })
    expect(list.status).toBe(200)
    expect(list.header('x-total-count')).toBe('1')
    expect(list.json()[0]).toMatchObject({ name: `${project}/web/app`, description: 'the web app', artifactCount: 0, pullCount: 0 })
    expect((await api.get(`/api/v1/projects/${project}/repositories`, { auth: outsider })).status).toBe(404)
  })

  it('members: add, change role, remove; last project admin kept; errors', async () => {
    const m = await api.signup('mem')
    const path = `/api/v1/projects/${project}/members`
    expect((await api.post(path, { username: m.user, role: 'guest' }, { auth: dev })).status).toBe(403)
    const added = await api.post(path, { username: m.user, role: 'guest' }, { auth: owner })
    expect(added.status, added.describe()).toBe(201)
    expect(added.header('location')).toMatch(new RegExp(`${path}/${m.user}$`))
    expect((await api.post(path, { username: m.user, role: 'guest' }, { auth: owner })).status).toBe(409)
    expect((await api.post(path, { username: `ghost${randomId(6)}`, role: 'guest' }, { auth: owner })).status).toBe(404)
    expect((await api.post(path, { username: m.user, role: 'owner' }, { auth: owner })).status).toBe(400)
    expect((await api.patch(`${path}/${m.user}`, { role: 'maintainer' }, { auth: dev })).status).toBe(403)
    const changed = await api.patch(`${path}/${m.user}`, { role: 'maintainer' }, { auth: owner })
    expect(changed.status).toBe(200)
    expect(changed.json()).toMatchObject({ username: m.user, role: 'maintainer' })
    const list = await api.get(`${path}?page_size=2`, { auth: dev })
    expect(list.status).toBe(200)
    expect(Number(list.header('x-total-count'))).toBeGreaterThanOrEqual(3)
    expect(list.header('link')).toContain('rel="next"')
    expect((await api.get(path, { auth: outsider })).status).toBe(404)
    // The only project admin cannot be demoted or removed.
    expect((await api.patch(`${path}/${owner.user}`, { role: 'developer' }, { auth: owner })).status).toBe(409)
    expect((await api.delete(`${path}/${owner.user}`, { auth: owner })).status).toBe(409)
    expect((await api.delete(`${path}/${m.user}`, { auth: dev })).status).toBe(403)
    expect((await api.delete(`${path}/${m.user}`, { auth: owner })).status).toBe(204)
    expect((await api.delete(`${path}/${m.user}`, { auth: owner })).status).toBe(404)
    const audit = await api.get(`/api/v1/projects/${project}/audit-logs?resource_type=member`, { auth: owner })
    const actions = audit
      .json()
      .filter((e: { resource: string }) => e.resource === `${project}/${m.user}`)
      .map((e: { action: string }) => e.action)
    expect(actions).toEqual(['member.remove', 'member.update', 'member.add'])
  })

  it('audit logs: members but limited guests read their project (Harbor), system admins everything, others 403', async () => {
    const limited = await api.signup('lim')
    expect((await api.post(`/api/v1/projects/${project}/members`, { username: limited.user, role: 'limitedGuest' }, { auth: owner })).status).toBe(201)
    expect((await api.get(`/api/v1/projects/${project}/audit-logs`, { auth: limited })).status).toBe(403)
    expect((await api.get(`/api/v1/projects/${project}/audit-logs`, { auth: dev })).status).toBe(200)
    expect((await api.get(`/api/v1/projects/${project}/audit-logs`, { auth: outsider })).status).toBe(404)
    const mine = await api.get(`/api/v1/projects/${project}/audit-logs?page_size=1`, { auth: owner })
    expect(mine.status).toBe(200)
    expect(mine.json()).toHaveLength(1)
    expect(Number(mine.header('x-total-count'))).toBeGreaterThan(1)
    expect((await api.get('/api/v1/audit-logs', { auth: owner })).status).toBe(403)
    expect((await api.get('/api/v1/audit-logs')).status).toBe(401)
    const all = await api.get(`/api/v1/audit-logs?actor=${owner.user}&page_size=100`, { auth: admin })
    expect(all.status).toBe(200)
    expect(all.json().some((e: { action: string; actor: string }) => e.action === 'project.create' && e.actor === owner.user)).toBe(true)
  })

  it('delete: refused with 412 while it holds repositories; force deletes them; developer 403', async () => {
    const name = `del${randomId(8)}`
    expect((await api.post('/api/v1/projects', { name }, { auth: owner })).status).toBe(201)
    const client = registryClient(reg.url, owner)
    const image = ociImage()
    const pushed = await client.pushImage(`${name}/app`, image, 'v1')
    expect(pushed.status).toBe(201)
    expect((await api.post(`/api/v1/projects/${name}/members`, { username: dev.user, role: 'maintainer' }, { auth: owner })).status).toBe(201)
    expect((await api.delete(`/api/v1/projects/${name}`, { auth: dev })).status).toBe(403)
    const refused = await api.delete(`/api/v1/projects/${name}`, { auth: owner })
    expect(refused.status, refused.describe()).toBe(412)
    expect(refused.errorCode()).toBe('PRECONDITION')
    expect((await client.request('GET', `/v2/${name}/app/manifests/v1`)).status).toBe(200)
    expect((await api.delete(`/api/v1/projects/${name}?force=maybe`, { auth: owner })).status).toBe(400)
    expect((await api.delete(`/api/v1/projects/${name}?force=true`, { auth: owner })).status).toBe(204)
    expect((await api.get(`/api/v1/projects/${name}`, { auth: owner })).status).toBe(404)
    expect([401, 403, 404]).toContain((await client.request('GET', `/v2/${name}/app/manifests/v1`)).status)
    const audit = await api.get(`/api/v1/audit-logs?action=project.delete&page_size=100`, { auth: admin })
    expect(audit.json().some((e: { resource: string; detail: { deletedRepositories: number } }) => e.resource === name && e.detail.deletedRepositories === 1)).toBe(true)
    const empty = `del${randomId(8)}`
    expect((await api.post('/api/v1/projects', { name: empty }, { auth: owner })).status).toBe(201)
    expect((await api.delete(`/api/v1/projects/${empty}`, { auth: owner })).status).toBe(204)
  })
})
