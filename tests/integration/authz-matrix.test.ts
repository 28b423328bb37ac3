// THE authorization matrix, over HTTP: every subject x {public, private project} x every action,
// each cell asserted against the table written out below (Harbor's role matrix, lib/auth/permissions.ts).
//
//   pull, push, delete, catalog: /v2 with Basic credentials (the client follows a Bearer challenge
//   through /service/token when the server answers with one);
//   list repos, manage members: /api/v1.
// Subjects come from the accounts fixture (tests/support/accounts.ts): users in every role of the
// projects `pub` and `priv`, project robots with pull+push, the maintainer's access tokens.
import { beforeAll, describe, expect, it } from 'vitest'
import { registryUnderTest } from '../support/context'
import { apiClient, type ApiCredentials } from '../support/api'
import { ociImage, randomId, registryClient, type Credentials } from '../support/oci'

const reg = registryUnderTest()
const api = apiClient(reg.url)
const accounts = reg.accounts

type Action = 'pull' | 'push' | 'delete' | 'catalog' | 'listRepos' | 'manageMembers'
type Who =
  | 'anonymous'
  | 'nonMember'
  | 'limitedGuest'
  | 'guest'
  | 'developer'
  | 'maintainer'
  | 'projectAdmin'
  | 'systemAdmin'
  | 'projectRobot'
  | 'tokenRead'
  | 'tokenReadWrite'
  | 'tokenReadWriteDelete'
type Visibility = 'public' | 'private'

const ACTIONS: Action[] = ['pull', 'push', 'delete', 'catalog', 'listRepos', 'manageMembers']

// 1 = allowed, 0 = refused.               pull push delete catalog listRepos manageMembers
const EXPECTED: Record<Visibility, Record<Who, [number, number, number, number, number, number]>> = {
  public: {
    // The catalog challenges anonymous callers; they find public repositories through the REST API.
    anonymous: [1, 0, 0, 0, 1, 0],
    nonMember: [1, 0, 0, 1, 1, 0],
    limitedGuest: [1, 0, 0, 1, 1, 0],
    guest: [1, 0, 0, 1, 1, 0],
    developer: [1, 1, 0, 1, 1, 0],
    maintainer: [1, 1, 1, 1, 1, 0],
    projectAdmin: [1, 1, 1, 1, 1, 1],
    systemAdmin: [1, 1, 1, 1, 1, 1],
    projectRobot: [1, 1, 0, 1, 1, 0],
    tokenRead: [1, 0, 0, 1, 1, 0],
    tokenReadWrite: [1, 1, 0, 1, 1, 0],
    tokenReadWriteDelete: [1, 1, 1, 1, 1, 0],
  },
  private: {
    anonymous: [0, 0, 0, 0, 0, 0],
    nonMember: [0, 0, 0, 0, 0, 0],
    limitedGuest: [1, 0, 0, 1, 1, 0],
    guest: [1, 0, 0, 1, 1, 0],
    developer: [1, 1, 0, 1, 1, 0],
    maintainer: [1, 1, 1, 1, 1, 0],
    projectAdmin: [1, 1, 1, 1, 1, 1],
    systemAdmin: [1, 1, 1, 1, 1, 1],
    projectRobot: [1, 1, 0, 1, 1, 0],
    tokenRead: [1, 0, 0, 1, 1, 0],
    tokenReadWrite: [1, 1, 0, 1, 1, 0],
    tokenReadWriteDelete: [1, 1, 1, 1, 1, 0],
  },
}

describe.runIf(reg.flavour === 'ours' && !!accounts)('authorization matrix', () => {
  const a = accounts!
  const admin: ApiCredentials = { user: reg.user, password: reg.password }
  const project: Record<Visibility, string> = { public: a.publicProject, private: a.privateProject }
  const repo = {} as Record<Visibility, string>
  let memberTarget: ApiCredentials

  function credentials(who: Who, visibility: Visibility): Credentials | undefined {
    switch (who) {
      case 'anonymous':
        return undefined
      case 'nonMember':
        return a.outsider
      case 'limitedGuest':
      case 'guest':
      case 'developer':
      case 'maintainer':
      case 'projectAdmin':
        return a.roles[who]
      case 'systemAdmin':
        return a.sysadmin
      case 'projectRobot':
        return visibility === 'public' ? a.robots.publicPush : a.robots.privatePush
      case 'tokenRead':
        return a.tokens.read
      case 'tokenReadWrite':
        return a.tokens.readWrite
      case 'tokenReadWriteDelete':
        return a.tokens.readWriteDelete
    }
  }

  beforeAll(async () => {
    const client = registryClient(reg.url, admin)
    for (const visibility of ['public', 'private'] as const) {
      repo[visibility] = `${project[visibility]}/matrix-${randomId(8)}`
      const pushed = await client.pushImage(repo[visibility], ociImage(), 'v1')
      expect(pushed.status).toBe(201)
    }
    memberTarget = await api.signup('target')
  })

  async function catalogHas(creds: Credentials | undefined, name: string): Promise<boolean> {
    const client = registryClient(reg.url, creds)
    let path: string | undefined = '/v2/_catalog?n=1000'
    while (path) {
      const res = await client.request('GET', path)
      if (res.status !== 200) return false
      if ((res.json().repositories as string[]).includes(name)) return true
      const link = res.header('link')
      path = link ? /<([^>]+)>/.exec(link)?.[1] : undefined
    }
    return false
  }

  /** Performs the action; true when it was allowed. Asserts refusals are refusals (not errors). */
  async function attempt(action: Action, who: Who, visibility: Visibility): Promise<boolean> {
    const creds = credentials(who, visibility)
    const client = registryClient(reg.url, creds)
    const name = repo[visibility]
    const basic = creds ? { user: creds.user, password: creds.password } : undefined
    switch (action) {
      case 'pull': {
        const res = await client.request('GET', `/v2/${name}/manifests/v1`)
        if (res.status === 200) return true
        expect([401, 403, 404], res.describe()).toContain(res.status)
        return false
      }
      case 'push': {
        const res = await client.request('POST', `/v2/${name}/blobs/uploads/`)
        if (res.status === 202) {
          const location = res.header('location')
          if (location) await client.request('DELETE', location)
          return true
        }
        expect([401, 403], res.describe()).toContain(res.status)
        return false
      }
      case 'delete': {
        // A digest that does not exist: an authorized caller gets 404 MANIFEST_UNKNOWN, so the fixture stays intact.
        const digest = `sha256:${'0'.repeat(56)}${randomId(8).replace(/[^0-9a-f]/g, '0')}`
        const res = await client.request('DELETE', `/v2/${name}/manifests/${digest}`)
        if (res.status === 404 || res.status === 202) return true
        expect([401, 403], res.describe()).toContain(res.status)
        return false
      }
      case 'catalog':
        return catalogHas(creds, name)
      case 'listRepos': {
        const res = await api.get(`/api/v1/projects/${project[visibility]}/repositories?q=${encodeURIComponent(name.split('/')[1])}`, { auth: basic })
        if (res.status === 200) {
          expect(
            res.json().map((r: { name: string }) => r.name),
            res.describe(),
          ).toEqual([name])
          return true
        }
        expect([401, 403, 404], res.describe()).toContain(res.status)
        return false
      }
      case 'manageMembers': {
        const path = `/api/v1/projects/${project[visibility]}/members`
        const res = await api.post(path, { username: memberTarget.user, role: 'guest' }, { auth: basic })
        if (res.status === 201) {
          expect((await api.delete(`${path}/${memberTarget.user}`, { auth: admin })).status).toBe(204)
          return true
        }
        expect([401, 403, 404], res.describe()).toContain(res.status)
        // Nothing changed.
        const members = await api.get(`${path}?q=${memberTarget.user}`, { auth: admin })
        expect(members.json()).toEqual([])
        return false
      }
    }
  }

  for (const visibility of ['public', 'private'] as const) {
    for (const who of Object.keys(EXPECTED[visibility]) as Who[]) {
      for (const [index, action] of ACTIONS.entries()) {
        const allowed = EXPECTED[visibility][who][index] === 1
        it(`${visibility} project, ${who}, ${action}: ${allowed ? 'allowed' : 'refused'}`, async () => {
          expect(await attempt(action, who, visibility)).toBe(allowed)
        })
      }
    }
  }
})
