// Scope grammar (distribution's scope.md) and token verification, without a server.
import { generateKeyPairSync } from 'node:crypto'
import { SignJWT, exportJWK } from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CLOCK_TOLERANCE_SECONDS, ScopeError, TokenVerifier, issueToken, parseScope, parseScopes, verifyToken, type TokenKeys } from '../../../lib/auth/token-service'
import { ANONYMOUS_SUBJECT } from '../../../lib/auth/permissions'

describe('parseScope', () => {
  it('parses type, name and actions', () => {
    expect(parseScope('repository:team/app:pull,push')).toEqual({ type: 'repository', resourceClass: undefined, name: 'team/app', actions: ['pull', 'push'] })
    expect(parseScope('registry:catalog:*')).toEqual({ type: 'registry', resourceClass: undefined, name: 'catalog', actions: ['*'] })
  })
  it('keeps a host:port prefix in the name and reads a resource class', () => {
    expect(parseScope('repository:localhost:5000/team/app:pull').name).toBe('localhost:5000/team/app')
    expect(parseScope('repository(plugin):team/app:pull')).toMatchObject({ type: 'repository', resourceClass: 'plugin' })
  })
  it('dedupes actions and allows an empty action list', () => {
    expect(parseScope('repository:a/b:pull,pull,push').actions).toEqual(['pull', 'push'])
    expect(parseScope('repository:a/b:').actions).toEqual([])
  })
  it.each(['', 'repository', 'repository:a/b', ':a/b:pull', 'Repository:a/b:pull', 'repository::pull', 'repository:a/b:PULL', 'repository:a/b:pu-ll'])('refuses %j', (text) =>
    expect(() => parseScope(text)).toThrow(ScopeError),
  )
  it('splits space-separated scopes and caps their number', () => {
    expect(parseScopes(['repository:a/b:pull repository:c/d:push', 'registry:catalog:*']).map((s) => s.name)).toEqual(['a/b', 'c/d', 'catalog'])
    expect(() => parseScopes(Array.from({ length: 101 }, () => 'repository:a/b:pull'))).toThrow(ScopeError)
  })
})

describe('verifyToken', () => {
  const settings = { issuer: 'iss-test', service: 'svc-test', lifetimeMs: 300_000 }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const keys: TokenKeys = { privateKey, publicKey, kid: 'test' }
  const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const now = () => Math.floor(Date.now() / 1000)
  const forge = (claims: Record<string, unknown>, key = privateKey, header: Record<string, unknown> = {}) =>
    new SignJWT({ iss: 'iss-test', aud: 'svc-test', sub: 'u', iat: now(), nbf: now(), exp: now() + 60, access: [], ...claims })
      .setProtectedHeader({ alg: 'ES256', ...header })
      .sign(key)

  it('accepts what issueToken signs and returns its access and actor', async () => {
    const issued = await issueToken(keys, settings, { kind: 'user', userId: 7, username: 'u', isAdmin: false }, [{ type: 'repository', name: 'u/x', actions: ['pull'] }])
    expect(issued.expiresIn).toBe(300)
    const v = await verifyToken(keys, settings, issued.token)
    expect(v).toEqual({ subject: 'u', actorId: 'user:7', access: [{ type: 'repository', name: 'u/x', actions: ['pull'] }], expiresAt: issued.issuedAt.getTime() + 300_000 })
    const anon = await verifyToken(keys, settings, (await issueToken(keys, settings, ANONYMOUS_SUBJECT, [])).token)
    expect(anon.actorId).toBeUndefined()
  })

  it.each([
    ['expired', { exp: now() - 60, iat: now() - 400, nbf: now() - 400 }],
    ['not yet valid', { nbf: now() + 300, exp: now() + 600 }],
    ['wrong audience', { aud: 'other' }],
    ['wrong issuer', { iss: 'other' }],
    ['no exp', { exp: undefined }],
  ])('refuses a token: %s', async (_n, claims) => {
    await expect(verifyToken(keys, settings, await forge(claims))).rejects.toThrow(/invalid token/)
  })

  it('tolerates a few seconds of clock skew', async () => {
    await expect(verifyToken(keys, settings, await forge({ nbf: now() + 5 }))).resolves.toBeDefined()
  })

  it('refuses other keys, key-carrying headers and alg none', async () => {
    await expect(verifyToken(keys, settings, await forge({}, other.privateKey))).rejects.toThrow()
    await expect(verifyToken(keys, settings, await forge({}, other.privateKey, { jwk: await exportJWK(other.publicKey) }))).rejects.toThrow(/own key/)
    await expect(verifyToken(keys, settings, await forge({}, privateKey, { jku: 'http://evil/keys' }))).rejects.toThrow(/own key/)
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: 'iss-test', aud: 'svc-test', exp: now() + 60 })).toString('base64url')}.`
    await expect(verifyToken(keys, settings, none)).rejects.toThrow(/ES256/)
    await expect(verifyToken(keys, settings, 'not-a-jwt')).rejects.toThrow(/malformed/)
  })
})

describe('TokenVerifier', () => {
  const settings = { issuer: 'iss-test', service: 'svc-test', lifetimeMs: 300_000 }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const keys: TokenKeys = { privateKey, publicKey, kid: 'test' }
  const now = () => Math.floor(Date.now() / 1000)
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT({ iss: 'iss-test', aud: 'svc-test', sub: 'u', iat: now(), nbf: now(), exp: now() + 60, access: [], ...claims })
      .setProtectedHeader({ alg: 'ES256' })
      .sign(privateKey)

  afterEach(() => {
    vi.useRealTimers()
  })

  it('answers a token it verified from memory until the token expires, then checks it again', async () => {
    const verifier = new TokenVerifier(keys, settings)
    const token = await sign({ exp: now() + 30 })
    const first = await verifier.verify(token)
    expect(await verifier.verify(token)).toBe(first)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(first.expiresAt + 1)
    const again = verifier.verify(token)
    // past exp but within the clock tolerance: verified anew (a fresh result), not served from memory
    await expect(again).resolves.not.toBe(first)
    vi.setSystemTime(first.expiresAt + (CLOCK_TOLERANCE_SECONDS + 5) * 1000)
    await expect(verifier.verify(token)).rejects.toThrow(/invalid token/)
  })

  it('never remembers a failure', async () => {
    const verifier = new TokenVerifier(keys, settings)
    const early = await sign({ nbf: now() + 300, exp: now() + 600 })
    await expect(verifier.verify(early)).rejects.toThrow(/invalid token/)
    await expect(verifier.verify(early)).rejects.toThrow(/invalid token/)
  })
})
