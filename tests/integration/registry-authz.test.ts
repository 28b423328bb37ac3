// /v2 authorization matrix: every kind of caller x {public, private project} x {pull, push, delete,
// catalog}, through HTTP Basic and through Bearer tokens from /service/token. Each cell is asserted.
import { beforeAll, describe, expect, it } from 'vitest'
import { expectOciError } from '../support/assertions'
import { registryUnderTest } from '../support/context'
import { ociImage, randomUuid, type Credentials, type RegistryClient, type RegistryResponse } from '../support/oci'
import { bearerChallenge, decodeClaims, fetchToken, tokenRequest, withBearer } from '../support/tokens'

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
          // Without credentials the catalog challenges, so that a client holding some sends them (the
          // anonymous token it may fetch instead lists the public repositories: see the Bearer case).
          const expected = caller.can(project, op) && (op !== 'catalog' || !!caller.creds)
          expect(allowed(op, r, repos[project]), `${op}: ${r.describe()}`).toBe(expected)
          if (!expected && (op !== 'catalog' || !caller.creds)) {
            // Anonymous: 401 with a Bearer challenge; authenticated Basic: 403 DENIED.
            expect(r.status, `${op}: ${r.describe()}`).toBe(caller.creds ? 403 : 401)
            if (!caller.creds) expect(bearerChallenge(r)?.scope).toBe(op === 'catalog' ? 'registry:catalog:*' : `repository:${repos[project]}:${op}`)
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

/**
 * A client that sends credentials only when challenged (like containers/image and the bench client):
 * the request goes out without credentials; on a Bearer challenge it asks the realm for a token for
 * the challenged scope (with Basic credentials when it has any) and retries once with that token.
 */
async function challengedFetch(path: string, creds?: Credentials): Promise<{ first: Response; challenge?: Record<string, string>; token?: string; final: Response }> {
  const url = new URL(path, reg.url)
  const first = await fetch(url)
  const header = first.headers.get('www-authenticate') ?? ''
  if (first.status !== 401 || !/^Bearer\s/i.test(header)) return { first, final: first }
  const challenge = Object.fromEntries([...header.matchAll(/([A-Za-z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
  const realm = new URL(challenge.realm)
  realm.searchParams.set('service', challenge.service)
  if (challenge.scope) realm.searchParams.append('scope', challenge.scope)
  if (creds) realm.searchParams.set('account', creds.user)
  const auth = creds ? { authorization: 'Basic ' + Buffer.from(`${creds.user}:${creds.password}`).toString('base64') } : undefined
  const tokenResponse = await fetch(realm, { headers: auth })
  expect(tokenResponse.status).toBe(200)
  const token = ((await tokenResponse.json()) as { token: string }).token
  const final = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  return { first, challenge, token, final }
}

describe.runIf(ours)('the catalog for clients that authenticate only when challenged', () => {
  it('an anonymous GET /v2/_catalog is challenged with scope registry:catalog:*, as /v2/ is', async () => {
    const r = await reg.anonymous().request('GET', '/v2/_catalog', { auth: false })
    expect(r.status, r.describe()).toBe(401)
    expect(r.errors()?.[0]?.code).toBe('UNAUTHORIZED')
    expect(bearerChallenge(r)).toEqual({ realm: `${reg.url}/service/token`, service: 'harbormaster-registry', scope: 'registry:catalog:*' })
    expect(r.text()).not.toContain(repos.pub)
  })

  it('following the challenge with credentials lists every repository the caller may read', async () => {
    for (const creds of [{ user: reg.user, password: reg.password }, acc!.roles.limitedGuest, acc!.robots.privatePull, acc!.tokens.read]) {
      const { first, challenge, final } = await challengedFetch('/v2/_catalog?n=10000', creds)
      expect(first.status, creds.user).toBe(401)
      expect(challenge?.scope).toBe('registry:catalog:*')
      expect(final.status, creds.user).toBe(200)
      const names = ((await final.json()) as { repositories: string[] }).repositories
      expect(names, creds.user).toContain(repos.priv)
      expect(names, creds.user).toContain(repos.pub)
    }
    // A caller who may not read the private project follows the same flow and sees the public one only.
    const outsider = await challengedFetch('/v2/_catalog?n=10000', acc!.outsider)
    const names = ((await outsider.final.json()) as { repositories: string[] }).repositories
    expect(names).toContain(repos.pub)
    expect(names).not.toContain(repos.priv)
  })

  it('without credentials the flow lists the public repositories only; so does /api/v1/search', async () => {
    const { first, token, final } = await challengedFetch('/v2/_catalog?n=10000')
    expect(first.status).toBe(401)
    expect(decodeClaims(token!).sub).toBe('')
    expect(final.status).toBe(200)
    const names = ((await final.json()) as { repositories: string[] }).repositories
    expect(names).toContain(repos.pub)
    expect(names).not.toContain(repos.priv)
    const search = await fetch(new URL(`/api/v1/search?q=${encodeURIComponent(repos.pub.split('/')[1])}`, reg.url))
    expect(search.status).toBe(200)
    expect(((await search.json()) as { repositories: { name: string }[] }).repositories.map((r) => r.name)).toEqual([repos.pub])
  })
})

/**
 * A caller learns that a project exists only if it may read it. For everyone else a missing project
 * answers exactly as an existing one they cannot read (status, body, challenge; the project name
 * aside), on /v2 with Basic, on /service/token and on /v2 with the token. Those who may read any
 * project (system admins) are told plainly that it does not exist, through both flows.
 */
describe.runIf(ours)('/v2 tells a project exists only to those who may read it', () => {
  type Flow = 'Basic' | 'Bearer'
  const ghost = `ghost-${randomUuid().slice(0, 8)}`
  const ops = ['pull', 'push', 'delete'] as const
  const path = (project: string, op: (typeof ops)[number]) =>
    op === 'pull' ? `/v2/${project}/app/manifests/v1` : op === 'push' ? `/v2/${project}/app/blobs/uploads/` : `/v2/${project}/app/manifests/${missingDigest}`
  const method = { pull: 'GET', push: 'POST', delete: 'DELETE' } as const

  /** What a caller sees of `op` on `<project>/app`, with the project's name replaced by `<project>`. */
  async function observe(project: string, op: (typeof ops)[number], flow: Flow, creds?: Credentials): Promise<string> {
    const normalise = (text: string) => text.split(project).join('<project>')
    const client = reg.anonymous()
    let token = ''
    let opts: object = creds ? { credentials: creds } : { auth: false }
    if (flow === 'Bearer') {
      const t = await tokenRequestFor(project, op, creds)
      token = normalise(JSON.stringify({ status: t.status, access: t.access }))
      opts = withBearer(t.token)
    }
    const r = await client.request(method[op], path(project, op), opts)
    return normalise(JSON.stringify({ token, status: r.status, challenge: r.header('www-authenticate'), body: r.text() }))
  }

  async function tokenRequestFor(project: string, op: string, creds?: Credentials) {
    const r = await tokenRequest(reg.url, [`repository:${project}/app:${op}`], creds)
    const body = (await r.json()) as { token: string }
    return { status: r.status, token: body.token, access: decodeClaims(body.token).access }
  }

  const owner = () => acc!.owner
  // Each caller with an existing private project it cannot read.
  const nonReaders = (): { name: string; creds?: Credentials; unreadable: string }[] => [
    { name: 'anonymous', unreadable: acc!.privateProject },
    { name: 'another user', creds: acc!.outsider, unreadable: acc!.privateProject },
    { name: 'the owner of a private project', creds: owner(), unreadable: acc!.outsider.user },
    { name: 'a project robot', creds: acc!.robots.privatePush, unreadable: acc!.outsider.user },
    { name: "the project maintainer's access token", creds: acc!.tokens.readWriteDelete, unreadable: acc!.outsider.user },
  ]

  for (const flow of ['Basic', 'Bearer'] as const) {
    it(`${flow}: for those who cannot read it, a missing project looks exactly like an existing private one`, async () => {
      for (const caller of nonReaders()) {
        for (const op of ops) {
          const existing = await observe(caller.unreadable, op, flow, caller.creds)
          const missing = await observe(ghost, op, flow, caller.creds)
          expect(missing, `${caller.name}, ${op}`).toBe(existing)
          expect(missing, `${caller.name}, ${op}`).not.toMatch(/does not exist/)
        }
      }
    })

    it(`${flow}: a system admin is told plainly that the project does not exist (403 DENIED)`, async () => {
      for (const creds of [{ user: reg.user, password: reg.password }, acc!.sysadmin]) {
        for (const op of ops) {
          const r = await reg
            .anonymous()
            .request(method[op], path(ghost, op), flow === 'Basic' ? { credentials: creds } : withBearer((await tokenRequestFor(ghost, op, creds)).token))
          expect(r.status, `${creds.user} ${op}: ${r.describe()}`).toBe(403)
          expect(r.errors()?.[0]?.code).toBe('DENIED')
          expect(r.errors()?.[0]?.message).toMatch(new RegExp(`project "${ghost}" does not exist`))
        }
        // A pull of a name without a project (a push of one is refused as NAME_INVALID for everyone).
        const single = `single-${randomUuid().slice(0, 8)}`
        const opts = flow === 'Basic' ? { credentials: creds } : withBearer(await fetchToken(reg.url, [`repository:${single}:pull`], creds))
        const r = await reg.anonymous().request('GET', `/v2/${single}/manifests/v1`, opts)
        expectOciError(r, 403, 'DENIED')
        expect(r.errors()?.[0]?.message).toBe(`repository "${single}" has no project, so it does not exist`)
      }
    })

    it(`${flow}: the owner of a private project works in it as usual`, async () => {
      for (const op of ['pull', 'push'] as const) {
        const opts = flow === 'Basic' ? { credentials: owner() } : withBearer(await fetchToken(reg.url, [`repository:${repos.priv}:pull,push`], owner()))
        const r = await reg
          .anonymous()
          .request(
            method[op],
            op === 'pull' ? `/v2/${repos.priv}/manifests/v1` : `/v2/${repos.priv}/blobs/uploads/`,
            op === 'pull' ? { ...opts, headers: { ...(opts as { headers?: object }).headers, accept: image.manifest.mediaType } } : opts,
          )
        expect(r.status, r.describe()).toBe(op === 'pull' ? 200 : 202)
        if (r.status === 202) await reg.anonymous().request('DELETE', r.header('location')!, opts)
      }
    })
  }
})
