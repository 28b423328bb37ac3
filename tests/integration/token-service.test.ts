// The Docker token service at /service/token (distribution's token.md / jwt.md / scope.md):
// intersection grants, anonymous tokens, claims, errors, POST password grant.
import { describe, expect, it } from 'vitest'
import { registryUnderTest } from '../support/context'
import { TOKEN_SERVICE, decodeClaims, decodeHeader, fetchToken, grantedOn, tokenRequest } from '../support/tokens'

const reg = registryUnderTest()
const acc = reg.accounts
const ours = reg.flavour === 'ours' && !!acc

describe.runIf(ours)('GET /service/token', () => {
  const pub = `${acc?.publicProject}/app`
  const priv = `${acc?.privateProject}/app`

  it('is served directly (no redirect) with the spec response fields and no refresh token', async () => {
    const r = await tokenRequest(reg.url, [`repository:${pub}:pull`], undefined, { client_id: 'docker', offline_token: 'true', account: '' })
    expect(r.status).toBe(200)
    expect(r.headers.get('cache-control')).toMatch(/no-store/)
    const body = (await r.json()) as Record<string, unknown>
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'issued_at', 'token'])
    expect(body.token).toBe(body.access_token)
    expect(body.expires_in).toBe(300)
    expect(Math.abs(Date.parse(body.issued_at as string) - Date.now())).toBeLessThan(60_000)
  })

  it('signs ES256 with a kid and sets iss, sub, aud, exp, nbf, iat, jti and access', async () => {
    const token = await fetchToken(reg.url, [`repository:${priv}:pull`], acc!.roles.guest)
    const header = decodeHeader(token)
    expect(header.alg).toBe('ES256')
    expect(typeof header.kid).toBe('string')
    expect(header).not.toHaveProperty('jwk')
    const c = decodeClaims(token)
    expect(c.iss).toBe('harbormaster-token-service')
    expect(c.aud).toBe(TOKEN_SERVICE)
    expect(c.sub).toBe(acc!.roles.guest.user)
    expect(c.exp - c.iat).toBe(300)
    expect(c.nbf).toBeLessThanOrEqual(c.iat)
    expect(c.jti).toMatch(/^[0-9a-f]{32}$/)
    expect(c.access).toEqual([{ type: 'repository', name: priv, actions: ['pull'] }])
    const again = decodeClaims(await fetchToken(reg.url, [`repository:${priv}:pull`], acc!.roles.guest))
    expect(again.jti).not.toBe(c.jti)
  })

  it('without credentials: an anonymous token with what public projects allow', async () => {
    const token = await fetchToken(reg.url, [`repository:${pub}:pull,push,delete`, `repository:${priv}:pull`, 'registry:catalog:*'])
    expect(decodeClaims(token).sub).toBe('')
    expect(grantedOn(token, pub)).toEqual(['pull'])
    expect(grantedOn(token, priv)).toEqual([])
    // /v2/_catalog challenges anonymous requests; an anonymous token lists the public repositories.
    expect(decodeClaims(token).access).toContainEqual({ type: 'registry', name: 'catalog', actions: ['*'] })
  })

  it('grants registry:catalog:* to every authenticated caller: users, access tokens, robots', async () => {
    for (const creds of [acc!.outsider, acc!.roles.limitedGuest, acc!.tokens.read, acc!.robots.privatePull, { user: reg.user, password: reg.password }]) {
      const token = await fetchToken(reg.url, ['registry:catalog:*'], creds)
      expect(decodeClaims(token).access, creds.user).toEqual([{ type: 'registry', name: 'catalog', actions: ['*'] }])
    }
  })

  it('grants the intersection of requested and permitted actions, per repository', async () => {
    const dev = acc!.roles.developer
    const t = await fetchToken(reg.url, [`repository:${priv}:pull,push,delete`, `repository:${pub}:pull`], dev)
    expect(grantedOn(t, priv)).toEqual(['pull', 'push'])
    expect(grantedOn(t, pub)).toEqual(['pull'])
    // `*` means every action; a maintainer gets all three.
    expect(grantedOn(await fetchToken(reg.url, [`repository:${priv}:*`], acc!.roles.maintainer), priv)).toEqual(['pull', 'push', 'delete'])
    // Several scopes in one parameter (space-separated) and repeated scopes for one repository merge.
    const merged = await fetchToken(reg.url, [`repository:${priv}:pull repository:${priv}:push`], dev)
    expect(grantedOn(merged, priv)).toEqual(['pull', 'push'])
    // A non-member gets nothing on the private project: an empty grant, not an error.
    expect(grantedOn(await fetchToken(reg.url, [`repository:${priv}:pull,push`], acc!.outsider), priv)).toEqual([])
    // Guests pull only.
    expect(grantedOn(await fetchToken(reg.url, [`repository:${priv}:pull,push`], acc!.roles.limitedGuest), priv)).toEqual(['pull'])
  })

  it('grants nothing in a project that does not exist or for a name without a project, even to the admin', async () => {
    const admin = { user: reg.user, password: reg.password }
    const t = await fetchToken(reg.url, ['repository:no-such-project/app:pull,push', 'repository:single:pull,push'], admin)
    expect(grantedOn(t, 'no-such-project/app')).toEqual([])
    expect(grantedOn(t, 'single')).toEqual([])
    expect(grantedOn(await fetchToken(reg.url, [`repository:${priv}:pull,push,delete`], admin), priv)).toEqual(['pull', 'push', 'delete'])
  })

  it('caps access tokens at their permission and robots at their grants', async () => {
    const all = [`repository:${priv}:pull,push,delete`, `repository:${pub}:pull,push,delete`]
    expect(grantedOn(await fetchToken(reg.url, all, acc!.tokens.read), priv)).toEqual(['pull'])
    expect(grantedOn(await fetchToken(reg.url, all, acc!.tokens.readWrite), priv)).toEqual(['pull', 'push'])
    expect(grantedOn(await fetchToken(reg.url, all, acc!.tokens.readWriteDelete), priv)).toEqual(['pull', 'push', 'delete'])
    const robot = await fetchToken(reg.url, all, acc!.robots.privatePush)
    expect(grantedOn(robot, priv)).toEqual(['pull', 'push'])
    expect(grantedOn(robot, pub)).toEqual(['pull']) // public: pull only, no push outside its project
    expect(decodeClaims(robot).sub).toBe(acc!.robots.privatePush.user)
    expect(grantedOn(await fetchToken(reg.url, all, acc!.robots.privatePull), priv)).toEqual(['pull'])
  })

  it('refuses wrong credentials with 401 and the error body; unknown, expired and disabled credentials alike', async () => {
    const bodies = new Set<string>()
    for (const creds of [
      { user: acc!.roles.developer.user, password: 'wrong-password' },
      { user: 'nobody-here', password: 'whatever-password' },
      acc!.tokens.expired,
      { user: acc!.roles.developer.user, password: acc!.tokens.readWrite.password }, // someone else's token
      acc!.robots.disabled,
      acc!.robots.expired,
      { user: acc!.robots.privatePush.user, password: acc!.robots.privatePull.password },
    ]) {
      const r = await tokenRequest(reg.url, [`repository:${pub}:pull`], creds)
      expect(r.status, creds.user).toBe(401)
      const body = (await r.json()) as { errors: { code: string; message: string }[] }
      expect(body.errors[0].code).toBe('UNAUTHORIZED')
      bodies.add(JSON.stringify(body))
    }
    // One answer for every reason: nothing tells whether the account exists or why it failed.
    expect([...bodies]).toHaveLength(1)
  })

  it('refuses malformed scopes and a foreign service with 400', async () => {
    expect((await tokenRequest(reg.url, ['repository-no-colons'])).status).toBe(400)
    expect((await tokenRequest(reg.url, ['repository:a/b:PULL'])).status).toBe(400)
    const u = new URL('/service/token', reg.url)
    u.searchParams.set('service', 'someone-else')
    expect((await fetch(u)).status).toBe(400)
  })

  it('login without scope (what clients do on login) answers a token with an empty access list', async () => {
    const t = await fetchToken(reg.url, [], acc!.owner)
    expect(decodeClaims(t).access).toEqual([])
  })
})

describe.runIf(ours)('POST /service/token', () => {
  const form = (fields: Record<string, string>) =>
    fetch(new URL('/service/token', reg.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    })

  it('grant_type=password answers an OAuth2 token response without a refresh token', async () => {
    const r = await form({
      grant_type: 'password',
      username: acc!.owner.user,
      password: acc!.owner.password,
      service: TOKEN_SERVICE,
      scope: `repository:${acc!.privateProject}/x:pull`,
      client_id: 'test',
    })
    expect(r.status).toBe(200)
    const body = (await r.json()) as Record<string, unknown>
    expect(body).not.toHaveProperty('refresh_token')
    expect(grantedOn(body.access_token as string, `${acc!.privateProject}/x`)).toEqual(['pull'])
  })

  it('refuses refresh_token and unknown grants with 400 unsupported_grant_type, wrong passwords with 401', async () => {
    const refresh = await form({ grant_type: 'refresh_token', refresh_token: 'x', service: TOKEN_SERVICE, client_id: 'test' })
    expect(refresh.status).toBe(400)
    expect(((await refresh.json()) as { error: string }).error).toBe('unsupported_grant_type')
    const wrong = await form({ grant_type: 'password', username: acc!.mistyped.user, password: 'nope-nope', service: TOKEN_SERVICE })
    expect(wrong.status).toBe(401)
  })
})
