// The engine's core protocol flows in-process: createRegistryHandler on the in-memory ports behind a
// real node:http server on a loopback port, with an allow-all authorizer. No build, no database;
// the HTTP integration tests cover the same protocol against the built server and the app's ports.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ANONYMOUS, createRegistryHandler, MemoryBlobStore, MemoryRegistryIndex, type RegistryEvent } from '../../../registry-core/src/index'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip'

const digestOf = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`

let server: Server
let base: string
let events: RegistryEvent[] = []

beforeAll(async () => {
  const handler = createRegistryHandler({
    blobs: new MemoryBlobStore(),
    index: new MemoryRegistryIndex(),
    authorizer: { authorize: async () => ({ kind: 'allow', actor: ANONYMOUS }) },
    events: { emit: (event) => events.push(event) },
    logger: { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} },
    uploadIdKey: randomBytes(32),
  })
  server = createServer((req, res) => void handler(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})

beforeEach(() => {
  events = []
})

const repoName = (label: string) => `p/${label}-${randomUUID().slice(0, 8)}`
const bytes = (data: Buffer) => new Uint8Array(data)

async function errorCode(r: Response): Promise<string> {
  const body = (await r.json()) as { errors: { code: string; message: string }[] }
  expect(body.errors[0]?.message).toBeTruthy()
  return body.errors[0]?.code ?? ''
}

/** A monolithic push: POST with ?digest= and the whole body. */
async function pushBlob(repo: string, data: Buffer): Promise<string> {
  const digest = digestOf(data)
  const r = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${encodeURIComponent(digest)}`, {
    method: 'POST',
    body: bytes(data),
    headers: { 'Content-Type': 'application/octet-stream' },
  })
  expect(r.status).toBe(201)
  return digest
}

async function pushImage(repo: string, tag: string, extra: Record<string, unknown> = {}): Promise<{ digest: string; content: Buffer }> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', n: randomUUID() }))
  const layer = randomBytes(64)
  await pushBlob(repo, config)
  await pushBlob(repo, layer)
  const content = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: digestOf(config), size: config.length },
      layers: [{ mediaType: OCI_LAYER, digest: digestOf(layer), size: layer.length }],
      ...extra,
    }),
  )
  const r = await fetch(`${base}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: bytes(content), headers: { 'Content-Type': OCI_MANIFEST } })
  expect(r.status).toBe(201)
  expect(r.headers.get('docker-content-digest')).toBe(digestOf(content))
  return { digest: digestOf(content), content }
}

describe('engine protocol on the in-memory ports', () => {
  it('answers /v2/', async () => {
    const r = await fetch(`${base}/v2/`)
    expect(r.status).toBe(200)
  })

  it('monolithic blob upload, then HEAD, GET and ranged GET', async () => {
    const repo = repoName('mono')
    const data = Buffer.from('0123456789 monolithic blob')
    const digest = await pushBlob(repo, data)
    const head = await fetch(`${base}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(String(data.length))
    expect(head.headers.get('docker-content-digest')).toBe(digest)
    const get = await fetch(`${base}/v2/${repo}/blobs/${digest}`)
    expect(Buffer.from(await get.arrayBuffer()).equals(data)).toBe(true)
    const ranged = await fetch(`${base}/v2/${repo}/blobs/${digest}`, { headers: { Range: 'bytes=2-5' } })
    expect(ranged.status).toBe(206)
    expect(await ranged.text()).toBe('2345')
    expect(ranged.headers.get('content-range')).toBe(`bytes 2-5/${data.length}`)
    // The blob is linked to its repository only.
    expect((await fetch(`${base}/v2/${repoName('other')}/blobs/${digest}`, { method: 'HEAD' })).status).toBe(404)
  })

  it('chunked blob upload: POST, PATCH with Content-Range, status, PUT with the last chunk', async () => {
    const repo = repoName('chunked')
    const data = randomBytes(3000)
    const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' })
    expect(start.status).toBe(202)
    const location = new URL(start.headers.get('location') ?? '', base).toString()
    const first = await fetch(location, {
      method: 'PATCH',
      body: bytes(data.subarray(0, 1000)),
      headers: { 'Content-Range': '0-999', 'Content-Type': 'application/octet-stream' },
    })
    expect(first.status).toBe(202)
    expect(first.headers.get('range')).toBe('0-999')
    const next = new URL(first.headers.get('location') ?? '', base).toString()
    const outOfOrder = await fetch(next, { method: 'PATCH', body: bytes(data.subarray(2000)), headers: { 'Content-Range': '2000-2999' } })
    expect(outOfOrder.status).toBe(416)
    const second = await fetch(next, { method: 'PATCH', body: bytes(data.subarray(1000, 2000)), headers: { 'Content-Range': '1000-1999' } })
    expect(second.status).toBe(202)
    const status = await fetch(next)
    expect(status.status).toBe(204)
    expect(status.headers.get('range')).toBe('0-1999')
    const done = await fetch(`${next}${next.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digestOf(data))}`, {
      method: 'PUT',
      body: bytes(data.subarray(2000)),
    })
    expect(done.status).toBe(201)
    expect(done.headers.get('docker-content-digest')).toBe(digestOf(data))
    const get = await fetch(`${base}/v2/${repo}/blobs/${digestOf(data)}`)
    expect(Buffer.from(await get.arrayBuffer()).equals(data)).toBe(true)
    expect((await fetch(next)).status).toBe(404) // the session is finished
  })

  it('a cancelled upload is gone', async () => {
    const repo = repoName('cancel')
    const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' })
    const location = new URL(start.headers.get('location') ?? '', base).toString()
    expect((await fetch(location, { method: 'PATCH', body: bytes(Buffer.from('abc')) })).status).toBe(202)
    expect((await fetch(location, { method: 'DELETE' })).status).toBe(204)
    const r = await fetch(location)
    expect(r.status).toBe(404)
    expect(await errorCode(r)).toBe('BLOB_UPLOAD_UNKNOWN')
  })

  it('manifest PUT, GET and HEAD by tag and digest, DELETE by tag and by digest', async () => {
    const repo = repoName('manifests')
    const { digest, content } = await pushImage(repo, 'v1')
    expect(events.map((e) => [e.type, e.tag])).toContainEqual(['manifest.pushed', 'v1'])
    for (const ref of ['v1', digest]) {
      const get = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { headers: { Accept: OCI_MANIFEST } })
      expect(get.status).toBe(200)
      expect(get.headers.get('content-type')).toBe(OCI_MANIFEST)
      expect(get.headers.get('docker-content-digest')).toBe(digest)
      expect(Buffer.from(await get.arrayBuffer()).equals(content)).toBe(true)
      const head = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(head.headers.get('content-length')).toBe(String(content.length))
    }
    expect((await fetch(`${base}/v2/${repo}/manifests/v1`, { method: 'DELETE' })).status).toBe(202)
    const gone = await fetch(`${base}/v2/${repo}/manifests/v1`)
    expect(gone.status).toBe(404)
    expect(await errorCode(gone)).toBe('MANIFEST_UNKNOWN')
    expect((await fetch(`${base}/v2/${repo}/manifests/${digest}`)).status).toBe(200)
    expect((await fetch(`${base}/v2/${repo}/manifests/${digest}`, { method: 'DELETE' })).status).toBe(202)
    expect((await fetch(`${base}/v2/${repo}/manifests/${digest}`)).status).toBe(404)
    expect((await fetch(`${base}/v2/${repo}/manifests/${digest}`, { method: 'DELETE' })).status).toBe(404)
  })

  it('refuses a manifest whose blobs are not in the repository, and a child delete while an index needs it', async () => {
    const repo = repoName('refused')
    const absent = digestOf(Buffer.from(randomUUID()))
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, digest: absent, size: 2 }, layers: [] }))
    const r = await fetch(`${base}/v2/${repo}/manifests/v1`, { method: 'PUT', body: bytes(manifest), headers: { 'Content-Type': OCI_MANIFEST } })
    expect(r.status).toBe(400)
    expect(await errorCode(r)).toBe('MANIFEST_BLOB_UNKNOWN')

    const child = await pushImage(repo, 'child')
    const index = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: child.digest, size: child.content.length }] }),
    )
    expect((await fetch(`${base}/v2/${repo}/manifests/multi`, { method: 'PUT', body: bytes(index), headers: { 'Content-Type': OCI_INDEX } })).status).toBe(201)
    const refused = await fetch(`${base}/v2/${repo}/manifests/${child.digest}`, { method: 'DELETE' })
    expect(refused.status).toBe(409)
    expect((await fetch(`${base}/v2/${repo}/manifests/${digestOf(index)}`, { method: 'DELETE' })).status).toBe(202)
    // The child is tagged, so it stays.
    expect((await fetch(`${base}/v2/${repo}/manifests/child`)).status).toBe(200)
  })

  it('lists tags in pages linked by Link headers, and the catalog', async () => {
    const repo = repoName('tags')
    const { content } = await pushImage(repo, 'c')
    for (const tag of ['a', 'b', 'd', 'e']) {
      expect((await fetch(`${base}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: bytes(content), headers: { 'Content-Type': OCI_MANIFEST } })).status).toBe(201)
    }
    const seen: string[] = []
    let url: string | undefined = `${base}/v2/${repo}/tags/list?n=2`
    let pages = 0
    while (url) {
      const r: Response = await fetch(url)
      expect(r.status).toBe(200)
      const body = (await r.json()) as { name: string; tags: string[] }
      expect(body.name).toBe(repo)
      seen.push(...body.tags)
      pages++
      const link = r.headers.get('link')
      url = link ? new URL(/<([^>]+)>; rel="next"/.exec(link)?.[1] ?? '', base).toString() : undefined
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(pages).toBe(3)
    const unknown = await fetch(`${base}/v2/${repoName('unknown')}/tags/list`)
    expect(unknown.status).toBe(404)
    expect(await errorCode(unknown)).toBe('NAME_UNKNOWN')

    const catalog = (await (await fetch(`${base}/v2/_catalog?n=10000`)).json()) as { repositories: string[] }
    expect(catalog.repositories).toContain(repo)
  })

  it('lists referrers, optionally filtered by artifact type', async () => {
    const repo = repoName('referrers')
    const subject = await pushImage(repo, 'v1')
    const descriptor = { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.content.length }
    const sbom = await pushImage(repo, 'sbom', { artifactType: 'application/spdx+json', subject: descriptor })
    const sig = await pushImage(repo, 'sig', { artifactType: 'application/vnd.example.sig', subject: descriptor })
    const all = await fetch(`${base}/v2/${repo}/referrers/${subject.digest}`)
    expect(all.status).toBe(200)
    expect(all.headers.get('content-type')).toBe(OCI_INDEX)
    const body = (await all.json()) as { manifests: { digest: string; artifactType?: string }[] }
    expect(body.manifests.map((m) => m.digest)).toEqual([sbom.digest, sig.digest])
    const filtered = await fetch(`${base}/v2/${repo}/referrers/${subject.digest}?artifactType=application/vnd.example.sig`)
    expect(filtered.headers.get('oci-filters-applied')).toBe('artifactType')
    expect(((await filtered.json()) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest)).toEqual([sig.digest])
  })

  it('mounts a blob from another repository, and starts an upload when the source lacks it', async () => {
    const from = repoName('from')
    const to = repoName('to')
    const digest = await pushBlob(from, Buffer.from(`mounted ${randomUUID()}`))
    const mounted = await fetch(`${base}/v2/${to}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${from}`, { method: 'POST' })
    expect(mounted.status).toBe(201)
    expect(mounted.headers.get('docker-content-digest')).toBe(digest)
    expect((await fetch(`${base}/v2/${to}/blobs/${digest}`, { method: 'HEAD' })).status).toBe(200)
    expect(events).toContainEqual(expect.objectContaining({ type: 'blob.mounted', repository: to, fromRepository: from, digest }))
    const missing = digestOf(Buffer.from(randomUUID()))
    const fallback = await fetch(`${base}/v2/${to}/blobs/uploads/?mount=${encodeURIComponent(missing)}&from=${from}`, { method: 'POST' })
    expect(fallback.status).toBe(202)
  })

  it('answers errors with OCI error bodies', async () => {
    const repo = repoName('errors')
    const unknownBlob = await fetch(`${base}/v2/${repo}/blobs/${digestOf(Buffer.from('none'))}`)
    expect(unknownBlob.status).toBe(404)
    expect(await errorCode(unknownBlob)).toBe('BLOB_UNKNOWN')
    const badName = await fetch(`${base}/v2/Bad..Name/tags/list`)
    expect(badName.status).toBe(400)
    expect(await errorCode(badName)).toBe('NAME_INVALID')
    const data = Buffer.from('mismatched')
    const mismatch = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${encodeURIComponent(digestOf(Buffer.from('other')))}`, {
      method: 'POST',
      body: bytes(data),
    })
    expect(mismatch.status).toBe(400)
    expect(await errorCode(mismatch)).toBe('DIGEST_INVALID')
    const badDigest = await fetch(`${base}/v2/${repo}/blobs/sha256:nothex`)
    expect(badDigest.status).toBe(400)
    expect(await errorCode(badDigest)).toBe('DIGEST_INVALID')
  })
})
