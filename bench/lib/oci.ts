// Test content (generated in memory) and the OCI Distribution calls the scenarios are made of.
import { createHash, randomBytes } from 'node:crypto'
import type { Client, Body, Res } from './http'
import { MiB } from './util'

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip'
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'

/** What containers/image sends on a manifest GET (six Accept lines; Node joins them with ", "). */
export const MANIFEST_ACCEPT = [
  OCI_MANIFEST,
  DOCKER_MANIFEST,
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/vnd.docker.distribution.manifest.v1+json',
  DOCKER_LIST,
  OCI_INDEX,
].join(', ')

export interface Blob {
  digest: string
  size: number
  data: Buffer
}

export function sha256(buf: Buffer): string {
  return 'sha256:' + createHash('sha256').update(buf).digest('hex')
}

/** Incompressible random bytes. */
export function randomBlob(size: number): Blob {
  const data = randomBytes(size)
  return { data, size, digest: sha256(data) }
}

/** Streams a buffer in 1 MiB slices (no copies), so the request writes with backpressure. */
export function sliced(buf: Buffer, slice = MiB): () => AsyncIterable<Buffer> {
  return async function* () {
    for (let off = 0; off < buf.length; off += slice) yield buf.subarray(off, Math.min(buf.length, off + slice))
  }
}

/**
 * A large blob that never exists in memory as a whole: 1 MiB chunks derived from one random block,
 * each stamped with its index and a per-blob nonce (so every chunk and every blob differs).
 */
export class GeneratedBlob {
  readonly digest: string
  private readonly base: Buffer
  private readonly nonce: Buffer

  constructor(
    readonly size: number,
    readonly chunk = MiB,
  ) {
    this.base = randomBytes(chunk)
    this.nonce = randomBytes(8)
    const h = createHash('sha256')
    for (const c of this.chunks()) h.update(c)
    this.digest = 'sha256:' + h.digest('hex')
  }

  *chunks(): Generator<Buffer> {
    for (let off = 0, i = 0; off < this.size; off += this.chunk, i++) {
      const n = Math.min(this.chunk, this.size - off)
      const c = Buffer.from(this.base.subarray(0, n))
      if (n >= 12) {
        c.writeUInt32BE(i, 0)
        this.nonce.copy(c, 4)
      }
      yield c
    }
  }

  body(): () => AsyncIterable<Buffer> {
    const chunks = () => this.chunks()
    return async function* () {
      yield* chunks()
    }
  }
}

export function withDigest(location: string, digest: string): string {
  return location + (location.includes('?') ? '&' : '?') + 'digest=' + encodeURIComponent(digest)
}

export function location(c: Client, res: Res): string {
  const loc = res.headers.location
  if (!loc) throw new Error(`${res.url} answered ${res.status} without a Location header`)
  return c.resolve(loc)
}

/** POST /v2/<repo>/blobs/uploads/ → 202; returns the absolute upload Location. */
export async function startUpload(c: Client, repo: string): Promise<string> {
  const res = await c.request({ method: 'POST', url: `/v2/${repo}/blobs/uploads/`, kind: 'push', expect: [202] })
  return location(c, res)
}

/** POST then PUT ?digest= with the whole body (the "monolithic" upload). */
export async function pushMonolithic(c: Client, repo: string, digest: string, size: number, body: Body, timeoutMs?: number): Promise<void> {
  const loc = await startUpload(c, repo)
  await c.request({
    method: 'PUT',
    url: withDigest(loc, digest),
    kind: 'push',
    headers: { 'content-type': 'application/octet-stream' },
    body,
    contentLength: size,
    expect: [201],
    timeoutMs,
  })
}

/** POST, PATCHes of `chunk` bytes with Content-Range, then PUT ?digest= with an empty body. */
export async function pushChunked(c: Client, repo: string, blob: Blob, chunk: number): Promise<void> {
  let loc = await startUpload(c, repo)
  for (let off = 0; off < blob.size; off += chunk) {
    const end = Math.min(blob.size, off + chunk)
    const part = blob.data.subarray(off, end)
    const res = await c.request({
      method: 'PATCH',
      url: loc,
      kind: 'push',
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${off}-${end - 1}` },
      body: sliced(part),
      contentLength: part.length,
      expect: [202],
    })
    loc = location(c, res)
  }
  await c.request({ method: 'PUT', url: withDigest(loc, blob.digest), kind: 'push', expect: [201] })
}

/** Pushes a small blob: POST then PUT ?digest= with the body (Buffer). */
export async function pushSmall(c: Client, repo: string, blob: Blob): Promise<void> {
  await pushMonolithic(c, repo, blob.digest, blob.size, blob.data)
}

export async function putManifest(c: Client, repo: string, ref: string, body: Buffer, mediaType = OCI_MANIFEST): Promise<Res> {
  return c.request({
    method: 'PUT',
    url: `/v2/${repo}/manifests/${ref}`,
    kind: 'push',
    headers: { 'content-type': mediaType },
    body,
    expect: [201],
  })
}

export function imageConfig(layerDigests: string[], label: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/app'], Labels: { bench: label } },
      rootfs: { type: 'layers', diff_ids: layerDigests },
      history: layerDigests.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'bench' })),
    }),
  )
}

export function imageManifest(config: { digest: string; size: number }, layers: Array<{ digest: string; size: number }>, annotations?: Record<string, string>): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
      layers: layers.map((l) => ({ mediaType: OCI_LAYER, digest: l.digest, size: l.size })),
      ...(annotations ? { annotations } : {}),
    }),
  )
}

/** A config + one layer pushed to `repo`, ready for manifests to reference. */
export async function pushBaseImageBlobs(c: Client, repo: string, layerSize = 4096): Promise<{ config: Blob; layer: Blob }> {
  const layer = randomBlob(layerSize)
  const cfgData = imageConfig([layer.digest], repo)
  const config: Blob = { data: cfgData, size: cfgData.length, digest: sha256(cfgData) }
  await pushSmall(c, repo, layer)
  await pushSmall(c, repo, config)
  return { config, layer }
}

/** Follows `Link: <…>; rel="next"` headers; returns the number of requests and the JSON pages. */
export function nextLink(res: Res): string | null {
  const link = res.headers.link
  const s = Array.isArray(link) ? link.join(', ') : link
  if (!s) return null
  const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(s)
  return m ? m[1] : null
}
