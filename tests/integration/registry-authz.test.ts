// /v2 authorization matrix: every kind of caller x {public, private project} x {pull, push, delete,
// catalog}, through HTTP Basic and through Bearer tokens from /service/token. Each cell is asserted.
import { beforeAll, describe, expect, it } from 'vitest'
import { registryUnderTest } from '../support/context'
import { ociImage, randomUuid, type Credentials, type RegistryClient, type RegistryResponse } from '../support/oci'
import { bearerChallenge, fetchToken, withBearer } from '../support/tokens'

const reg = registryUnderTest()
const acc = reg.accounts
const ours = reg.flavour === 'ours' && !!acc

type Op = 'pull' | 'push' | 'delete' | 'catalog'
type Caller = { name: string; creds?: Credentials; can: (project: 'pub' | 'priv', op: Op) => boolean }

const roleRights: Record<string, Op[]> = {
  limitedGuest: ['pull', 'catalog'],
  guest: ['pull', 'catalog'],
  developer: ['pull', 'push', 'catalog'],
  maintainer: ['pull', 'push', 'delete', 'catalog'],
  projectAdmin: ['pull', 'push', 'delete', 'catalog'],
}
const publicRead = (project: 'pub' | 'priv', op: Op) => project === 'pub' && (op === 'pull' || op === 'catalog')

function callers(): Caller[] {
  if (!acc) return []
  const admin = { user: reg.user, password: reg.password }
  const list: Caller[] = [
    { name: 'anonymous', can: publicRead },
    { name: 'non-member', creds: acc.outsider, can: publicRead },
    { name: 'system admin (bootstrap)', creds: admin, can: () => true },
    { name: 'system admin', creds: acc.sysadmin, can: () => true },
    { name: 'project robot pub (pull,push)', creds: acc.robots.publicPush, can: (p, op) => publicRead(p, op) || (p === 'pub' && op === 'push') },
    {
      name: 'project robot priv (pull,push)',
      creds: acc.robots.privatePush,
      can: (p, op) => publicRead(p, op) || (p === 'priv' && op !== 'delete'),
    },
    { name: 'project robot priv (pull)', creds: acc.robots.privatePull, can: (p, op) => publicRead(p, op) || (p === 'priv' && (op === 'pull' || op === 'catalog')) },
    { name: 'access token read (maintainer)', creds: acc.tokens.read, can: (_p, op) => op === 'pull' || op === 'catalog' },
    { name: 'access token read-write (maintainer)', creds: acc.tokens.readWrite, can: (_p, op) => op !== 'delete' },
    { name: 'access token read-write-delete (maintainer)', creds: acc.tokens.readWriteDelete, can: () => true },
  ]
  for (const [role, ops] of Object.entries(roleRights)) {
    list.push({ name: role, creds: acc.roles[role as keyof typeof acc.roles], can: (p, op) => publicRead(p, op) || ops.includes(op) })
  }
  return list
}

const repos = { pub: `${acc?.publicProject}/matrix-${randomUuid().slice(0, 8)}`, priv: `${acc?.privateProject}/matrix-${randomUuid().slice(0, 8)}` }
const image = ociImage()
const missingDigest = `sha256:${'0'.repeat(64)}`

beforeAll(async () => {
  if (!ours) return
  const admin = reg.client()
  for (const repo of Object.values(repos)) expect((await admin.pushImage(repo, image, 'v1')).status).toBe(201)
})

/** Runs one operation; returns the response (catalog: the list). */
async function perform(client: RegistryClient, repo: string, op: Op, opts: (o?: object) => object): Promise<RegistryResponse> {
  switch (op) {
    case 'pull':
      return client.getManifest(repo, 'v1', opts({ headers: { accept: image.manifest.mediaType } }))
    case 'push': {
      const r = await client.request('POST', `/v2/${repo}/blobs/uploads/`, opts())
      if (r.status === 202) await client.request('DELETE', r.header('location')!, opts())
      return r
    }
    case 'delete':
      // An authorized DELETE of a manifest that does not exist answers 404: nothing is lost.
      return client.request('DELETE', `/v2/${repo}/manifests/${missingDigest}`, opts())
    case 'catalog':
      return client.request('GET', '/v2/_catalog?n=10000', opts())
  }
}

function allowed(op: Op, r: RegistryResponse, repo: string): boolean {
  if (op === 'catalog') return r.status === 200 && (r.json() as { repositories: string[] }).repositories.includes(repo)
  if (op === 'pull') return r.status === 200
  if (op === 'push') return r.status === 202
  return r.status === 404 && r.errors()?.[0]?.code === 'MANIFEST_UNKNOWN'
}

describe.runIf(ours)('authorization matrix over /v2', () => {
  const ops: Op[] = ['pull', 'push', 'delete', 'catalog']
  for (const caller of callers()) {
    for (const project of ['pub', 'priv'] as const) {
      it(`${caller.name} on the ${project === 'pub' ? 'public' : 'private'} project (Basic)`, async () => {
        const client = reg.anonymous()
        const basic = (o: object = {}) => ({ ...o, ...(caller.creds ? { credentials: caller.creds } : { auth: false }) })
        for (const op of ops) {
          const r = await perform(client, repos[project], op, basic)
          const expected = caller.can(project, op)
          expect(allowed(op, r, repos[project]), `${op}: ${r.describe()}`).toBe(expected)
          if (!expected && op !== 'catalog') {
            // Anonymous: 401 with a Bearer challenge; authenticated Basic: 403 DENIED.
            expect(r.status, `${op}: ${r.describe()}`).toBe(caller.creds ? 403 : 401)
            if (!caller.creds) expect(bearerChallenge(r)?.scope).toBe(`repository:${repos[project]}:${op}`)
          }
        }
      })

      it(`${caller.name} on the ${project === 'pub' ? 'public' : 'private'} project (Bearer)`, async () => {
        const client = reg.anonymous()
        const repo = repos[project]
        const token = await fetchToken(reg.url, [`repository:${repo}:pull,push,delete`, 'registry:catalog:*'], caller.creds)
        const bearer = (o: object = {}) => withBearer(token, o)
        for (const op of ops) {
          const r = await perform(client, repo, op, bearer)
          const expected = caller.can(project, op)
          expect(allowed(op, r, repo), `${op}: ${r.describe()}`).toBe(expected)
          if (!expected && op !== 'catalog') {
            expect(r.status, `${op}: ${r.describe()}`).toBe(401)
            expect(bearerChallenge(r)?.error).toBe('insufficient_scope')
          }
        }
      })
    }
  }
})
