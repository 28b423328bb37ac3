// The upstream client against tiny local fakes (node:http) for what a real registry cannot be made
// to do: rate limits, 5xx, silence, refused connections, lying about a digest, redirects, and a
// token service whose calls are counted on a clock the test moves. The same client against real
// upstreams (distribution, this registry) is in tests/integration/upstream-client.test.ts.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import os from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { UpstreamError, createUpstreamClient, pingUpstream, registryBaseUrl, upstreamRepository, type UpstreamEndpoint } from '../../../lib/upstream'
import { parseChallenge, readTokenResponse } from '../../../lib/upstream/auth'

const servers: Server[] = []
const clients: Array<{ close(): void }> = []

interface Fake {
  url: string
  port: number
  requests: Array<{ method: string; url: string; authorization?: string }>
}

async function startFake(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<Fake> {
  const requests: Fake['requests'] = []
  const server = createServer((req, res) => {
    requests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization })
    handle(req, res)
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, port, requests }
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})

const LOOPBACK = { allowedNetworks: ['127.0.0.1/32'] }

function endpoint(url: string, credentials: UpstreamEndpoint['credentials'] = { kind: 'anonymous' }): UpstreamEndpoint {
  return { url, type: 'distribution', insecure: false, credentials }
}

function client(ep: UpstreamEndpoint, options: Partial<Parameters<typeof createUpstreamClient>[1]> = {}) {
  const c = createUpstreamClient(ep, { ...LOOPBACK, ...options })
  clients.push(c)
  return c
}

function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

/** What the promise rejects with, as an UpstreamError. */
async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError)
    return error as UpstreamError
  }
  throw new Error('expected the call to fail')
}

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

const MANIFEST = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {}, layers: [] }))
const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json'

describe('Docker Hub names', () => {
  it('maps single-component names to library/ for Docker Hub only', () => {
    expect(upstreamRepository({ type: 'docker-hub' }, 'alpine')).toBe('library/alpine')
    expect(upstreamRepository({ type: 'docker-hub' }, 'bitnami/redis')).toBe('bitnami/redis')
    expect(upstreamRepository({ type: 'distribution' }, 'alpine')).toBe('alpine')
    expect(upstreamRepository({ type: 'harbor' }, 'alpine')).toBe('alpine')
  })

  it('sends Docker Hub aliases to registry-1.docker.io and keeps other URLs', () => {
    expect(registryBaseUrl({ type: 'docker-hub', url: 'https://docker.io' })).toBe('https://registry-1.docker.io')
    expect(registryBaseUrl({ type: 'docker-hub', url: 'https://hub.docker.com/' })).toBe('https://registry-1.docker.io')
    expect(registryBaseUrl({ type: 'docker-hub', url: 'https://mirror.example.com/' })).toBe('https://mirror.example.com')
    expect(registryBaseUrl({ type: 'distribution', url: 'http://10.0.0.5:5000/' })).toBe('http://10.0.0.5:5000')
  })
})

describe('token flow pieces', () => {
  it('parses Bearer and Basic challenges, quoted and bare', () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' },
    })
    expect(parseChallenge('Basic realm=basic-realm')).toEqual({ scheme: 'basic', params: { realm: 'basic-realm' } })
    expect(parseChallenge('Negotiate abc')).toBeNull()
    expect(parseChallenge(undefined)).toBeNull()
  })

  it('keeps a token until shortly before expires_in (default 60 s), counted from issued_at when it is not in our future', () => {
    const now = Date.parse('2026-01-01T00:10:00Z')
    expect(readTokenResponse({ token: 't', expires_in: 300 }, now)).toEqual({ token: 't', expiresAt: now + 300_000 - 30_000 })
    expect(readTokenResponse({ access_token: 'a' }, now)).toEqual({ token: 'a', expiresAt: now + 60_000 - 12_000 })
    const issuedAt = now - 100_000
    expect(readTokenResponse({ token: 't', expires_in: 300, issued_at: new Date(issuedAt).toISOString() }, now)?.expiresAt).toBe(issuedAt + 270_000)
    expect(readTokenResponse({ token: 't', expires_in: 300, issued_at: '2030-01-01T00:00:00Z' }, now)?.expiresAt).toBe(now + 270_000)
    expect(readTokenResponse({ expires_in: 300 }, now)).toBeNull()
  })
})

describe('failure modes, each a typed error naming the upstream', () => {
  it('429 is rate_limited with Retry-After', async () => {
    const fake = await startFake((_, res) => {
      res.writeHead(429, { 'Retry-After': '30', 'Content-Type': 'application/json' })
      res.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'pull rate limit' }] }))
    })
    const error = await failure(client(endpoint(fake.url)).getManifest('library/alpine', 'latest', [MANIFEST_TYPE]))
    expect(error.kind).toBe('rate_limited')
    expect(error.details).toMatchObject({ status: 429, retryAfterSeconds: 30, upstream: fake.url })
    expect(error.message).toBe(`upstream ${fake.url}: rate limited on manifest library/alpine:latest (429) (retry after 30 s): TOOMANYREQUESTS pull rate limit`)
  })

  it('500 is upstream_error; 404 is not_found (and null from HEAD)', async () => {
    const fake = await startFake((req, res) => {
      res.writeHead(req.url!.includes('broken') ? 500 : 404)
      res.end()
    })
    const c = client(endpoint(fake.url))
    expect(await failure(c.getBlob('broken/repo', sha256('x')))).toMatchObject({ kind: 'upstream_error', details: { status: 500 } })
    expect(await failure(c.getManifest('some/repo', 'latest', [MANIFEST_TYPE]))).toMatchObject({ kind: 'not_found' })
    expect(await c.headManifest('some/repo', 'latest', [MANIFEST_TYPE])).toBeNull()
  })

  it('an upstream that accepts and never answers times out within the bound', async () => {
    const fake = await startFake(() => {
      /* never answers */
    })
    const started = Date.now()
    const error = await failure(client(endpoint(fake.url), { headersTimeoutMs: 300 }).headManifest('a/b', 'latest', [MANIFEST_TYPE]))
    expect(error.kind).toBe('timeout')
    expect(error.message).toContain(fake.url)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('a blob body that stalls ends in a timeout error on the stream, not a hang', async () => {
    const fake = await startFake((_, res) => {
      res.writeHead(200, { 'Content-Length': '1000' })
      res.write(Buffer.alloc(10))
    })
    const blob = await client(endpoint(fake.url), { bodyIdleTimeoutMs: 300 }).getBlob('a/b', sha256(Buffer.alloc(1000)))
    expect(blob.size).toBe(1000)
    const error = await failure(drain(blob.stream))
    expect(error.kind).toBe('timeout')
  })

  it('an endless error body does not hold the caller: the status is reported', async () => {
    const fake = await startFake((_, res) => {
      res.writeHead(503, { 'Content-Type': 'text/plain' })
      const timer = setInterval(() => res.write(Buffer.alloc(16 * 1024, 97)), 1)
      res.on('close', () => clearInterval(timer))
    })
    expect(await failure(client(endpoint(fake.url)).getManifest('a/b', 'latest', [MANIFEST_TYPE]))).toMatchObject({
      kind: 'upstream_error',
      message: expect.stringMatching(/manifest a\/b:latest answered 503: a{200}$/),
    })
  })

  it('a refused connection is unreachable', async () => {
    const fake = await startFake(() => {})
    servers.pop()!.close()
    await new Promise((r) => setTimeout(r, 50))
    const result = await pingUpstream(endpoint(fake.url), LOOPBACK)
    expect(result).toMatchObject({ ok: false, kind: 'unreachable' })
    expect(!result.ok && result.message).toContain(`connection to 127.0.0.1:${fake.port} refused`)
  })

  it('hands a blob over as it arrives, unverified: its consumer checks the digest (the proxy cache does as it streams)', async () => {
    const real = Buffer.from('the real content')
    const fake = await startFake((_, res) => {
      res.writeHead(200, { 'Content-Length': '13' })
      res.end('other content')
    })
    const blob = await client(endpoint(fake.url)).getBlob('a/b', sha256(real))
    expect(blob.size).toBe(13)
    expect((await drain(blob.stream)).toString()).toBe('other content')
  })

  it('a manifest that does not match Docker-Content-Digest, or the requested digest, is invalid', async () => {
    const fake = await startFake((_, res) => {
      res.writeHead(200, { 'Content-Type': MANIFEST_TYPE, 'Docker-Content-Digest': sha256('something else') })
      res.end(MANIFEST)
    })
    const c = client(endpoint(fake.url))
    expect(await failure(c.getManifest('a/b', 'latest', [MANIFEST_TYPE]))).toMatchObject({ kind: 'invalid', message: expect.stringContaining('does not match its digest') })
    expect(await failure(c.getManifest('a/b', sha256('wanted'), [MANIFEST_TYPE]))).toMatchObject({ kind: 'invalid' })
  })

  it('a manifest over the size cap is invalid', async () => {
    const fake = await startFake((_, res) => {
      res.writeHead(200, { 'Content-Type': MANIFEST_TYPE })
      res.end(Buffer.alloc(5000, 32))
    })
    expect(await failure(client(endpoint(fake.url), { maxManifestBytes: 4096 }).getManifest('a/b', 'latest', [MANIFEST_TYPE]))).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('over the limit of 4096'),
    })
  })

  it('the SSRF guard refuses 127.0.0.1 unless UPSTREAM_ALLOWED_NETWORKS allows it, and sends nothing', async () => {
    const fake = await startFake((_, res) => res.end('{}'))
    const refused = await pingUpstream(endpoint(fake.url), { allowedNetworks: [] })
    expect(refused).toMatchObject({ ok: false, kind: 'unreachable' })
    expect(!refused.ok && refused.message).toContain('127.0.0.1 is a loopback address (127.0.0.0/8); allow it with UPSTREAM_ALLOWED_NETWORKS')
    const byName = await pingUpstream(endpoint(`http://localhost:${fake.port}`), { allowedNetworks: [] })
    expect(!byName.ok && byName.message).toMatch(/localhost resolves to no allowed address: .*UPSTREAM_ALLOWED_NETWORKS/)
    expect(fake.requests).toHaveLength(0)
    expect(await pingUpstream(endpoint(fake.url), LOOPBACK)).toEqual({ ok: true })
  })

  it('guards redirects and the token realm too', async () => {
    const fake = await startFake((req, res) => {
      if (req.url!.startsWith('/v2/a/b/blobs/')) {
        res.writeHead(307, { Location: 'http://10.0.0.1/storage/blob' })
        return res.end()
      }
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="http://192.168.1.1/token",service="x"' })
      res.end()
    })
    const c = client(endpoint(fake.url))
    expect(await failure(c.getBlob('a/b', sha256('x')))).toMatchObject({ kind: 'unreachable', message: expect.stringContaining('10.0.0.1 is a private address') })
    expect(await failure(c.getManifest('a/c', 'latest', [MANIFEST_TYPE]))).toMatchObject({
      kind: 'unreachable',
      message: expect.stringContaining('192.168.1.1 is a private address'),
    })
  })
})

describe('connections', () => {
  it('keeps connections alive: sequential requests to one upstream share a socket', async () => {
    let connections = 0
    const fake = await startFake((req, res) => {
      res.writeHead(200, { 'Content-Type': MANIFEST_TYPE, 'Docker-Content-Digest': sha256(MANIFEST), 'Content-Length': String(MANIFEST.length) })
      res.end(req.method === 'HEAD' ? undefined : MANIFEST)
    })
    servers.at(-1)!.on('connection', () => connections++)
    const c = client(endpoint(fake.url))
    for (let i = 0; i < 3; i++) await c.headManifest('a/b', 'latest', [MANIFEST_TYPE])
    for (let i = 0; i < 3; i++) await c.getManifest('a/b', 'latest', [MANIFEST_TYPE])
    expect(fake.requests).toHaveLength(6)
    expect(connections).toBe(1)
  })

  it('verifies TLS certificates unless the endpoint is insecure', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'upstream-tls-'))
    try {
      const made = spawnSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-keyout',
          path.join(dir, 'key.pem'),
          '-out',
          path.join(dir, 'cert.pem'),
        ],
        { encoding: 'utf8' },
      )
      expect(made.status, made.stderr).toBe(0)
      const server = createTlsServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (_, res) => res.end('{}'))
      servers.push(server)
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
      const strict = await pingUpstream(endpoint(url), LOOPBACK)
      expect(strict).toMatchObject({ ok: false, kind: 'unreachable' })
      expect(!strict.ok && strict.message).toContain('mark the endpoint insecure')
      expect(await pingUpstream({ ...endpoint(url), insecure: true }, LOOPBACK)).toEqual({ ok: true })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('redirects and the token flow against a counting fake', () => {
  it('follows a blob redirect to another origin without the credentials', async () => {
    const content = Buffer.from('layer bytes')
    const storage = await startFake((_, res) => res.end(content))
    const registry = await startFake((req, res) => {
      res.writeHead(307, { Location: `http://localhost:${storage.port}/blob?sig=1` })
      res.end()
    })
    const blob = await client(endpoint(registry.url, { kind: 'token', token: 'secret-token' })).getBlob('a/b', sha256(content))
    expect(await drain(blob.stream)).toEqual(content)
    expect(registry.requests[0].authorization).toBe('Bearer secret-token')
    expect(storage.requests).toEqual([{ method: 'GET', url: '/blob?sig=1', authorization: undefined }])
  })

  it('asks the token service once for concurrent requests of one scope', async () => {
    let issued = 0
    const fake = await startFake((req, res) => {
      if (req.url!.startsWith('/token')) {
        issued++
        // Slow enough that every request is waiting for it.
        return setTimeout(() => res.end(JSON.stringify({ token: 'shared' })), 50)
      }
      if (req.headers.authorization !== 'Bearer shared') {
        res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${fake.url}/token",service="fake"` })
        return res.end()
      }
      res.writeHead(200, { 'Content-Type': MANIFEST_TYPE, 'Docker-Content-Digest': sha256(MANIFEST), 'Content-Length': String(MANIFEST.length) })
      res.end()
    })
    const c = client(endpoint(fake.url))
    const heads = await Promise.all(Array.from({ length: 10 }, () => c.headManifest('a/b', 'latest', [MANIFEST_TYPE])))
    expect(heads.every((head) => head?.digest === sha256(MANIFEST))).toBe(true)
    expect(issued).toBe(1)
  })

  it('aborts a blob stream when the signal of the caller fires', async () => {
    const fake = await startFake((_, res) => {
      res.writeHead(200, { 'Content-Length': String(1024 * 1024) })
      res.write(Buffer.alloc(1024))
    })
    const controller = new AbortController()
    const blob = await client(endpoint(fake.url)).getBlob('a/b', sha256('whatever'), { signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    await expect(drain(blob.stream)).rejects.toMatchObject({ name: 'AbortError' })
    const aborted = new AbortController()
    aborted.abort()
    await expect(client(endpoint(fake.url)).getBlob('a/b', sha256('whatever'), { signal: aborted.signal })).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('fetches a token once per scope, reuses it, refreshes it when it expires, and retries once on a refused token', async () => {
    let issued = 0
    const valid = new Set<string>()
    const fake = await startFake((req, res) => {
      if (req.url!.startsWith('/token')) {
        expect(req.headers.authorization).toBe(`Basic ${Buffer.from('alice:s3cret').toString('base64')}`)
        const token = `t${++issued}`
        valid.add(token)
        res.writeHead(200, { 'Content-Type': 'application/json' })
        return res.end(JSON.stringify({ token, expires_in: 100 }))
      }
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
      if (!token || !valid.has(token)) {
        res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${fakeUrl()}/token",service="fake",scope="repository:a/b:pull"` })
        return res.end()
      }
      res.writeHead(200, { 'Content-Type': MANIFEST_TYPE, 'Docker-Content-Digest': sha256(MANIFEST), 'Content-Length': String(MANIFEST.length) })
      res.end(req.method === 'HEAD' ? undefined : MANIFEST)
    })
    const fakeUrl = () => fake.url
    let now = Date.now()
    const c = client(endpoint(fake.url, { kind: 'basic', username: 'alice', password: 's3cret' }), { now: () => now })
    for (let i = 0; i < 3; i++)
      expect(await c.headManifest('a/b', 'latest', [MANIFEST_TYPE])).toEqual({ digest: sha256(MANIFEST), mediaType: MANIFEST_TYPE, size: MANIFEST.length })
    expect(issued).toBe(1)
    // Close to expires_in (100 s, minus a fifth): a new token before the request, no extra 401.
    now += 81_000
    const before = fake.requests.length
    expect((await c.getManifest('a/b', 'latest', [MANIFEST_TYPE])).digest).toBe(sha256(MANIFEST))
    expect(issued).toBe(2)
    expect(fake.requests.slice(before).map((r) => r.url)).toEqual(['/token?service=fake&scope=repository%3Aa%2Fb%3Apull', '/v2/a/b/manifests/latest'])
    // The upstream forgets the token (restart, revocation): one new token, one retry.
    valid.clear()
    expect((await c.getManifest('a/b', 'latest', [MANIFEST_TYPE])).digest).toBe(sha256(MANIFEST))
    expect(issued).toBe(3)
  })
})
