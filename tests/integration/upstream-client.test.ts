// The upstream registry client (lib/upstream) against real upstreams on loopback, each started
// here and stopped after: Debian's docker-registry open and behind htpasswd Basic, and a second
// instance of this registry behind a counting relay for the Docker token flow. Failure modes no
// real upstream can be made to show (429, 500, silence, lying digests) are in
// tests/unit/upstream/client.test.ts.
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UpstreamError, createUpstreamClient, pingUpstream, upstreamRepository, type UpstreamClient, type UpstreamEndpoint } from '../../lib/upstream'
import { MT, descriptor, ociArtifact, ociImage, randomId, registryClient, type Image } from '../support/oci'
import { startReferenceRegistry } from '../support/reference-registry'
import { startRegistryServer, type RunningServer } from '../support/registry-server'

const LOOPBACK = { allowedNetworks: ['127.0.0.1/32'] }
const ACCEPT = [MT.ociManifest, MT.ociIndex, MT.dockerManifest, MT.dockerList]

function endpoint(url: string, credentials: UpstreamEndpoint['credentials'] = { kind: 'anonymous' }, type: UpstreamEndpoint['type'] = 'distribution'): UpstreamEndpoint {
  return { url, type, insecure: false, credentials }
}

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

/** Pushes `image` and checks the upstream took it. */
async function push(url: string, creds: { user: string; password: string } | undefined, repo: string, image: Image, tag: string): Promise<void> {
  const res = await registryClient(url, creds).pushImage(repo, image, tag)
  expect(res.status, res.describe()).toBe(201)
}

/** A pass-through HTTP relay in front of `target` that counts the requests per path. */
async function startCountingRelay(): Promise<{ url: string; target: { url: string }; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = []
  const target = { url: '' }
  const server: Server = createServer((req, res) => {
    paths.push(new URL(req.url!, 'http://relay').pathname)
    const upstream = new URL(target.url)
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers)
      answer.pipe(res)
    })
    forward.on('error', () => res.destroy())
    req.pipe(forward)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    target,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

describe('against docker-registry (distribution) without auth', () => {
  let upstream: RunningServer
  let client: UpstreamClient
  const repo = `team/app-${randomId(6)}`
  const image = ociImage({ layers: 2, layerSize: 200_000 })

  beforeAll(async () => {
    upstream = await startReferenceRegistry()
    await push(upstream.url, undefined, repo, image, 'v1')
    client = createUpstreamClient(endpoint(upstream.url), LOOPBACK)
  }, 60_000)
  afterAll(async () => {
    client?.close()
    await upstream?.dispose()
  })

  it('heads a tag with one HEAD: digest, media type and size', async () => {
    expect(await client.headManifest(repo, 'v1', ACCEPT)).toEqual({ digest: image.manifest.digest, mediaType: MT.ociManifest, size: image.manifest.content.length })
  })

  it('gets a manifest by tag and by digest, byte for byte, with its verified digest', async () => {
    for (const reference of ['v1', image.manifest.digest]) {
      const manifest = await client.getManifest(repo, reference, ACCEPT)
      expect(manifest.bytes.equals(image.manifest.content)).toBe(true)
      expect(manifest).toMatchObject({ digest: image.manifest.digest, mediaType: MT.ociManifest })
    }
  })

  it('streams a blob as it arrives', async () => {
    const layer = image.layers[0]
    const blob = await client.getBlob(repo, layer.digest)
    expect(blob.size).toBe(layer.size)
    const chunks: Buffer[] = []
    for await (const chunk of blob.stream) chunks.push(chunk as Buffer)
    // Streamed, not handed over as one buffer.
    expect(chunks.length).toBeGreaterThan(1)
    expect(Buffer.concat(chunks).equals(layer.content)).toBe(true)
  })

  it('says not found for a missing tag, digest, blob and repository', async () => {
    const missing = ociImage()
    expect(await client.headManifest(repo, 'nope', ACCEPT)).toBeNull()
    expect(await failure(client.getManifest(repo, 'nope', ACCEPT))).toMatchObject({ kind: 'not_found', message: expect.stringContaining(upstream.url) })
    expect(await failure(client.getManifest(repo, missing.manifest.digest, ACCEPT))).toMatchObject({ kind: 'not_found' })
    expect(await failure(client.getBlob(repo, missing.layers[0].digest))).toMatchObject({ kind: 'not_found' })
    expect(await failure(client.getManifest('no/such-repo', 'v1', ACCEPT))).toMatchObject({ kind: 'not_found' })
  })

  it('reports the referrers API as unsupported (distribution 2.8 has none)', async () => {
    expect(await client.getReferrers(repo, image.manifest.digest)).toEqual({ supported: false })
  })

  it('maps single-component Docker Hub names to library/', async () => {
    const name = `alpine-${randomId(6)}`
    const official = ociImage()
    await push(upstream.url, undefined, `library/${name}`, official, 'latest')
    const hub = createUpstreamClient(endpoint(upstream.url, { kind: 'anonymous' }, 'docker-hub'), LOOPBACK)
    try {
      const upstreamName = upstreamRepository({ type: 'docker-hub' }, name)
      expect(upstreamName).toBe(`library/${name}`)
      expect((await hub.getManifest(upstreamName, 'latest', ACCEPT)).digest).toBe(official.manifest.digest)
    } finally {
      hub.close()
    }
  })

  it('pings', async () => {
    expect(await pingUpstream(endpoint(upstream.url), LOOPBACK)).toEqual({ ok: true })
  })
})

describe('against docker-registry behind htpasswd Basic', () => {
  let upstream: RunningServer
  const repo = `team/basic-${randomId(6)}`
  const image = ociImage()

  beforeAll(async () => {
    upstream = await startReferenceRegistry({ auth: true })
    await push(upstream.url, { user: upstream.adminUser, password: upstream.adminPassword }, repo, image, 'v1')
  }, 60_000)
  afterAll(async () => {
    await upstream?.dispose()
  })

  it('pulls with the right username and password', async () => {
    const client = createUpstreamClient(endpoint(upstream.url, { kind: 'basic', username: upstream.adminUser, password: upstream.adminPassword }), LOOPBACK)
    try {
      expect((await client.getManifest(repo, 'v1', ACCEPT)).digest).toBe(image.manifest.digest)
      const blob = await client.getBlob(repo, image.layers[0].digest)
      expect((await drain(blob.stream)).equals(image.layers[0].content)).toBe(true)
    } finally {
      client.close()
    }
  })

  it('is unauthorized, not not-found, with a wrong password or none', async () => {
    const wrong = createUpstreamClient(endpoint(upstream.url, { kind: 'basic', username: upstream.adminUser, password: 'wrong' }), LOOPBACK)
    const none = createUpstreamClient(endpoint(upstream.url), LOOPBACK)
    try {
      expect(await failure(wrong.getManifest(repo, 'v1', ACCEPT))).toMatchObject({
        kind: 'unauthorized',
        message: `upstream ${upstream.url}: refused the username and password of ${upstream.adminUser}`,
      })
      expect(await failure(none.headManifest(repo, 'v1', ACCEPT))).toMatchObject({
        kind: 'unauthorized',
        message: expect.stringContaining('requires a username and password (Basic)'),
      })
    } finally {
      wrong.close()
      none.close()
    }
  })

  it('ping says whether the credentials work', async () => {
    expect(await pingUpstream(endpoint(upstream.url, { kind: 'basic', username: upstream.adminUser, password: upstream.adminPassword }), LOOPBACK)).toEqual({ ok: true })
    expect(await pingUpstream(endpoint(upstream.url, { kind: 'basic', username: upstream.adminUser, password: 'wrong' }), LOOPBACK)).toMatchObject({
      ok: false,
      kind: 'unauthorized',
    })
    expect(await pingUpstream(endpoint(upstream.url), LOOPBACK)).toMatchObject({ ok: false, kind: 'unauthorized' })
  })
})

describe.skipIf(!!process.env.REGISTRY_URL)('against a second instance of this registry (Docker token flow)', () => {
  let upstream: RunningServer
  let relay: Awaited<ReturnType<typeof startCountingRelay>>
  let creds: UpstreamEndpoint['credentials']
  let repo: string
  const image = ociImage({ layers: 1, layerSize: 100_000 })
  const tokenRequests = () => relay.paths.filter((p) => p === '/service/token').length

  beforeAll(async () => {
    // The relay is the registry's public URL, so the Bearer realm points through it too and every
    // token request is counted.
    relay = await startCountingRelay()
    upstream = await startRegistryServer({ env: { PUBLIC_URL: relay.url } })
    relay.target.url = upstream.url
    creds = { kind: 'basic', username: upstream.adminUser, password: upstream.adminPassword }
    repo = `${upstream.adminUser}/upstream-${randomId(6)}`
    await push(relay.url, { user: upstream.adminUser, password: upstream.adminPassword }, repo, image, 'v1')
    const artifact = ociArtifact({
      artifactType: 'application/vnd.example.sbom',
      subject: descriptor(MT.ociManifest, { digest: image.manifest.digest, size: image.manifest.content.length }),
    })
    const pushed = await registryClient(relay.url, { user: upstream.adminUser, password: upstream.adminPassword }).pushImage(repo, artifact)
    expect(pushed.status, pushed.describe()).toBe(201)
  }, 300_000)
  afterAll(async () => {
    await upstream?.dispose()
    await relay?.close()
  })

  it('fetches one token for the repository, reuses it, and fetches a new one when it expires', async () => {
    let now = Date.now()
    const client = createUpstreamClient(endpoint(relay.url, creds), { ...LOOPBACK, now: () => now })
    try {
      const before = tokenRequests()
      expect(await client.headManifest(repo, 'v1', ACCEPT)).toMatchObject({ digest: image.manifest.digest })
      expect((await client.getManifest(repo, 'v1', ACCEPT)).bytes.equals(image.manifest.content)).toBe(true)
      const blob = await client.getBlob(repo, image.layers[0].digest)
      expect((await drain(blob.stream)).equals(image.layers[0].content)).toBe(true)
      expect(tokenRequests() - before).toBe(1)
      // TOKEN_LIFETIME defaults to 300 s: past it, the next request brings a fresh token first.
      now += 300_000
      expect(await client.headManifest(repo, 'v1', ACCEPT)).toMatchObject({ digest: image.manifest.digest })
      expect(tokenRequests() - before).toBe(2)
    } finally {
      client.close()
    }
  })

  it('reads referrers where the upstream has the API', async () => {
    const client = createUpstreamClient(endpoint(relay.url, creds), LOOPBACK)
    try {
      const referrers = await client.getReferrers(repo, image.manifest.digest)
      expect(referrers.supported).toBe(true)
      if (!referrers.supported) throw new Error('unreachable')
      expect(JSON.parse(referrers.bytes.toString('utf8')).manifests).toHaveLength(1)
    } finally {
      client.close()
    }
  })

  it('reports rejected credentials as unauthorized, from ping too, although /v2/ lets anonymous tokens through', async () => {
    const wrong = { kind: 'basic' as const, username: upstream.adminUser, password: 'wrong-password' }
    const ping = await pingUpstream(endpoint(relay.url, wrong), LOOPBACK)
    expect(ping).toMatchObject({ ok: false, kind: 'unauthorized' })
    expect(!ping.ok && ping.message).toContain(`token service ${relay.url}/service/token refused the credentials of ${upstream.adminUser} (401)`)
    expect(await pingUpstream(endpoint(relay.url, creds), LOOPBACK)).toEqual({ ok: true })
    expect(await pingUpstream(endpoint(relay.url), LOOPBACK)).toEqual({ ok: true })
    // Without credentials the private repository is out of reach: unauthorized, not "not found".
    const anonymous = createUpstreamClient(endpoint(relay.url), LOOPBACK)
    try {
      expect(await failure(anonymous.getManifest(repo, 'v1', ACCEPT))).toMatchObject({ kind: 'unauthorized' })
    } finally {
      anonymous.close()
    }
  })
})
