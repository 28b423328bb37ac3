// The benchmark client authenticates as docker/podman/skopeo do (issue #15): an anonymous request,
// a 401 with a Bearer challenge, a token from the realm with Basic credentials for that repository
// and scope, cached until it expires. Checked against a fake registry that logs what it receives.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, Target } from '../../bench/lib/http'

interface Seen {
  method: string
  path: string
  auth: string | undefined
}

const USER = 'admin'
const PASSWORD = 'secret'
const basic = 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64')
let server: http.Server
let base: string
let seen: Seen[] = []
let expiresIn = 300

const scopeOf = (path: string, method: string): string => {
  const repo = /^\/v2\/(.+?)\/(blobs|manifests|tags)\//.exec(path)?.[1] ?? ''
  return `repository:${repo}:${method === 'GET' || method === 'HEAD' ? 'pull' : 'pull,push'}`
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    seen.push({ method: req.method ?? '', path: url.pathname + url.search, auth: req.headers.authorization })
    if (url.pathname === '/service/token') {
      if (req.headers.authorization !== basic) return void res.writeHead(401).end()
      const scope = url.searchParams.get('scope')
      res.writeHead(200, { 'content-type': 'application/json' })
      return void res.end(JSON.stringify({ token: `tok:${scope}`, expires_in: expiresIn }))
    }
    const challenge = (scope?: string) =>
      void res.writeHead(401, { 'www-authenticate': `Bearer realm="${base}/service/token",service="fake"${scope ? `,scope="${scope}"` : ''}` }).end()
    if (url.pathname === '/v2/') return challenge()
    const expected = `Bearer tok:${scopeOf(url.pathname, req.method ?? '')}`
    if (req.headers.authorization !== expected) return challenge(scopeOf(url.pathname, req.method ?? ''))
    res.writeHead(req.method === 'PUT' ? 201 : 200, { 'content-length': '0' }).end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(() => new Promise<void>((r) => server.close(() => r())))

const newClient = () => {
  seen = []
  const target = new Target('fake', base, { user: USER, password: PASSWORD }, 'token')
  return { target, client: new Client(target, 4) }
}

describe('bench client: the Docker token flow', () => {
  it('goes anonymous first, answers the Bearer challenge with a token for that repository and scope, then reuses it', async () => {
    const { target, client } = newClient()
    await client.request({ method: 'HEAD', url: '/v2/p/a/blobs/sha256:1', kind: 'pull', expect: [200] })
    await client.request({ method: 'HEAD', url: '/v2/p/a/blobs/sha256:2', kind: 'pull', expect: [200] })
    client.close()
    expect(seen.map((s) => `${s.method} ${s.path.replace(/\?.*/, '')} ${s.auth?.split(' ')[0] ?? 'anonymous'}`)).toEqual([
      'HEAD /v2/p/a/blobs/sha256:1 anonymous',
      'GET /service/token Basic',
      'HEAD /v2/p/a/blobs/sha256:1 Bearer',
      'HEAD /v2/p/a/blobs/sha256:2 Bearer',
    ])
    expect(new URL(seen[1].path, base).searchParams.getAll('scope')).toEqual(['repository:p/a:pull'])
    expect(target.tokenFetches).toBe(1)
    expect(target.challenges).toBe(1)
  })

  it('after a ping, fetches one token per repository and scope: a push to a new repository asks for a new one', async () => {
    const { target, client } = newClient()
    await client.request({ method: 'GET', url: '/v2/', kind: 'ping', expect: [401] })
    for (const repo of ['p/one', 'p/two']) for (let i = 0; i < 3; i++) await client.request({ method: 'PUT', url: `/v2/${repo}/manifests/t${i}`, kind: 'push', expect: [201] })
    await client.request({ method: 'GET', url: '/v2/p/one/manifests/t0', kind: 'pull', expect: [200] })
    client.close()
    const scopes = seen.filter((s) => s.path.startsWith('/service/token')).map((s) => new URL(s.path, base).searchParams.get('scope'))
    expect(scopes).toEqual(['repository:p/one:pull,push', 'repository:p/two:pull,push', 'repository:p/one:pull'])
    expect(target.tokenFetches).toBe(3)
    expect(target.challenges).toBe(0)
  })

  it('fetches a new token once the cached one has expired', async () => {
    expiresIn = 1
    try {
      const { target, client } = newClient()
      await client.request({ method: 'GET', url: '/v2/', kind: 'ping', expect: [401] })
      await client.request({ method: 'GET', url: '/v2/p/a/tags/list', kind: 'pull', expect: [200] })
      await client.request({ method: 'GET', url: '/v2/p/a/tags/list', kind: 'pull', expect: [200] })
      expect(target.tokenFetches).toBe(1)
      await new Promise((r) => setTimeout(r, 1000))
      await client.request({ method: 'GET', url: '/v2/p/a/tags/list', kind: 'pull', expect: [200] })
      client.close()
      expect(target.tokenFetches).toBe(2)
    } finally {
      expiresIn = 300
    }
  })

  it('keeps preemptive Basic on writes with --auth basic', async () => {
    seen = []
    const target = new Target('fake', base, { user: USER, password: PASSWORD }, 'basic')
    const client = new Client(target, 1)
    // The fake only accepts tokens, so the Bearer challenge to Basic switches to the token flow (noted).
    await client.request({ method: 'PUT', url: '/v2/p/b/manifests/x', kind: 'push', expect: [201] })
    client.close()
    expect(seen[0].auth).toBe(basic)
    expect(target.authMode).toBe('token')
    expect([...target.notes].join()).toMatch(/switched to the token flow/)
  })
})
