// What the dashboard's project pages read, per caller: anonymous visitors browse a public project,
// its repositories and artifacts (read-only); a private project answers them exactly as one that does
// not exist. The project API lists the caller's permitted actions, which the pages follow.
import { beforeAll, describe, expect, it } from 'vitest'
import { registryUnderTest } from '../support/context'
import { apiClient, type ApiCredentials } from '../support/api'
import { ociImage, randomId, registryClient } from '../support/oci'

const reg = registryUnderTest()
const api = apiClient(reg.url)
const admin: ApiCredentials = { user: reg.user, password: reg.password }
const ours = reg.flavour === 'ours'

describe.runIf(ours)('project pages: anonymous reads and permitted actions', () => {
  const repository = `browse-${randomId(8)}`
  let publicProject: string
  let privateProject: string
  let digest: string

  const paths = (project: string) => {
    const base = `/api/v1/projects/${project}`
    const repo = `${base}/repositories/${repository}`
    return {
      project: base,
      repositories: `${base}/repositories`,
      repository: repo,
      artifacts: `${repo}/artifacts`,
      artifact: `${repo}/artifacts/${digest}`,
      tag: `${repo}/artifacts/v1`,
    }
  }

  beforeAll(async () => {
    const accounts = reg.accounts!
    publicProject = accounts.publicProject
    privateProject = accounts.privateProject
    const image = ociImage()
    digest = image.manifest.digest
    const client = registryClient(reg.url, accounts.owner)
    await client.pushImage(`${publicProject}/${repository}`, image, 'v1')
    await client.pushImage(`${privateProject}/${repository}`, image, 'v1')
  })

  it('anonymous GETs on a public project: the project, its repositories, a repository, its artifacts and an artifact', async () => {
    const p = paths(publicProject)
    const project = await api.get(p.project)
    expect(project.status, project.describe()).toBe(200)
    expect(project.json()).toMatchObject({ name: publicProject, public: true, role: null, permissions: ['project:read', 'repository:pull'] })
    const repositories = await api.get(p.repositories)
    expect(repositories.status, repositories.describe()).toBe(200)
    expect(repositories.json().map((r: { name: string }) => r.name)).toContain(`${publicProject}/${repository}`)
    const repo = await api.get(p.repository)
    expect(repo.status, repo.describe()).toBe(200)
    expect(repo.json()).toMatchObject({ name: `${publicProject}/${repository}` })
    const artifacts = await api.get(p.artifacts)
    expect(artifacts.status, artifacts.describe()).toBe(200)
    expect(artifacts.json().map((a: { digest: string }) => a.digest)).toEqual([digest])
    for (const path of [p.artifact, p.tag]) {
      const artifact = await api.get(path)
      expect(artifact.status, artifact.describe()).toBe(200)
      expect(artifact.json()).toMatchObject({ digest })
    }
    // Reading is all: writes still need a session or credentials.
    expect((await api.post(p.repositories, { name: `anon-${randomId(6)}` })).status).toBe(401)
    expect((await api.delete(p.artifact)).status).toBe(401)
  })

  it('anonymous GETs on a private project answer exactly as for a project that does not exist', async () => {
    const hidden = paths(privateProject)
    const missing = paths(`nosuch${randomId(8)}`)
    for (const key of ['project', 'repositories', 'repository', 'artifacts', 'artifact', 'tag'] as const) {
      const [secret, absent] = [await api.get(hidden[key]), await api.get(missing[key])]
      expect(secret.status, `${key}: ${secret.describe()}`).toBe(absent.status)
      expect(secret.status, key).toBe(401)
      expect(secret.text.replaceAll(privateProject, 'P'), key).toBe(absent.text.replaceAll(missing.project.split('/').pop()!, 'P'))
      expect(secret.text, key).not.toContain(repository)
    }
  })

  it('the project lists what the caller may do, role by role (Harbor matrix); the project list too', async () => {
    const { roles, outsider } = reg.accounts!
    const expected: [ApiCredentials, string[]][] = [
      [roles.limitedGuest, ['project:read', 'repository:pull']],
      [roles.guest, ['project:read', 'repository:pull', 'member:list', 'audit:read']],
      [roles.developer, ['project:read', 'repository:pull', 'repository:push', 'member:list', 'audit:read']],
      [
        roles.maintainer,
        ['project:read', 'repository:pull', 'repository:push', 'repository:delete', 'member:list', 'robot:list', 'audit:read', 'immutable:manage', 'retention:manage'],
      ],
      [
        roles.projectAdmin,
        [
          'project:read',
          'repository:pull',
          'repository:push',
          'repository:delete',
          'member:list',
          'member:manage',
          'robot:list',
          'robot:manage',
          'project:update',
          'project:delete',
          'webhook:manage',
          'audit:read',
          'immutable:manage',
          'retention:manage',
        ],
      ],
      [
        admin,
        [
          'project:read',
          'repository:pull',
          'repository:push',
          'repository:delete',
          'member:list',
          'member:manage',
          'robot:list',
          'robot:manage',
          'project:update',
          'project:delete',
          'webhook:manage',
          'audit:read',
          'immutable:manage',
          'retention:manage',
        ],
      ],
    ]
    for (const [auth, permissions] of expected) {
      const res = await api.get(`/api/v1/projects/${privateProject}`, { auth })
      expect(res.status, `${auth.user}: ${res.describe()}`).toBe(200)
      expect(res.json().permissions, auth.user).toEqual(permissions)
      const listed = await api.get(`/api/v1/projects?q=${privateProject}`, { auth })
      expect(listed.json().find((p: { name: string }) => p.name === privateProject)?.permissions, auth.user).toEqual(permissions)
    }
    expect((await api.get(`/api/v1/projects/${publicProject}`, { auth: outsider })).json().permissions).toEqual(['project:read', 'repository:pull'])
  })
})
