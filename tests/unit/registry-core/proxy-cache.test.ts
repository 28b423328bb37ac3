// The pull-through cache in the engine: createRegistryHandler on the in-memory ports with an
// in-memory fake upstream behind the Upstream port, behind a real node:http server on a loopback
// port. Each test starts its own engine so upstream call counts are its own.
import { afterEach, describe, expect, it } from 'vitest'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  ANONYMOUS,
  createRegistryHandler,
  KeyedMutex,
  MemoryBlobStore,
  MemoryRegistryIndex,
  UpstreamError,
  type Descriptor,
  type RegistryEvent,
  type Upstream,
  type UpstreamErrorKind,
  type UpstreamRequest,
  type UpstreamSource,
} from '../../../registry-core/src/index'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip'

const digestOf = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`
const bytes = (data: Buffer) => new Uint8Array(data)

/** How the fake upstream fails: a typed error, or never answering at all. */
type Failure = UpstreamErrorKind | 'hang'

/** A gate a blob body waits at after its first chunk. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {}
  const wait = new Promise<void>((resolve) => (open = resolve))
  return { wait, open }
}

/** An upstream registry in memory, counting what it is asked. */
class FakeUpstream {
  readonly manifests = new Map<string, { bytes: Buffer; mediaType: string }>()
  readonly tags = new Map<string, string>()
  readonly blobs = new Map<string, Buffer>()
  readonly referrers = new Map<string, Descriptor[]>()
  readonly calls = { headManifest: 0, getManifest: 0, getBlob: 0, getReferrers: 0 }
  failure: Failure | null = null
  /** Digests whose blob bodies are served with one byte changed. */
  readonly corrupt = new Set<string>()
  /** Blob bodies stop after their first chunk until it opens. */
  blobGate: { wait: Promise<void>; open: () => void } | null = null
  referrersSupported = true
  /** Every answer comes this late (ignoring the engine's signal, as a misbehaving client would). */
  slowMs = 0
  /** The body of the last blob answered. */
  lastBlobStream: Readable | null = null

  addManifest(repository: string, content: Buffer, mediaType: string, tag?: string): string {
    const digest = digestOf(content)
    this.manifests.set(`${repository}@${digest}`, { bytes: content, mediaType })
    if (tag) this.tags.set(`${repository}:${tag}`, digest)
    return digest
  }

  /** An image of one config and one layer of `layerSize` bytes. */
  addImage(repository: string, tag?: string, layerSize = 64, extra: Record<string, unknown> = {}): { digest: string; content: Buffer; config: Buffer; layer: Buffer } {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', n: randomUUID() }))
    const layer = randomBytes(layerSize)
    this.blobs.set(digestOf(config), config)
    this.blobs.set(digestOf(layer), layer)
    const content = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: digestOf(config), size: config.length },
        layers: [{ mediaType: OCI_LAYER, digest: digestOf(layer), size: layer.length }],
        ...extra,
      }),
    )
    return { digest: this.addManifest(repository, content, OCI_MANIFEST, tag), content, config, layer }
  }

  private async answer(): Promise<void> {
    await sleep(1 + this.slowMs)
    const failure = this.failure
    if (failure === 'hang') await new Promise(() => {})
    else if (failure) throw new UpstreamError(failure, `fake upstream: ${failure}`, { status: failure === 'rate_limited' ? 429 : 500, retryAfterSeconds: 7 })
  }

  private resolve(repository: string, reference: string): { digest: string; bytes: Buffer; mediaType: string } {
    const digest = reference.includes(':') ? reference : this.tags.get(`${repository}:${reference}`)
    const manifest = digest === undefined ? undefined : this.manifests.get(`${repository}@${digest}`)
    if (!manifest || digest === undefined) throw new UpstreamError('not_found', `fake upstream: ${repository}:${reference} not found`, { status: 404 })
    return { digest, ...manifest }
  }

  source(repository: string, tagTtlMs: number): UpstreamSource {
    return {
      name: 'fake-hub',
      tagTtlMs,
      headManifest: async (reference) => {
        this.calls.headManifest++
        await this.answer()
        const { digest, bytes, mediaType } = this.resolve(repository, reference)
        return { digest, mediaType, size: bytes.length }
      },
      getManifest: async (reference) => {
        this.calls.getManifest++
        await this.answer()
        return this.resolve(repository, reference)
      },
      getBlob: async (digest) => {
        this.calls.getBlob++
        await this.answer()
        const blob = this.blobs.get(digest)
        if (!blob) throw new UpstreamError('not_found', 'fake upstream: blob not found', { status: 404 })
        const body = Buffer.from(blob)
        if (this.corrupt.has(digest)) body[body.length - 1] = (body.at(-1) ?? 0) ^ 0xff
        this.lastBlobStream = Readable.from(this.chunks(body), { objectMode: false })
        return { size: body.length, stream: this.lastBlobStream }
      },
      getReferrers: async (digest) => {
        this.calls.getReferrers++
        await this.answer()
        if (!this.referrersSupported) return { supported: false }
        const manifests = this.referrers.get(digest) ?? []
        return { supported: true, mediaType: OCI_INDEX, bytes: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests })) }
      },
    }
  }

  private async *chunks(body: Buffer): AsyncGenerator<Buffer> {
    const size = 64 * 1024
    for (let offset = 0; offset < body.length; offset += size) {
      yield body.subarray(offset, offset + size)
      if (offset === 0) await this.blobGate?.wait
    }
  }
}

interface Harness {
  base: string
  /** One base URL per replica (the first is `base`). */
  bases: string[]
  upstream: FakeUpstream
  /** The upstream of the `quay` proxy project. */
  quay: FakeUpstream
  events: RegistryEvent[]
  logs: { level: string; entry: Record<string, unknown>; msg?: string }[]
  routed: UpstreamRequest[]
  blobs: MemoryBlobStore
  index: MemoryRegistryIndex
  locks: string[]
}

const servers: { close: () => Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/**
 * An engine where `hub/<x>` is a proxy-cache of upstream repository `<x>`, `quay/<x>` one of another
 * upstream (chosen by `?ns=quay.io`), `local/<x>` a hosted project, and any other name goes to the
 * `hub` mirror (as the app's route hook would decide); `broken/<x>` is rewritten to an invalid name;
 * `gone/<x>` is a proxy of the `hub` upstream whose project no longer exists (the index refuses it).
 */
async function start(options: { tagTtlMs?: number; upstreamTimeoutMs?: number; maxManifestBytes?: number; replicas?: number } = {}): Promise<Harness> {
  const upstream = new FakeUpstream()
  const quay = new FakeUpstream()
  const logs: Harness['logs'] = []
  const events: RegistryEvent[] = []
  const routed: UpstreamRequest[] = []
  const locks: string[] = []
  const mutex = new KeyedMutex()
  const ttl = options.tagTtlMs ?? 60_000
  const port: Upstream = {
    async route(request) {
      routed.push(request)
      const { repository, namespace } = request
      if (repository.startsWith('local/')) return { repository, source: null }
      if (repository.startsWith('broken/')) return { repository: 'Broken/..', source: null }
      if (repository.startsWith('hub/')) return { repository, source: upstream.source(repository.slice(4), ttl) }
      if (repository.startsWith('gone/')) return { repository, source: upstream.source(repository.slice(5), ttl) }
      if (repository.startsWith('quay/')) return { repository, source: quay.source(repository.slice(5), ttl) }
      if (namespace === 'quay.io') return { repository: `quay/${repository}`, source: quay.source(repository, ttl) }
      return { repository: `hub/${repository}`, source: upstream.source(repository, ttl) }
    },
    exclusive: (key, fn) =>
      mutex.exclusive(key, () => {
        locks.push(key)
        return fn()
      }),
  }
  const blobs = new MemoryBlobStore()
  const index = new MemoryRegistryIndex({ canCreate: (repository) => !repository.startsWith('gone/') })
  const log = (level: string) => (entry: object, msg?: string) => void logs.push({ level, entry: entry as Record<string, unknown>, msg })
  const uploadIdKey = randomBytes(32)
  // Replicas: engines (each with its own in-process state) sharing the store, the index and the lock.
  const bases: string[] = []
  for (let i = 0; i < (options.replicas ?? 1); i++) {
    const handler = createRegistryHandler({
      blobs,
      index,
      authorizer: { authorize: async () => ({ kind: 'allow', actor: ANONYMOUS }) },
      events: { emit: (event) => events.push(event) },
      logger: { info: log('info'), warn: log('warn'), error: log('error'), debug: () => {} },
      upstream: port,
      uploadIdKey,
      limits: { upstreamTimeoutMs: options.upstreamTimeoutMs ?? 5_000, ...(options.maxManifestBytes ? { maxManifestBytes: options.maxManifestBytes } : {}) },
    })
    const server = createServer((req, res) => void handler(req, res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    servers.push({
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        }),
    })
    bases.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  }
  return { base: bases[0]!, bases, upstream, events, logs, quay, routed, blobs, index, locks }
}

async function errorOf(r: Response): Promise<{ code: string; message: string }> {
  const body = (await r.json()) as { errors: { code: string; message: string }[] }
  return body.errors[0] ?? { code: '', message: '' }
}

const failureLogs = (h: Harness) => h.logs.filter((l) => l.entry.event === 'upstream.failure')

describe('proxy-cache manifests', () => {
  it('by digest: fetched once on a miss, verified, recorded and served; then served without asking the upstream', async () => {
    const h = await start()
    const image = h.upstream.addImage('library/alpine')
    const first = await fetch(`${h.base}/v2/hub/library/alpine/manifests/${image.digest}`)
    expect(first.status).toBe(200)
    expect(first.headers.get('docker-content-digest')).toBe(image.digest)
    expect(first.headers.get('content-type')).toBe(OCI_MANIFEST)
    expect(Buffer.from(await first.arrayBuffer()).equals(image.content)).toBe(true)
    const again = await fetch(`${h.base}/v2/hub/library/alpine/manifests/${image.digest}`)
    expect(Buffer.from(await again.arrayBuffer()).equals(image.content)).toBe(true)
    expect(h.upstream.calls).toMatchObject({ getManifest: 1, headManifest: 0 })
    // Recorded through the index (what the dashboard and pulls read), and each pull is an event.
    expect(await h.index.getManifest('hub/library/alpine', { digest: image.digest })).not.toBeNull()
    expect(h.events.filter((e) => e.type === 'manifest.pulled').map((e) => e.repository)).toEqual(['hub/library/alpine', 'hub/library/alpine'])
  })

  it('by digest: a manifest whose bytes do not match the digest is never recorded', async () => {
    const h = await start()
    const image = h.upstream.addImage('library/alpine')
    const forged = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, digest: image.digest, size: 2 }, layers: [] }))
    h.upstream.manifests.set(`library/alpine@${image.digest}`, { bytes: forged, mediaType: OCI_MANIFEST })
    const r = await fetch(`${h.base}/v2/hub/library/alpine/manifests/${image.digest}`)
    expect(r.status).toBe(502)
    expect((await errorOf(r)).message).toContain('fake-hub')
    expect(await h.index.getManifest('hub/library/alpine', { digest: image.digest })).toBeNull()
  })

  it('by digest: a manifest over the size limit is refused and not recorded', async () => {
    const h = await start({ maxManifestBytes: 100 })
    const image = h.upstream.addImage('library/alpine')
    const r = await fetch(`${h.base}/v2/hub/library/alpine/manifests/${image.digest}`)
    expect(r.status).toBe(502)
    expect(await h.index.getManifest('hub/library/alpine', { digest: image.digest })).toBeNull()
  })

  it('by tag, two replicas: one HEAD per TTL for both (the second re-checks when the tag was checked under the lock)', async () => {
    const h = await start({ tagTtlMs: 60_000, replicas: 2 })
    const image = h.upstream.addImage('library/alpine', 'latest')
    const pulls = Array.from({ length: 10 }, async (_, i) => (await fetch(`${h.bases[i % 2]}/v2/hub/library/alpine/manifests/latest`)).headers.get('docker-content-digest'))
    expect(await Promise.all(pulls)).toEqual(Array(10).fill(image.digest))
    expect(h.upstream.calls).toMatchObject({ headManifest: 1, getManifest: 1 })
  })

  it('by digest: unknown upstream is MANIFEST_UNKNOWN', async () => {
    const h = await start()
    const r = await fetch(`${h.base}/v2/hub/library/alpine/manifests/${digestOf(Buffer.from('nothing'))}`)
    expect(r.status).toBe(404)
    expect((await errorOf(r)).code).toBe('MANIFEST_UNKNOWN')
  })

  it('by tag: one HEAD per TTL, a GET only when the digest changed, and the tag re-pointed when it moved', async () => {
    const h = await start({ tagTtlMs: 1_000 })
    const v1 = h.upstream.addImage('library/alpine', 'latest')
    const pull = async () => {
      const r = await fetch(`${h.base}/v2/hub/library/alpine/manifests/latest`)
      expect(r.status).toBe(200)
      expect(r.headers.get('warning')).toBeNull()
      return r.headers.get('docker-content-digest')
    }
    expect(await pull()).toBe(v1.digest)
    expect(h.upstream.calls).toMatchObject({ headManifest: 1, getManifest: 1 })
    // Within the TTL: the upstream is not asked, even by concurrent pulls.
    expect(await Promise.all(Array.from({ length: 10 }, pull))).toEqual(Array(10).fill(v1.digest))
    expect(h.upstream.calls).toMatchObject({ headManifest: 1, getManifest: 1 })
    const checked = await h.index.tagCheckedAt('hub/library/alpine', 'latest')
    expect(checked).toBeInstanceOf(Date)

    // TTL over, digest unchanged: one HEAD for all concurrent pulls, no GET.
    await sleep(1_100)
    expect(await Promise.all(Array.from({ length: 10 }, pull))).toEqual(Array(10).fill(v1.digest))
    expect(h.upstream.calls).toMatchObject({ headManifest: 2, getManifest: 1 })
    expect((await h.index.tagCheckedAt('hub/library/alpine', 'latest'))!.getTime()).toBeGreaterThan(checked!.getTime())

    // The tag moved upstream: after the TTL one HEAD, then one GET by digest, and the tag follows.
    const v2 = h.upstream.addImage('library/alpine', 'latest')
    expect(await pull()).toBe(v1.digest)
    await sleep(1_100)
    expect(await pull()).toBe(v2.digest)
    expect(h.upstream.calls).toMatchObject({ headManifest: 3, getManifest: 2 })
    expect((await h.index.getManifest('hub/library/alpine', { tag: 'latest' }))?.digest).toBe(v2.digest)
    // The old manifest stays cached by digest.
    expect((await fetch(`${h.base}/v2/hub/library/alpine/manifests/${v1.digest}`)).status).toBe(200)
    expect(h.upstream.calls.getManifest).toBe(2)
    const tags = (await (await fetch(`${h.base}/v2/hub/library/alpine/tags/list`)).json()) as { tags: string[] }
    expect(tags.tags).toEqual(['latest'])
  })

  it('by tag: a tag moved to a manifest already cached is re-pointed without a GET', async () => {
    const h = await start({ tagTtlMs: 0 })
    const a = h.upstream.addImage('library/alpine', 'a')
    const b = h.upstream.addImage('library/alpine', 'b')
    expect((await fetch(`${h.base}/v2/hub/library/alpine/manifests/a`)).status).toBe(200)
    expect((await fetch(`${h.base}/v2/hub/library/alpine/manifests/b`)).status).toBe(200)
    h.upstream.tags.set('library/alpine:a', b.digest)
    const moved = await fetch(`${h.base}/v2/hub/library/alpine/manifests/a`)
    expect(moved.headers.get('docker-content-digest')).toBe(b.digest)
    expect(h.upstream.calls).toMatchObject({ headManifest: 3, getManifest: 2 })
    expect(a.digest).not.toBe(b.digest)
  })

  it('an index is cached as is; child manifests and blobs are fetched only when pulled', async () => {
    const h = await start()
    const amd = h.upstream.addImage('library/alpine')
    const arm = h.upstream.addImage('library/alpine')
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          { mediaType: OCI_MANIFEST, digest: amd.digest, size: amd.content.length, platform: { architecture: 'amd64', os: 'linux' } },
          { mediaType: OCI_MANIFEST, digest: arm.digest, size: arm.content.length, platform: { architecture: 'arm64', os: 'linux' } },
        ],
      }),
    )
    const indexDigest = h.upstream.addManifest('library/alpine', index, OCI_INDEX, 'multi')
    const r = await fetch(`${h.base}/v2/hub/library/alpine/manifests/multi`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe(OCI_INDEX)
    expect(r.headers.get('docker-content-digest')).toBe(indexDigest)
    expect(Buffer.from(await r.arrayBuffer()).equals(index)).toBe(true)
    expect(h.upstream.calls).toMatchObject({ getManifest: 1, getBlob: 0 })
    // One platform pulled: its manifest, then its blobs, one by one.
    expect((await fetch(`${h.base}/v2/hub/library/alpine/manifests/${amd.digest}`)).status).toBe(200)
    expect(h.upstream.calls).toMatchObject({ getManifest: 2, getBlob: 0 })
    const layer = await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digestOf(amd.layer)}`)
    expect(Buffer.from(await layer.arrayBuffer()).equals(amd.layer)).toBe(true)
    expect(h.upstream.calls).toMatchObject({ getManifest: 2, getBlob: 1 })
    expect(await h.index.getManifest('hub/library/alpine', { digest: arm.digest })).toBeNull()
  })

  it('deletes work as usual and the next pull fetches again', async () => {
    const h = await start()
    const image = h.upstream.addImage('library/alpine', 'latest')
    expect((await fetch(`${h.base}/v2/hub/library/alpine/manifests/latest`)).status).toBe(200)
    expect((await fetch(`${h.base}/v2/hub/library/alpine/manifests/${image.digest}`, { method: 'DELETE' })).status).toBe(202)
    expect(await h.index.getManifest('hub/library/alpine', { digest: image.digest })).toBeNull()
    expect((await fetch(`${h.base}/v2/hub/library/alpine/manifests/latest`)).status).toBe(200)
    expect(h.upstream.calls.getManifest).toBe(2)
    expect((await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digestOf(image.layer)}`)).status).toBe(200)
    expect((await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digestOf(image.layer)}`, { method: 'DELETE' })).status).toBe(202)
    expect((await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digestOf(image.layer)}`)).status).toBe(200)
    expect(h.upstream.calls.getBlob).toBe(2)
  })
})

describe('proxy-cache blobs', () => {
  it('streams a cold blob to the client before the upstream has sent all of it, then serves it from the store', async () => {
    const h = await start()
    const image = h.upstream.addImage('library/alpine', undefined, 512 * 1024)
    const digest = digestOf(image.layer)
    h.upstream.blobGate = gate()
    const r = await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digest}`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-length')).toBe(String(image.layer.length))
    expect(r.headers.get('docker-content-digest')).toBe(digest)
    const reader = r.body!.getReader()
    // The upstream's first chunk reaches the client while the upstream holds back the rest.
    const first = await reader.read()
    expect(first.value?.length).toBeGreaterThan(0)
    expect(await h.blobs.stat(digest)).toBeNull()
    h.upstream.blobGate.open()
    const chunks = [Buffer.from(first.value!)]
    for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(Buffer.from(next.value))
    expect(Buffer.concat(chunks).equals(image.layer)).toBe(true)
    expect(await h.blobs.stat(digest)).toEqual({ size: image.layer.length })
    expect(await h.index.findBlob('hub/library/alpine', digest)).toEqual({ size: image.layer.length })
    const warm = await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digest}`, { headers: { Range: 'bytes=0-9' } })
    expect(warm.status).toBe(206)
    expect(Buffer.from(await warm.arrayBuffer()).equals(image.layer.subarray(0, 10))).toBe(true)
    expect(h.upstream.calls.getBlob).toBe(1)
    expect(h.locks).toEqual([`blob:hub/library/alpine@${digest}`])
  })

  it('20 concurrent requests for one cold blob make one upstream GET, and all get the blob', async () => {
    const h = await start()
    const image = h.upstream.addImage('library/alpine', undefined, 1024 * 1024)
    const digest = digestOf(image.layer)
    h.upstream.blobGate = gate()
    const pulls = Array.from({ length: 20 }, async () => Buffer.from(await (await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digest}`)).arrayBuffer()))
    await sleep(100)
    h.upstream.blobGate.open()
    for (const body of await Promise.all(pulls)) expect(body.equals(image.layer)).toBe(true)
    expect(h.upstream.calls.getBlob).toBe(1)
    // Joined in this process: the cross-replica lock was taken once, not once per request.
    expect(h.locks).toHaveLength(1)
  })

  it('two replicas: concurrent requests for one cold blob on both make one upstream GET (the second re-checks under the lock)', async () => {
    const h = await start({ replicas: 2 })
    const image = h.upstream.addImage('library/alpine', undefined, 1024 * 1024)
    const digest = digestOf(image.layer)
    h.upstream.blobGate = gate()
    const pulls = Array.from({ length: 20 }, async (_, i) => Buffer.from(await (await fetch(`${h.bases[i % 2]}/v2/hub/library/alpine/blobs/${digest}`)).arrayBuffer()))
    await sleep(100)
    h.upstream.blobGate.open()
    for (const body of await Promise.all(pulls)) expect(body.equals(image.layer)).toBe(true)
    expect(h.upstream.calls.getBlob).toBe(1)
    // One lock per process: the second took it after the first had committed, and fetched nothing.
    expect(h.locks).toHaveLength(2)
  })

  it('an upstream that answers after the deadline: the puller gets a timeout and the late blob stream is released', async () => {
    const h = await start({ upstreamTimeoutMs: 200 })
    const image = h.upstream.addImage('library/alpine', undefined, 1000)
    h.upstream.slowMs = 1_000
    const started = Date.now()
    const r = await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digestOf(image.layer)}`)
    expect(r.status).toBe(504)
    // At the deadline, not when the upstream finally answers.
    expect(Date.now() - started).toBeLessThan(800)
    await sleep(1_000)
    expect(h.upstream.lastBlobStream?.destroyed).toBe(true)
    expect(await h.blobs.stat(digestOf(image.layer))).toBeNull()
  })

  it('a ranged or HEAD request for a cold blob fetches it too', async () => {
    const h = await start()
    const image = h.upstream.addImage('library/alpine', undefined, 1000)
    const digest = digestOf(image.layer)
    const head = await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digest}`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe('1000')
    const ranged = await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digestOf(image.config)}`, { headers: { Range: 'bytes=1-3' } })
    expect(ranged.status).toBe(206)
    expect(Buffer.from(await ranged.arrayBuffer()).equals(image.config.subarray(1, 4))).toBe(true)
    expect((await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digest}`)).status).toBe(200)
    expect(h.upstream.calls.getBlob).toBe(2)
  })

  it('a client that disconnects mid-stream does not abort the fetch: a second client completes', async () => {
    const h = await start()
    const image = h.upstream.addImage('library/alpine', undefined, 2 * 1024 * 1024)
    const digest = digestOf(image.layer)
    h.upstream.blobGate = gate()
    const leaving = new AbortController()
    const first = await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digest}`, { signal: leaving.signal })
    const reader = first.body!.getReader()
    expect((await reader.read()).value?.length).toBeGreaterThan(0)
    leaving.abort()
    await sleep(50)
    const second = fetch(`${h.base}/v2/hub/library/alpine/blobs/${digest}`)
    await sleep(50)
    h.upstream.blobGate.open()
    const body = Buffer.from(await (await second).arrayBuffer())
    expect(body.equals(image.layer)).toBe(true)
    expect(h.upstream.calls.getBlob).toBe(1)
    expect(await h.blobs.stat(digest)).toEqual({ size: image.layer.length })
  })

  it('an upstream that stops sending mid-blob fails the fetch within bounded time; nothing is stored', async () => {
    const h = await start({ upstreamTimeoutMs: 300 })
    const image = h.upstream.addImage('library/alpine', undefined, 512 * 1024)
    const digest = digestOf(image.layer)
    h.upstream.blobGate = gate()
    const started = Date.now()
    const leader = await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digest}`)
    expect(leader.status).toBe(200)
    const follower = await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digest}`, { headers: { Range: 'bytes=0-9' } })
    expect(follower.status).toBe(504)
    expect((await errorOf(follower)).message).toContain('did not answer in time')
    await expect(leader.arrayBuffer()).rejects.toThrow()
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(await h.blobs.stat(digest)).toBeNull()
    expect(h.upstream.lastBlobStream?.destroyed).toBe(true)
  })

  it('the client that fetches gets the verified blob without waiting for the commit; a commit that then fails is logged, not its failure', async () => {
    const h = await start()
    const image = h.upstream.addImage('library/alpine', undefined, 300 * 1024)
    const digest = digestOf(image.layer)
    const storeBlob = h.blobs.storeBlobVerifiedByCaller.bind(h.blobs)
    let releaseCommit: () => void = () => undefined
    const commitHeld = new Promise<void>((resolve) => (releaseCommit = resolve))
    h.blobs.storeBlobVerifiedByCaller = async (_digest, body) => {
      for await (const chunk of body) void chunk
      await commitHeld
      throw new Error('no space left on device')
    }
    // Completes while the store still holds its commit (before, the last byte waited for it).
    const r = await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digest}`)
    expect(Buffer.from(await r.arrayBuffer()).equals(image.layer)).toBe(true)
    releaseCommit()
    await expect.poll(() => h.logs.some((l) => l.level === 'error' && l.msg?.includes('could not be cached'))).toBe(true)
    expect(await h.blobs.stat(digest)).toBeNull()
    // Not cached: the next pull fetches it again.
    h.blobs.storeBlobVerifiedByCaller = storeBlob
    expect(Buffer.from(await (await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digest}`)).arrayBuffer()).equals(image.layer)).toBe(true)
    expect(h.upstream.calls.getBlob).toBe(2)
  })

  it('a blob whose bytes do not match its digest is never stored or served whole', async () => {
    const h = await start()
    const image = h.upstream.addImage('library/alpine', undefined, 300 * 1024)
    const digest = digestOf(image.layer)
    h.upstream.corrupt.add(digest)
    const r = await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digest}`)
    expect(r.status).toBe(200)
    // The last byte is held back until the digest is verified: the body breaks off short.
    await expect(r.arrayBuffer()).rejects.toThrow()
    expect(await h.blobs.stat(digest)).toBeNull()
    expect(await h.index.findBlob('hub/library/alpine', digest)).toBeNull()
    // A request that waited on the fetch gets a clean error.
    const follower = await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digest}`, { method: 'GET', headers: { Range: 'bytes=0-1' } })
    expect(follower.status).toBe(502)
    expect((await errorOf(follower)).message).toContain('failed verification')
    expect(failureLogs(h).map((l) => l.entry.kind)).toContain('invalid')
    // Fixed upstream: fetched again.
    h.upstream.corrupt.clear()
    expect(Buffer.from(await (await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digest}`)).arrayBuffer()).equals(image.layer)).toBe(true)
    expect(h.upstream.calls.getBlob).toBe(3)
  })

  it('the store commits on the verdict of the pump, which hashed the bytes: a corrupt blob is refused by the pump and never stored', async () => {
    const h = await start()
    const image = h.upstream.addImage('library/alpine', undefined, 300 * 1024)
    const digest = digestOf(image.layer)
    const storeVerified = h.blobs.storeBlobVerifiedByCaller.bind(h.blobs)
    const verdicts: Array<Promise<void>> = []
    h.blobs.storeBlob = () => Promise.reject(new Error('the cold path stores through storeBlobVerifiedByCaller, hashing once'))
    h.blobs.storeBlobVerifiedByCaller = (d, body, callerVerdict, maxBytes) => {
      verdicts.push(callerVerdict)
      return storeVerified(d, body, callerVerdict, maxBytes)
    }
    h.upstream.corrupt.add(digest)
    await expect((await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digest}`)).arrayBuffer()).rejects.toThrow()
    expect(verdicts).toHaveLength(1)
    // The memory store does not hash on this path: only the pump's refusal keeps the bytes out.
    await expect(verdicts[0]).rejects.toThrow(/not .*sha256/)
    expect(await h.blobs.stat(digest)).toBeNull()
    h.upstream.corrupt.clear()
    expect(Buffer.from(await (await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digest}`)).arrayBuffer()).equals(image.layer)).toBe(true)
    await expect(verdicts[1]).resolves.toBeUndefined()
    expect(await h.blobs.stat(digest)).toEqual({ size: image.layer.length })
  })

  it('a store that lags behind the upstream still reads its chunks as they came, not concatenated into new buffers', async () => {
    const h = await start()
    const image = h.upstream.addImage('library/alpine', undefined, 2 * 1024 * 1024)
    const digest = digestOf(image.layer)
    const storeVerified = h.blobs.storeBlobVerifiedByCaller.bind(h.blobs)
    const chunkSizes: number[] = []
    h.blobs.storeBlobVerifiedByCaller = async (d, body, callerVerdict, maxBytes) => {
      // A slow disk: the pump has buffered many of the upstream's chunks before the store reads.
      await sleep(200)
      const seen = (async function* () {
        for await (const chunk of body) {
          chunkSizes.push((chunk as Buffer).length)
          yield chunk as Buffer
        }
      })()
      return storeVerified(d, Readable.from(seen), callerVerdict, maxBytes)
    }
    expect(Buffer.from(await (await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digest}`)).arrayBuffer()).equals(image.layer)).toBe(true)
    await expect.poll(() => h.blobs.stat(digest)).toEqual({ size: image.layer.length })
    expect(chunkSizes.reduce((a, b) => a + b, 0)).toBe(image.layer.length)
    expect(Math.max(...chunkSizes)).toBe(64 * 1024)
  })

  it("the index refusing the cached content is the registry's answer, not an upstream failure", async () => {
    const h = await start()
    const image = h.upstream.addImage('library/alpine', 'latest')
    const blob = await fetch(`${h.base}/v2/gone/library/alpine/blobs/${digestOf(image.layer)}`, { headers: { Range: 'bytes=0-1' } })
    expect(blob.status).toBe(404)
    expect((await errorOf(blob)).code).toBe('NAME_UNKNOWN')
    const manifest = await fetch(`${h.base}/v2/gone/library/alpine/manifests/latest`)
    expect(manifest.status).toBe(404)
    expect((await errorOf(manifest)).code).toBe('NAME_UNKNOWN')
    expect(failureLogs(h)).toEqual([])
  })

  it('an unknown blob is BLOB_UNKNOWN', async () => {
    const h = await start()
    const r = await fetch(`${h.base}/v2/hub/library/alpine/blobs/${digestOf(Buffer.from('none'))}`)
    expect(r.status).toBe(404)
    expect((await errorOf(r)).code).toBe('BLOB_UNKNOWN')
  })
})

describe('proxy-cache upstream failures', () => {
  const outages: [UpstreamErrorKind | 'hang', number, string][] = [
    ['rate_limited', 429, 'TOOMANYREQUESTS'],
    ['upstream_error', 502, 'UNKNOWN'],
    ['unreachable', 502, 'UNAVAILABLE'],
    ['timeout', 504, 'UNAVAILABLE'],
    ['hang', 504, 'UNAVAILABLE'],
    ['unauthorized', 502, 'UNAVAILABLE'],
  ]

  for (const [failure] of outages) {
    it(`${failure}: a cached tag is served stale with a Warning, and the failure is logged`, async () => {
      const h = await start({ tagTtlMs: 0, upstreamTimeoutMs: 300 })
      const image = h.upstream.addImage('library/alpine', 'latest')
      expect((await fetch(`${h.base}/v2/hub/library/alpine/manifests/latest`)).status).toBe(200)
      h.upstream.failure = failure
      const r = await fetch(`${h.base}/v2/hub/library/alpine/manifests/latest`)
      expect(r.status).toBe(200)
      expect(r.headers.get('docker-content-digest')).toBe(image.digest)
      expect(r.headers.get('warning')).toMatch(/^110 - "Response is Stale"/)
      const logged = failureLogs(h)
      expect(logged).toHaveLength(1)
      expect(logged[0]?.entry).toMatchObject({ upstream: 'fake-hub', kind: failure === 'hang' ? 'timeout' : failure, served: 'stale', repository: 'hub/library/alpine' })
      expect(logged[0]?.level).toBe(failure === 'unauthorized' ? 'error' : 'warn')
      // Cached content by digest never asks the upstream, so it is served without a warning.
      const byDigest = await fetch(`${h.base}/v2/hub/library/alpine/manifests/${image.digest}`)
      expect(byDigest.status).toBe(200)
      expect(byDigest.headers.get('warning')).toBeNull()
    })
  }

  for (const [failure, status, code] of outages) {
    it(`${failure}: with nothing cached, a clear OCI error naming the upstream within bounded time`, async () => {
      const h = await start({ upstreamTimeoutMs: 300 })
      const image = h.upstream.addImage('library/alpine', 'latest')
      h.upstream.failure = failure
      const started = Date.now()
      for (const path of ['manifests/latest', `manifests/${image.digest}`, `blobs/${digestOf(image.layer)}`]) {
        const r = await fetch(`${h.base}/v2/hub/library/alpine/${path}`)
        expect(r.status).toBe(status)
        const error = await errorOf(r)
        expect(error.code).toBe(code)
        expect(error.message).toContain('upstream registry fake-hub')
        if (failure === 'rate_limited') expect(r.headers.get('retry-after')).toBe('7')
      }
      expect(Date.now() - started).toBeLessThan(3_000)
      expect(failureLogs(h).map((l) => l.entry.served)).toEqual(['error', 'error', 'error'])
    })
  }

  it('a tag that no longer exists upstream is MANIFEST_UNKNOWN, not served from the cache', async () => {
    const h = await start({ tagTtlMs: 0 })
    h.upstream.addImage('library/alpine', 'gone')
    expect((await fetch(`${h.base}/v2/hub/library/alpine/manifests/gone`)).status).toBe(200)
    h.upstream.tags.delete('library/alpine:gone')
    const r = await fetch(`${h.base}/v2/hub/library/alpine/manifests/gone`)
    expect(r.status).toBe(404)
    expect((await errorOf(r)).code).toBe('MANIFEST_UNKNOWN')
  })
})

describe('proxy-cache projects are read-only', () => {
  it('refuses blob uploads, mounts and manifest pushes with DENIED', async () => {
    const h = await start()
    const local = h.upstream.addImage('library/alpine')
    const denied = async (r: Response) => {
      expect(r.status).toBe(403)
      expect(await errorOf(r)).toMatchObject({ code: 'DENIED', message: 'proxy-cache project is read-only' })
    }
    await denied(await fetch(`${h.base}/v2/hub/library/alpine/blobs/uploads/`, { method: 'POST' }))
    await denied(await fetch(`${h.base}/v2/hub/library/alpine/blobs/uploads/?digest=${encodeURIComponent(digestOf(local.layer))}`, { method: 'POST', body: bytes(local.layer) }))
    await denied(await fetch(`${h.base}/v2/hub/library/alpine/blobs/uploads/?mount=${encodeURIComponent(digestOf(local.layer))}&from=local/x`, { method: 'POST' }))
    await denied(await fetch(`${h.base}/v2/hub/library/alpine/manifests/v1`, { method: 'PUT', body: bytes(local.content), headers: { 'Content-Type': OCI_MANIFEST } }))
    // Through the mirror too (the name is rewritten into the proxy project first).
    await denied(await fetch(`${h.base}/v2/library/alpine/blobs/uploads/`, { method: 'POST' }))
    expect(await h.blobs.stat(digestOf(local.layer))).toBeNull()
    // A hosted project is not affected.
    expect((await fetch(`${h.base}/v2/local/app/blobs/uploads/`, { method: 'POST' })).status).toBe(202)
  })
})

describe('proxy-cache referrers', () => {
  it('merges the upstream referrers of a cached artifact with the local ones', async () => {
    const h = await start()
    const subject = h.upstream.addImage('library/alpine', 'latest')
    const descriptor = { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.content.length }
    const sbom = h.upstream.addImage('library/alpine', undefined, 10, { artifactType: 'application/spdx+json', subject: descriptor })
    const sig = h.upstream.addImage('library/alpine', undefined, 10, { artifactType: 'application/vnd.example.sig', subject: descriptor })
    h.upstream.referrers.set(subject.digest, [
      { mediaType: OCI_MANIFEST, digest: sbom.digest, size: sbom.content.length, artifactType: 'application/spdx+json' },
      { mediaType: OCI_MANIFEST, digest: sig.digest, size: sig.content.length, artifactType: 'application/vnd.example.sig' },
    ])
    // Not cached: the upstream is not asked.
    const cold = await fetch(`${h.base}/v2/hub/library/alpine/referrers/${subject.digest}`)
    expect(((await cold.json()) as { manifests: unknown[] }).manifests).toEqual([])
    expect(h.upstream.calls.getReferrers).toBe(0)

    expect((await fetch(`${h.base}/v2/hub/library/alpine/manifests/latest`)).status).toBe(200)
    // The sbom pulled through the cache is a local referrer now; the signature comes from the upstream.
    expect((await fetch(`${h.base}/v2/hub/library/alpine/manifests/${sbom.digest}`)).status).toBe(200)
    const merged = await fetch(`${h.base}/v2/hub/library/alpine/referrers/${subject.digest}`)
    expect(merged.status).toBe(200)
    expect(((await merged.json()) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest)).toEqual([sbom.digest, sig.digest])
    const filtered = await fetch(`${h.base}/v2/hub/library/alpine/referrers/${subject.digest}?artifactType=application/vnd.example.sig`)
    expect(((await filtered.json()) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest)).toEqual([sig.digest])

    h.upstream.referrersSupported = false
    const local = await fetch(`${h.base}/v2/hub/library/alpine/referrers/${subject.digest}`)
    expect(((await local.json()) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest)).toEqual([sbom.digest])

    h.upstream.failure = 'unreachable'
    const stale = await fetch(`${h.base}/v2/hub/library/alpine/referrers/${subject.digest}`)
    expect(stale.status).toBe(200)
    expect(stale.headers.get('warning')).toMatch(/^110/)
  })
})

describe('transparent mirror routing', () => {
  it('serves names that are not local projects through the mirror project, ns= chooses the proxy, local projects win', async () => {
    const h = await start()
    const image = h.upstream.addImage('library/alpine', 'latest')
    const r = await fetch(`${h.base}/v2/library/alpine/manifests/latest`)
    expect(r.status).toBe(200)
    expect(r.headers.get('docker-content-digest')).toBe(image.digest)
    // Cached (and counted) under the mirror project's repository.
    expect(await h.index.getManifest('hub/library/alpine', { tag: 'latest' })).not.toBeNull()
    expect(h.events.at(-1)).toMatchObject({ type: 'manifest.pulled', repository: 'hub/library/alpine', tag: 'latest' })

    const other = h.quay.addImage('org/tool', 'v1')
    const viaNs = await fetch(`${h.base}/v2/org/tool/manifests/v1?ns=quay.io`)
    expect(viaNs.status).toBe(200)
    expect(viaNs.headers.get('docker-content-digest')).toBe(other.digest)
    expect(h.routed.at(-1)).toEqual({ repository: 'org/tool', namespace: 'quay.io', method: 'GET' })

    // A hosted project is never proxied: a miss is a miss.
    const hosted = await fetch(`${h.base}/v2/local/alpine/manifests/latest`)
    expect(hosted.status).toBe(404)
    expect(h.upstream.calls.headManifest).toBe(1)
  })

  it('refuses a rewrite to an invalid name', async () => {
    const h = await start()
    const r = await fetch(`${h.base}/v2/broken/name/manifests/latest`)
    expect(r.status).toBe(400)
    expect((await errorOf(r)).code).toBe('NAME_INVALID')
  })
})

describe('KeyedMutex (the single-process Upstream.exclusive)', () => {
  it('runs one holder per key at a time, in order, keys independent, and a failing holder releases', async () => {
    const mutex = new KeyedMutex()
    const trace: string[] = []
    const hold = (key: string, label: string, ms: number, fail = false) =>
      mutex.exclusive(key, async () => {
        trace.push(`${label}+`)
        await sleep(ms)
        trace.push(`${label}-`)
        if (fail) throw new Error(label)
        return label
      })
    const results = await Promise.allSettled([hold('a', 'a1', 30, true), hold('a', 'a2', 10), hold('b', 'b1', 5), hold('a', 'a3', 1)])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled'])
    expect(trace.filter((t) => t.startsWith('a'))).toEqual(['a1+', 'a1-', 'a2+', 'a2-', 'a3+', 'a3-'])
    // b ran while a1 held a.
    expect(trace.indexOf('b1-')).toBeLessThan(trace.indexOf('a1-'))
  })
})
