// Known failure classes of registry authorization: token confusion between repositories, forged or
// stale tokens, push implying delete, blobs leaking through public repositories, unbounded catalog
// pages, mounts from unreadable repositories, anonymous access, namespaces, throttled logins.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { SignJWT, calculateJwkThumbprint, exportJWK } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectOciError } from '../support/assertions'
import { registryUnderTest } from '../support/context'
import { ociImage, randomBlob, randomUuid } from '../support/oci'
import { TOKEN_SERVICE, bearerChallenge, fetchToken, tokenRequest, withBearer } from '../support/tokens'

const reg = registryUnderTest()
const acc = reg.accounts
const ours = reg.flavour === 'ours' && !!acc
const admin = reg.client()
const anon = reg.anonymous()
const suffix = () => randomUuid().slice(0, 8)

const privRepo = `${acc?.privateProject}/sec-${suffix()}`
const pubRepo = `${acc?.publicProject}/sec-${suffix()}`
const image = ociImage()
const privateOnly = randomBlob(333)

beforeAll(async () => {
  if (!ours) return
  expect((await admin.pushImage(privRepo, image, 'v1')).status).toBe(201)
  expect((await admin.pushImage(pubRepo, ociImage(), 'v1')).status).toBe(201)
  expect((await admin.pushBlob(privRepo, privateOnly)).status).toBe(201)
})

describe.runIf(ours)('Bearer tokens', () => {
  let serverKey: KeyObject
  let kid: string
  beforeAll(async () => {
    serverKey = createPrivateKey(readFileSync(acc!.tokenKeyFile, 'utf8'))
    kid = await calculateJwkThumbprint(await exportJWK(serverKey), 'sha256')
  })

  /** A token for `pull` on privRepo signed with the server's key, with claims overridden. */
  async function forge(overrides: Record<string, unknown> = {}, opts: { key?: KeyObject; header?: Record<string, unknown> } = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000)
    const claims = {
      iss: 'harbormaster-token-service',
      sub: reg.user,
      aud: TOKEN_SERVICE,
      iat: now,
      nbf: now,
      exp: now + 300,
      jti: randomUuid(),
      access: [{ type: 'repository', name: privRepo, actions: ['pull'] }],
      ...overrides,
    }
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid, ...(opts.header ?? {}) }).sign(opts.key ?? serverKey)
  }
  const pull = (token: string) => anon.getManifest(privRepo, 'v1', withBearer(token, { headers: { accept: image.manifest.mediaType } }))

  it('a correctly forged control token works (so the refusals below are about the one changed claim)', async () => {
    expect((await pull(await forge())).status).toBe(200)
  })

  it('a token for repository A is refused on repository B (401 insufficient_scope)', async () => {
    const token = await fetchToken(reg.url, [`repository:${pubRepo}:pull,push,delete`], { user: reg.user, password: reg.password })
    const r = await pull(token)
    expectOciError(r, 401, 'UNAUTHORIZED')
    expect(bearerChallenge(r)).toMatchObject({ error: 'insufficient_scope', scope: `repository:${privRepo}:pull`, service: TOKEN_SERVICE })
    expect(bearerChallenge(r)?.realm).toBe(`${reg.url}/service/token`)
  })

  it.each([
    ['expired', { exp: Math.floor(Date.now() / 1000) - 120, iat: Math.floor(Date.now() / 1000) - 420, nbf: Math.floor(Date.now() / 1000) - 420 }],
    ['not yet valid', { nbf: Math.floor(Date.now() / 1000) + 600, exp: Math.floor(Date.now() / 1000) + 900 }],
    ['for another audience', { aud: 'some-other-registry' }],
    ['from another issuer', { iss: 'evil-issuer' }],
    ['without an audience', { aud: undefined }],
  ])('a token %s is refused with 401 invalid_token', async (_name, overrides) => {
    const r = await pull(await forge(overrides))
    expectOciError(r, 401, 'UNAUTHORIZED')
    expect(bearerChallenge(r)?.error).toBe('invalid_token')
  })

  it('alg: none is refused', async () => {
    const unsigned = [Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url'), (await forge()).split('.')[1], ''].join('.')
    expectOciError(await pull(unsigned), 401, 'UNAUTHORIZED')
  })

  it('a token signed by another key is refused, also when it carries that key in a jwk header', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    expectOciError(await pull(await forge({}, { key: privateKey })), 401, 'UNAUTHORIZED')
    const jwk = await exportJWK(publicKey)
    expectOciError(await pull(await forge({}, { key: privateKey, header: { jwk } })), 401, 'UNAUTHORIZED')
    // Even the server's own key is refused when the header tries to name a key.
    const ownJwk = await exportJWK(serverKey)
    delete (ownJwk as Record<string, unknown>).d
    expectOciError(await pull(await forge({}, { header: { jwk: ownJwk } })), 401, 'UNAUTHORIZED')
  })

  it('an HS256 token "signed" with the public key is refused (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(readFileSync(acc!.tokenKeyFile, 'utf8'))
    const token = await new SignJWT({ iss: 'harbormaster-token-service', aud: TOKEN_SERVICE, sub: 'x', access: [{ type: 'repository', name: privRepo, actions: ['pull'] }] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime('5m')
      .sign(secret)
    expectOciError(await pull(token), 401, 'UNAUTHORIZED')
  })

  it('DELETE with a pull,push token answers 401 insufficient_scope (push never implies delete)', async () => {
    const token = await fetchToken(reg.url, [`repository:${privRepo}:pull,push`], { user: reg.user, password: reg.password })
    const r = await anon.deleteManifest(privRepo, image.manifest.digest, withBearer(token))
    expectOciError(r, 401, 'UNAUTHORIZED')
    expect(bearerChallenge(r)).toMatchObject({ error: 'insufficient_scope', scope: `repository:${privRepo}:delete` })
    expect((await admin.getManifest(privRepo, image.manifest.digest)).status).toBe(200)
  })
})

describe.runIf(ours)('content isolation', () => {
  it('a blob of a private repository requested through a public one is 404 BLOB_UNKNOWN', async () => {
    expect((await admin.headBlob(privRepo, privateOnly.digest)).status).toBe(200)
    expectOciError(await anon.getBlob(pubRepo, privateOnly.digest), 404, 'BLOB_UNKNOWN')
    expectOciError(await anon.request('HEAD', `/v2/${pubRepo}/blobs/${privateOnly.digest}`, { auth: false }), 404)
    // Not even the admin, who could read both, gets it through the repository that does not link it.
    expectOciError(await admin.getBlob(pubRepo, privateOnly.digest), 404, 'BLOB_UNKNOWN')
    // And anonymous callers get the challenge on the private repository itself.
    expect((await anon.getBlob(privRepo, privateOnly.digest)).status).toBe(401)
  })

  it('the catalog with a huge n is capped and fast, and lists only readable repositories', async () => {
    for (const n of ['1000000000000', '99999999999999999999999']) {
      const started = Date.now()
      const r = await anon.request('GET', `/v2/_catalog?n=${n}`, { credentials: acc!.outsider })
      expect(r.status, r.describe()).toBe(200)
      expect(Date.now() - started).toBeLessThan(5000)
      const names = (r.json() as { repositories: string[] }).repositories
      expect(names.length).toBeLessThanOrEqual(10_000)
      expect(names).toContain(pubRepo)
      expect(names).not.toContain(privRepo)
      expect(names.every((name) => name.startsWith(`${acc!.publicProject}/`) || name.startsWith(`${acc!.outsider.user}/`))).toBe(true)
      // Anonymous callers are challenged (the catalog is for authenticated callers).
      expect((await anon.request('GET', `/v2/_catalog?n=${n}`, { auth: false })).status).toBe(401)
    }
    const mine = (await reg.anonymous().request('GET', '/v2/_catalog?n=100000', { credentials: acc!.roles.limitedGuest })).json() as { repositories: string[] }
    expect(mine.repositories).toContain(privRepo)
    const theirs = (await reg.anonymous().request('GET', '/v2/_catalog?n=100000', { credentials: acc!.outsider })).json() as { repositories: string[] }
    expect(theirs.repositories).not.toContain(privRepo)
  })

  it('a mount from a repository the caller cannot read starts a normal upload (202, not 201)', async () => {
    const outsider = reg.anonymous()
    const target = `${acc!.outsider.user}/mount-${suffix()}`
    const query = { mount: privateOnly.digest, from: privRepo }
    // HTTP Basic
    const r = await outsider.startUpload(target, query, { credentials: acc!.outsider })
    expect(r.status, r.describe()).toBe(202)
    expect((await outsider.headBlob(target, privateOnly.digest, { credentials: acc!.outsider })).status).toBe(404)
    // Bearer, with both scopes requested the way containers/image does
    const token = await fetchToken(reg.url, [`repository:${target}:pull,push`, `repository:${privRepo}:pull`], acc!.outsider)
    const b = await outsider.startUpload(target, query, withBearer(token))
    expect(b.status, b.describe()).toBe(202)
    // The same mount by someone who may read the source succeeds.
    const ok = await admin.startUpload(`${acc!.publicProject}/mount-${suffix()}`, query)
    expect(ok.status, ok.describe()).toBe(201)
  })
})

describe.runIf(ours)('anonymous access and namespaces', () => {
  it('anonymous pull of a public project works; of a private one gets the Bearer challenge', async () => {
    expect((await anon.getManifest(pubRepo, 'v1', { auth: false })).status).toBe(200)
    const r = await anon.getManifest(privRepo, 'v1', { auth: false })
    expectOciError(r, 401, 'UNAUTHORIZED')
    expect(bearerChallenge(r)).toEqual({ realm: `${reg.url}/service/token`, service: TOKEN_SERVICE, scope: `repository:${privRepo}:pull` })
    const base = await anon.get('/v2/', { auth: false })
    expect(base.status).toBe(401)
    expect(bearerChallenge(base)).toEqual({ realm: `${reg.url}/service/token`, service: TOKEN_SERVICE })
  })

  it('a push into a project that does not exist is refused, even for the admin, and creates nothing', async () => {
    const repo = `ghost-${suffix()}/app`
    const r = await admin.startUpload(repo)
    expectOciError(r, 403, 'DENIED')
    expect(r.text()).toMatch(/does not exist/)
    const token = await fetchToken(reg.url, [`repository:${repo}:pull,push`], { user: reg.user, password: reg.password })
    expectOciError(await anon.startUpload(repo, {}, withBearer(token)), 403, 'DENIED')
    const catalog = (await admin.request('GET', '/v2/_catalog?n=100000')).json() as { repositories: string[] }
    expect(catalog.repositories.some((n) => n.startsWith(repo.split('/')[0]))).toBe(false)
  })

  it('a push to a name without a project is refused with NAME_INVALID', async () => {
    const r = await admin.startUpload(`single-${suffix()}`)
    expectOciError(r, 400, 'NAME_INVALID')
    expect(r.text()).toMatch(/project/)
  })

  it("a push into another user's namespace is refused (403 DENIED with Basic, insufficient_scope with a token)", async () => {
    const repo = `${acc!.outsider.user}/not-yours-${suffix()}`
    expectOciError(await anon.startUpload(repo, {}, { credentials: acc!.owner }), 403, 'DENIED')
    const token = await fetchToken(reg.url, [`repository:${repo}:pull,push`], acc!.owner)
    expectOciError(await anon.startUpload(repo, {}, withBearer(token)), 401, 'UNAUTHORIZED')
    // Their own namespace works.
    expect((await anon.startUpload(repo, {}, { credentials: acc!.outsider })).status).toBe(202)
  })
})

describe.runIf(ours)('credentials', () => {
  it('wrong, unknown, expired and disabled credentials on /v2 get 401 with the Bearer challenge', async () => {
    for (const creds of [
      { user: acc!.mistyped.user, password: 'wrong-password' },
      { user: `nobody-${suffix()}`, password: 'wrong-password' },
      acc!.tokens.expired,
      acc!.robots.disabled,
      acc!.robots.expired,
    ]) {
      const r = await anon.get('/v2/', { credentials: creds })
      expectOciError(r, 401, 'UNAUTHORIZED')
      expect(bearerChallenge(r)?.realm).toBe(`${reg.url}/service/token`)
    }
  })

  it('after repeated failures the account is blocked: even the right password fails like a wrong one', async () => {
    const user = acc!.throttled
    const wrong = { user: user.user, password: 'wrong-password' }
    for (let i = 0; i < 6; i++) expect((await tokenRequest(reg.url, [], wrong)).status).toBe(401)
    const blocked = await tokenRequest(reg.url, [], user)
    expect(blocked.status).toBe(401)
    const wrongBody = await (await tokenRequest(reg.url, [], wrong)).text()
    expect(await blocked.text()).toBe(wrongBody)
    expect((await anon.get('/v2/', { credentials: user })).status).toBe(401)
    // Other accounts from the same address are not affected.
    expect((await tokenRequest(reg.url, [], acc!.owner)).status).toBe(200)
  })

  it('robots cannot use their secret as a user, and access tokens only with their owner', async () => {
    expect((await anon.get('/v2/', { credentials: { user: acc!.owner.user, password: acc!.robots.privatePush.password } })).status).toBe(401)
    expect((await anon.get('/v2/', { credentials: { user: acc!.owner.user, password: acc!.tokens.readWrite.password } })).status).toBe(401)
    expect((await anon.get('/v2/', { credentials: acc!.tokens.readWrite })).status).toBe(200)
  })
})
