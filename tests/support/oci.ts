/**
 * Test content and a small HTTP client for the OCI Distribution API.
 *
 * Content builders return the exact bytes that are pushed (`content`), their `digest` (sha256)
 * and `size`, so a test can compare what the registry serves byte for byte.
 *
 * `registryClient(url, creds)` speaks `/v2` over `fetch` with Basic auth. If the registry answers
 * a Basic request with a `Bearer` challenge, the client fetches a token from the challenge's
 * realm (Basic auth, `service` + `scope`) and retries, like the official conformance suite does.
 * Every response is fully read into a Buffer, so tests can assert on status, headers and body.
 *
 * Used by tests/integration and by the real-client tests in e2e/.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import net from 'node:net'

// ------------------------------------------------------------------ media types

export const MT = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  octetStream: 'application/octet-stream',
} as const

/** The Accept header real clients send for manifests (all types we support). */
export const ACCEPT_ALL_MANIFESTS = [MT.ociManifest, MT.ociIndex, MT.dockerManifest, MT.dockerList].join(', ')

/** Error codes a registry may return (OCI distribution-spec v1.1 "Error Codes"). */
export const OCI_ERROR_CODES = [
  'BLOB_UNKNOWN',
  'BLOB_UPLOAD_INVALID',
  'BLOB_UPLOAD_UNKNOWN',
  'DIGEST_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN',
  'NAME_INVALID',
  'NAME_UNKNOWN',
  'SIZE_INVALID',
  'UNAUTHORIZED',
  'DENIED',
  'UNSUPPORTED',
  'TOOMANYREQUESTS',
] as const

// ------------------------------------------------------------------ digests and blobs

export function sha256(data: Uint8Array | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex')
}

export interface Blob {
  content: Buffer
  digest: string
  size: number
}

export function blobOf(content: Buffer | string): Blob {
  const buf = typeof content === 'string' ? Buffer.from(content) : content
  return { content: buf, digest: sha256(buf), size: buf.length }
}

/** `size` random bytes: a blob no other test (or run) has pushed. */
export function randomBlob(size = 1024): Blob {
  return blobOf(randomBytes(size))
}

/** The OCI empty descriptor's blob, `{}` (digest sha256:44136fa3...). */
export const EMPTY_JSON_BLOB: Blob = blobOf('{}')

/** A short random lowercase id, usable in repository names and tags. */
export function randomId(len = 10): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'
  const bytes = randomBytes(len)
  let out = ''
  for (const b of bytes) out += alphabet[b % alphabet.length]
  return out
}

export function randomUuid(): string {
  return randomUUID()
}

// ------------------------------------------------------------------ descriptors and manifests

export interface Platform {
  architecture: string
  os: string
  variant?: string
  'os.version'?: string
}

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  artifactType?: string
  annotations?: Record<string, string>
  platform?: Platform
  urls?: string[]
  data?: string
  [extra: string]: unknown
}

export function descriptor(mediaType: string, blob: { digest: string; size: number }, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType, digest: blob.digest, size: blob.size, ...extra }
}

/** A manifest (image manifest, index, artifact...) as pushed: its bytes, digest and media type. */
export interface Manifest {
  content: Buffer
  digest: string
  size: number
  /** The media type to send as Content-Type (and, when present, the `mediaType` field). */
  mediaType: string
  json: Record<string, unknown>
  /** A descriptor of this manifest, e.g. for an index entry or a `subject`. */
  descriptor(extra?: Partial<Descriptor>): Descriptor
}

/** Serialises `json` (pretty-printed by default, as clients differ) into a Manifest. */
export function manifestOf(json: Record<string, unknown>, mediaType?: string, indent: number | undefined = 2): Manifest {
  const content = Buffer.from(JSON.stringify(json, null, indent))
  return rawManifest(content, mediaType ?? (json.mediaType as string), json)
}

/** A manifest from exact bytes (for invalid or oddly formatted documents). */
export function rawManifest(content: Buffer | string, mediaType: string, json: Record<string, unknown> = {}): Manifest {
  const buf = typeof content === 'string' ? Buffer.from(content) : content
  const digest = sha256(buf)
  return {
    content: buf,
    digest,
    size: buf.length,
    mediaType,
    json,
    descriptor: (extra = {}) => ({ mediaType, digest, size: buf.length, ...extra }),
  }
}

/** An OCI image config blob; `author` makes it unique. */
export function imageConfig(opts: { architecture?: string; os?: string; author?: string } = {}): Blob {
  const config = {
    architecture: opts.architecture ?? 'amd64',
    os: opts.os ?? 'linux',
    author: opts.author ?? `integration-test-${randomId(16)}`,
    config: { Cmd: ['/app'], Env: ['A=1'] },
    rootfs: { type: 'layers', diff_ids: [] as string[] },
    history: [{ created_by: 'integration test' }],
  }
  return blobOf(JSON.stringify(config, null, '\t'))
}

export interface OciManifestOptions {
  config: Descriptor
  layers: Descriptor[]
  subject?: Descriptor
  artifactType?: string
  annotations?: Record<string, string>
  /** Omit the optional `mediaType` field from the body (it is still sent as Content-Type). */
  omitMediaType?: boolean
  /** Extra top-level fields (unknown fields must be preserved byte for byte). */
  extra?: Record<string, unknown>
}

export function ociManifest(opts: OciManifestOptions): Manifest {
  const json: Record<string, unknown> = { schemaVersion: 2 }
  if (!opts.omitMediaType) json.mediaType = MT.ociManifest
  if (opts.artifactType !== undefined) json.artifactType = opts.artifactType
  json.config = opts.config
  json.layers = opts.layers
  if (opts.subject) json.subject = opts.subject
  if (opts.annotations) json.annotations = opts.annotations
  Object.assign(json, opts.extra ?? {})
  return manifestOf(json, MT.ociManifest)
}

export interface OciIndexOptions {
  manifests: Descriptor[]
  subject?: Descriptor
  artifactType?: string
  annotations?: Record<string, string>
  extra?: Record<string, unknown>
}

export function ociIndex(opts: OciIndexOptions): Manifest {
  const json: Record<string, unknown> = { schemaVersion: 2, mediaType: MT.ociIndex }
  if (opts.artifactType !== undefined) json.artifactType = opts.artifactType
  json.manifests = opts.manifests
  if (opts.subject) json.subject = opts.subject
  if (opts.annotations) json.annotations = opts.annotations
  Object.assign(json, opts.extra ?? {})
  return manifestOf(json, MT.ociIndex)
}

export function dockerManifest(opts: { config: Descriptor; layers: Descriptor[] }): Manifest {
  return manifestOf({ schemaVersion: 2, mediaType: MT.dockerManifest, config: opts.config, layers: opts.layers }, MT.dockerManifest, 3)
}

export function dockerManifestList(manifests: Descriptor[]): Manifest {
  return manifestOf({ schemaVersion: 2, mediaType: MT.dockerList, manifests }, MT.dockerList, 3)
}

/** An image: its blobs (config first) and its manifest. Push the blobs, then the manifest. */
export interface Image {
  config: Blob
  layers: Blob[]
  blobs: Blob[]
  manifest: Manifest
}

export function ociImage(opts: { layers?: number; layerSize?: number; platform?: Platform; annotations?: Record<string, string>; subject?: Descriptor } = {}): Image {
  const config = imageConfig({ architecture: opts.platform?.architecture, os: opts.platform?.os })
  const layers = Array.from({ length: opts.layers ?? 1 }, () => randomBlob(opts.layerSize ?? 512))
  const manifest = ociManifest({
    config: descriptor(MT.ociConfig, config),
    layers: layers.map((l) => descriptor(MT.ociLayerGzip, l)),
    annotations: opts.annotations,
    subject: opts.subject,
  })
  return { config, layers, blobs: [config, ...layers], manifest }
}

export function dockerImage(opts: { layers?: number; platform?: Platform } = {}): Image {
  const config = imageConfig({ architecture: opts.platform?.architecture, os: opts.platform?.os })
  const layers = Array.from({ length: opts.layers ?? 1 }, () => randomBlob(512))
  const manifest = dockerManifest({
    config: descriptor(MT.dockerConfig, config),
    layers: layers.map((l) => descriptor(MT.dockerLayer, l)),
  })
  return { config, layers, blobs: [config, ...layers], manifest }
}

/** An artifact manifest (OCI 1.1 style: `artifactType`, empty config, one layer). */
export function ociArtifact(opts: {
  artifactType?: string
  /** Use this media type for the config instead of the empty descriptor (pre-1.1 artifact style). */
  configMediaType?: string
  layer?: Blob
  layerMediaType?: string
  subject?: Descriptor
  annotations?: Record<string, string>
}): { blobs: Blob[]; manifest: Manifest } {
  const layer = opts.layer ?? randomBlob(64)
  const config = opts.configMediaType ? randomBlob(32) : EMPTY_JSON_BLOB
  const manifest = ociManifest({
    artifactType: opts.artifactType,
    config: descriptor(opts.configMediaType ?? MT.ociEmpty, config),
    layers: [descriptor(opts.layerMediaType ?? 'application/vnd.example.payload', layer)],
    subject: opts.subject,
    annotations: opts.annotations,
  })
  return { blobs: [config, layer], manifest }
}

// ------------------------------------------------------------------ HTTP client

export interface Credentials {
  user: string
  password: string
}

export interface RegistryResponse {
  status: number
  headers: Headers
  body: Buffer
  /** The request that produced this response, for failure messages. */
  request: { method: string; url: string }
  text(): string
  json<T = any>(): T
  /** Parsed `{"errors":[...]}` body, or undefined when the body is not that. */
  errors(): { code: string; message?: string; detail?: unknown }[] | undefined
  header(name: string): string | null
  /** `METHOD url -> status` plus body excerpt: handy in assertion messages. */
  describe(): string
}

export type RequestBody =
  | Buffer
  | string
  | Uint8Array
  | null
  | undefined
  /** A function producing a fresh stream each time (sent with Transfer-Encoding: chunked). */
  | (() => AsyncIterable<Uint8Array>)

export interface RequestOptions {
  headers?: Record<string, string>
  body?: RequestBody
  /** false: send no credentials at all. Default: send the client's credentials. */
  auth?: boolean
  /** Credentials for this request only (e.g. wrong ones). */
  credentials?: Credentials
  signal?: AbortSignal
}

function toResponse(method: string, url: string, res: { status: number; headers: Headers }, body: Buffer): RegistryResponse {
  const r: RegistryResponse = {
    status: res.status,
    headers: res.headers,
    body,
    request: { method, url },
    text: () => body.toString('utf8'),
    json: () => JSON.parse(body.toString('utf8')),
    errors: () => {
      try {
        const parsed = JSON.parse(body.toString('utf8'))
        return Array.isArray(parsed?.errors) ? parsed.errors : undefined
      } catch {
        return undefined
      }
    },
    header: (name) => res.headers.get(name),
    describe: () => {
      const excerpt =
        body.length > 0 && body.length < 2000 && isTextual(res.headers.get('content-type')) ? ` ${body.toString('utf8')}` : body.length ? ` <${body.length} bytes>` : ''
      return `${method} ${url} -> ${res.status}${excerpt}`
    },
  }
  return r
}

function isTextual(ct: string | null): boolean {
  return !ct || /json|text/.test(ct)
}

function basic(c: Credentials): string {
  return 'Basic ' + Buffer.from(`${c.user}:${c.password}`).toString('base64')
}

/** Parses `Bearer realm="...",service="...",scope="..."` (or Basic). */
export function parseChallenge(header: string | null): { scheme: string; params: Record<string, string> } | undefined {
  if (!header) return undefined
  const m = /^\s*(\w+)\s*(.*)$/.exec(header)
  if (!m) return undefined
  const params: Record<string, string> = {}
  for (const p of m[2].matchAll(/([A-Za-z_]+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g)) params[p[1].toLowerCase()] = p[2] ?? p[3]
  return { scheme: m[1].toLowerCase(), params }
}

export class RegistryClient {
  readonly url: string
  private readonly tokens = new Map<string, string>()

  constructor(
    url: string,
    readonly credentials?: Credentials,
  ) {
    this.url = url.replace(/\/+$/, '')
  }

  /** Resolves a path (`/v2/...`) or an absolute/relative Location against the registry URL. */
  resolve(pathOrUrl: string): string {
    return new URL(pathOrUrl, this.url + '/').toString()
  }

  async request(method: string, pathOrUrl: string, opts: RequestOptions = {}): Promise<RegistryResponse> {
    const url = this.resolve(pathOrUrl)
    const creds = opts.credentials ?? this.credentials
    const useAuth = opts.auth !== false && !!creds
    const tokenKey = `${method}:${new URL(url).pathname}`
    let authorization = useAuth ? (this.cachedToken(tokenKey) ?? basic(creds!)) : undefined
    let res = await this.send(method, url, opts, authorization)
    if (res.status === 401 && useAuth) {
      const ch = parseChallenge(res.header('www-authenticate'))
      if (ch?.scheme === 'bearer' && ch.params.realm) {
        const token = await this.fetchToken(ch.params, creds!)
        if (token) {
          this.tokens.set(this.scopeKey(ch.params.scope), token)
          this.tokens.set(tokenKey, token)
          authorization = 'Bearer ' + token
          res = await this.send(method, url, opts, authorization)
        }
      }
    }
    return res
  }

  private scopeKey(scope?: string): string {
    return `scope:${scope ?? ''}`
  }

  private cachedToken(key: string): string | undefined {
    const t = this.tokens.get(key)
    return t ? 'Bearer ' + t : undefined
  }

  private async fetchToken(params: Record<string, string>, creds: Credentials): Promise<string | undefined> {
    const u = new URL(params.realm, this.url + '/')
    if (params.service) u.searchParams.set('service', params.service)
    if (params.scope) for (const s of params.scope.split(' ')) u.searchParams.append('scope', s)
    u.searchParams.set('account', creds.user)
    const r = await fetch(u, { headers: { authorization: basic(creds), accept: 'application/json' } })
    if (r.status !== 200) return undefined
    const j = (await r.json()) as { token?: string; access_token?: string }
    return j.token ?? j.access_token
  }

  private async send(method: string, url: string, opts: RequestOptions, authorization?: string): Promise<RegistryResponse> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) }
    if (authorization) headers.authorization = authorization
    let body: BodyInit | undefined
    let duplex: 'half' | undefined
    if (typeof opts.body === 'function') {
      // undici (Node's fetch) streams an async iterable with Transfer-Encoding: chunked
      body = opts.body() as unknown as BodyInit
      duplex = 'half'
    } else if (opts.body !== undefined && opts.body !== null) {
      body = opts.body as BodyInit
    }
    const init: RequestInit & { duplex?: 'half' } = { method, headers, body, redirect: 'manual', signal: opts.signal }
    if (duplex) init.duplex = duplex
    const res = await fetch(url, init)
    const buf = method === 'HEAD' ? Buffer.alloc(0) : Buffer.from(await res.arrayBuffer())
    return toResponse(method, url, res, buf)
  }

  get(path: string, opts?: RequestOptions) {
    return this.request('GET', path, opts)
  }
  head(path: string, opts?: RequestOptions) {
    return this.request('HEAD', path, opts)
  }
  delete(path: string, opts?: RequestOptions) {
    return this.request('DELETE', path, opts)
  }

  // ---------------------------------------------------------------- blob helpers

  /** POST /v2/<repo>/blobs/uploads/ (optionally with query parameters). */
  startUpload(repo: string, query: Record<string, string> = {}, opts: RequestOptions = {}) {
    const q = new URLSearchParams(query).toString()
    return this.request('POST', `/v2/${repo}/blobs/uploads/${q ? '?' + q : ''}`, {
      ...opts,
      headers: { 'content-length': '0', ...(opts.headers ?? {}) },
    })
  }

  /** Monolithic POST + PUT. Throws unless the PUT answers 201. */
  async pushBlob(repo: string, blob: { content: Buffer; digest: string }): Promise<RegistryResponse> {
    const post = await this.startUpload(repo)
    if (post.status !== 202 || !post.header('location')) throw new Error(`start upload failed: ${post.describe()}`)
    const put = await this.request('PUT', withDigest(post.header('location')!, blob.digest), {
      headers: { 'content-type': MT.octetStream },
      body: blob.content,
    })
    if (put.status !== 201) throw new Error(`blob PUT failed: ${put.describe()}`)
    return put
  }

  async pushBlobs(repo: string, blobs: { content: Buffer; digest: string }[]): Promise<void> {
    for (const b of blobs) await this.pushBlob(repo, b)
  }

  /** Chunked upload: POST, PATCH with Content-Range per chunk, PUT ?digest=. Throws on a non-spec status. */
  async pushBlobChunked(repo: string, blob: Blob, chunkSize: number): Promise<RegistryResponse> {
    const post = await this.startUpload(repo)
    if (post.status !== 202) throw new Error(`start upload failed: ${post.describe()}`)
    let location = post.header('location')!
    for (let off = 0; off < blob.size; off += chunkSize) {
      const chunk = blob.content.subarray(off, Math.min(off + chunkSize, blob.size))
      const r = await this.patchChunk(location, chunk, off)
      if (r.status !== 202) throw new Error(`PATCH failed: ${r.describe()}`)
      location = r.header('location')!
    }
    const put = await this.request('PUT', withDigest(location, blob.digest), { headers: { 'content-length': '0' } })
    if (put.status !== 201) throw new Error(`blob PUT failed: ${put.describe()}`)
    return put
  }

  /** PATCH one chunk with Content-Range `<offset>-<offset+len-1>` and Content-Length. */
  patchChunk(location: string, chunk: Buffer, offset: number, opts: RequestOptions = {}) {
    return this.request('PATCH', location, {
      ...opts,
      headers: {
        'content-type': MT.octetStream,
        'content-range': `${offset}-${offset + chunk.length - 1}`,
        'content-length': String(chunk.length),
        ...(opts.headers ?? {}),
      },
      body: chunk,
    })
  }

  headBlob(repo: string, digest: string, opts?: RequestOptions) {
    return this.head(`/v2/${repo}/blobs/${digest}`, opts)
  }

  getBlob(repo: string, digest: string, opts?: RequestOptions) {
    return this.get(`/v2/${repo}/blobs/${digest}`, opts)
  }

  // ---------------------------------------------------------------- manifest helpers

  putManifest(repo: string, reference: string, manifest: Manifest, opts: RequestOptions = {}) {
    return this.request('PUT', `/v2/${repo}/manifests/${reference}`, {
      ...opts,
      headers: { 'content-type': manifest.mediaType, ...(opts.headers ?? {}) },
      body: manifest.content,
    })
  }

  /** Pushes an image's blobs then its manifest under `reference`; throws unless 201. */
  async pushImage(repo: string, image: { blobs: Blob[]; manifest: Manifest }, reference: string = image.manifest.digest): Promise<RegistryResponse> {
    await this.pushBlobs(repo, image.blobs)
    const r = await this.putManifest(repo, reference, image.manifest)
    if (r.status !== 201) throw new Error(`manifest PUT failed: ${r.describe()}`)
    return r
  }

  getManifest(repo: string, reference: string, opts: RequestOptions = {}) {
    return this.get(`/v2/${repo}/manifests/${reference}`, {
      ...opts,
      headers: { accept: ACCEPT_ALL_MANIFESTS, ...(opts.headers ?? {}) },
    })
  }

  headManifest(repo: string, reference: string, opts: RequestOptions = {}) {
    return this.head(`/v2/${repo}/manifests/${reference}`, {
      ...opts,
      headers: { accept: ACCEPT_ALL_MANIFESTS, ...(opts.headers ?? {}) },
    })
  }

  deleteManifest(repo: string, reference: string, opts?: RequestOptions) {
    return this.delete(`/v2/${repo}/manifests/${reference}`, opts)
  }

  // ---------------------------------------------------------------- listings

  tags(repo: string, params: { n?: number; last?: string } = {}) {
    return this.get(`/v2/${repo}/tags/list${query(params)}`)
  }

  catalog(params: { n?: number; last?: string } = {}) {
    return this.get(`/v2/_catalog${query(params)}`)
  }

  referrers(repo: string, digest: string, params: { artifactType?: string } = {}) {
    return this.get(`/v2/${repo}/referrers/${digest}${query(params)}`)
  }
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v))
  const s = q.toString()
  return s ? '?' + s : ''
}

export function registryClient(url: string, creds?: Credentials): RegistryClient {
  return new RegistryClient(url, creds)
}

/** Appends `digest=<d>` to an upload Location, keeping its own query parameters. */
export function withDigest(location: string, digest: string): string {
  return location + (location.includes('?') ? '&' : '?') + 'digest=' + encodeURIComponent(digest)
}

/** Parses `Range: 0-<end>` into the number of bytes received (end + 1); `0-0` on an empty session is taken as 0 only by callers that know. */
export function parseUploadRange(range: string | null): { start: number; end: number } | undefined {
  const m = /^(?:bytes[= ])?(\d+)-(\d+)$/.exec(range?.trim() ?? '')
  return m ? { start: Number(m[1]), end: Number(m[2]) } : undefined
}

/** Parses a `Link: <url>; rel="next"` header into the next URL (relative or absolute). */
export function parseNextLink(link: string | null): string | undefined {
  if (!link) return undefined
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part)
    if (m && /rel\s*=\s*"?next"?/i.test(m[2])) return m[1]
  }
  return undefined
}

// ------------------------------------------------------------------ low-level HTTP (raw socket)

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: Buffer
  /** The socket error that ended the exchange after the response arrived (EPIPE, ECONNRESET), if any. */
  socketError?: string
}

/**
 * An HTTP/1.1 request over a plain TCP socket, for cases fetch and node:http cannot express: the
 * server may answer (e.g. 413 on an oversized manifest) and close before the request body has been
 * fully written. Write errors are ignored; the response is parsed from whatever bytes arrived.
 * Rejects only when no complete status line and headers were received.
 */
export function rawRequest(url: string, opts: { method: string; headers?: Record<string, string>; body?: Buffer; credentials?: Credentials }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    const headers: Record<string, string> = { host: u.host, connection: 'close', ...(opts.headers ?? {}) }
    if (opts.credentials) headers.authorization = basic(opts.credentials)
    headers['content-length'] = String(opts.body?.length ?? 0)
    const head =
      `${opts.method} ${u.pathname}${u.search} HTTP/1.1\r\n` +
      Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('') +
      '\r\n'
    const socket = net.connect(Number(u.port || 80), u.hostname)
    const chunks: Buffer[] = []
    let socketError: string | undefined
    let done = false
    const finish = () => {
      if (done) return
      done = true
      const raw = Buffer.concat(chunks)
      // skip interim 1xx responses
      let rest = raw
      for (;;) {
        const end = rest.indexOf('\r\n\r\n')
        if (end < 0) return reject(new Error(`no complete HTTP response (${raw.length} bytes received${socketError ? ', socket error ' + socketError : ''})`))
        const lines = rest.subarray(0, end).toString('latin1').split('\r\n')
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? 0)
        const hs: Record<string, string> = {}
        for (const l of lines.slice(1)) {
          const i = l.indexOf(':')
          if (i > 0) hs[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim()
        }
        rest = rest.subarray(end + 4)
        if (status >= 100 && status < 200) continue
        const len = hs['content-length'] !== undefined ? Number(hs['content-length']) : rest.length
        return resolve({ status, headers: hs, body: rest.subarray(0, len), socketError })
      }
    }
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', (e: NodeJS.ErrnoException) => {
      socketError = e.code ?? e.message
    })
    socket.on('close', finish)
    socket.setTimeout(60_000, () => socket.destroy())
    socket.on('connect', async () => {
      socket.write(head)
      const body = opts.body ?? Buffer.alloc(0)
      for (let off = 0; off < body.length && !socket.destroyed; off += 64 * 1024) {
        if (!socket.write(body.subarray(off, off + 64 * 1024))) await new Promise((r) => socket.once('drain', r).once('close', r))
      }
    })
  })
}
