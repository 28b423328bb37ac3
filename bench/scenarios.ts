// The benchmark scenarios. Each runs its own (untimed) setup in its own repositories, then the
// timed part, against one side (ours or distribution) at a time, with identical requests.
import { Client, HttpError, type Target } from './lib/http'
import {
  GeneratedBlob,
  MANIFEST_ACCEPT,
  OCI_MANIFEST,
  imageConfig,
  imageManifest,
  location,
  nextLink,
  pushBaseImageBlobs,
  pushChunked,
  pushMonolithic,
  pushSmall,
  putManifest,
  randomBlob,
  sha256,
  sliced,
  withDigest,
  type Blob,
} from './lib/oci'
import type { LimitKey } from './lib/limits'
import { mergeStats, type WatchStats } from './lib/procs'
import { MiB, median, now, runFor, runPool, sleep, summarize } from './lib/util'
import { PROXY_SCENARIOS } from './proxy'

export interface Sizes {
  bigBlob: number
  bigIters: number
  chunk: number
  pullStreams: number
  pullRounds: number
  smallCount: number
  smallSize: number
  smallConc: number
  manifestCount: number
  manifestConc: number
  getSeconds: number
  getConc: number
  getTags: number
  tagsCount: number
  listReps: number
  catalogRepos: number
  e2eImages: number
  e2eLayers: number
  e2eLayerSize: number
  e2eConc: number
  deletes: number
  deleteConc: number
  memoryBlob: number
  /** Physical limits: bytes written before one fdatasync. */
  limitWrite: number
  /** Pull-through cache (bench/proxy.ts): the single-blob image's layer, the multi-layer image, warm rounds, pulls within one TTL, the large cold blob. */
  proxyBlob: number
  proxyLayers: number
  proxyLayerSize: number
  proxyWarmRounds: number
  proxyPulls: number
  proxyMemoryBlob: number
}

export const FULL: Sizes = {
  bigBlob: 64 * MiB,
  bigIters: 5,
  chunk: 8 * MiB,
  pullStreams: 4,
  pullRounds: 5,
  smallCount: 2000,
  smallSize: 4096,
  smallConc: 16,
  manifestCount: 1000,
  manifestConc: 16,
  getSeconds: 10,
  getConc: 32,
  getTags: 100,
  tagsCount: 1000,
  listReps: 50,
  catalogRepos: 500,
  e2eImages: 50,
  e2eLayers: 5,
  e2eLayerSize: MiB,
  e2eConc: 8,
  deletes: 200,
  deleteConc: 16,
  memoryBlob: 1024 * MiB,
  limitWrite: 1024 * MiB,
  proxyBlob: 64 * MiB,
  proxyLayers: 5,
  proxyLayerSize: 8 * MiB,
  proxyWarmRounds: 5,
  proxyPulls: 20,
  proxyMemoryBlob: 1024 * MiB,
}

export const QUICK: Sizes = {
  ...FULL,
  bigBlob: 16 * MiB,
  bigIters: 2,
  pullRounds: 2,
  smallCount: 200,
  manifestCount: 100,
  getSeconds: 2,
  getTags: 20,
  tagsCount: 200,
  listReps: 10,
  catalogRepos: 50,
  e2eImages: 8,
  deletes: 40,
  memoryBlob: 256 * MiB,
  limitWrite: 256 * MiB,
  proxyBlob: 16 * MiB,
  proxyLayerSize: 2 * MiB,
  proxyWarmRounds: 2,
  proxyPulls: 5,
  proxyMemoryBlob: 256 * MiB,
}

export type Better = 'higher' | 'lower'

export interface MetricDef {
  key: string
  label: string
  unit: string
  better: Better
  /** ours/distribution must reach this (higher-is-better metrics). */
  minRatio?: number
  /** ours/distribution must stay at or below this (lower-is-better metrics). */
  maxRatio?: number
  /** ours must stay below this absolute value. */
  maxOurs?: number
  /** ours must reach at least this absolute value (e.g. a ratio to the upstream measured in the same run). */
  minOurs?: number
  /** The physical limit (measured by the harness in the same run) this metric is read against. */
  limit?: LimitKey
  /** ours must reach at least this fraction of its limit. */
  minOfLimit?: number
  digits?: number
}

export interface SideResult {
  metrics: Record<string, number>
  details: Record<string, unknown>
  proc: Record<string, WatchStats | undefined>
}

export interface Side {
  label: 'ours' | 'distribution'
  target: Target
  /** Namespace (first path component) for repository names. */
  ns: string
  runId: string
  sizes: Sizes
  /**
   * Measurement window (RSS peak, CPU seconds) on this side's server, or on a process registered with
   * watch(); undefined when not watched.
   */
  begin(process?: string): unknown
  /** Registers another process to sample under `name` (e.g. distribution's proxy instance). */
  watch(name: string, pid: number): void
  /** Keep temp dirs of processes a scenario starts (--keep). */
  keep: boolean
  end(w: unknown): WatchStats | undefined
  /** Per-scenario shared state from prepare() (same for both sides). */
  shared: Record<string, unknown>
  log(msg: string): void
}

export interface Scenario {
  id: string
  title: string
  params(s: Sizes): string
  metrics: MetricDef[]
  /**
   * With --repeat: 'best' (default) keeps each metric's best value over the runs; 'worst-run' reports the
   * whole run that was worst on the first metric (for limits such as memory growth).
   */
  repeatPolicy?: 'best' | 'worst-run'
  /** Runs once before both sides (e.g. to pick a method both registries support). */
  prepare?(sides: Side[]): Promise<string[]>
  run(side: Side): Promise<SideResult>
  /** Environment our server needs for this scenario (under any --server-env). */
  serverEnv?: Record<string, string>
}

const repoName = (side: Side, what: string): string => `${side.ns}/${what}-${side.runId}`

function cpuPerOp(stats: WatchStats | undefined, ops: number): number {
  return stats && ops > 0 ? (stats.cpuSeconds * 1e6) / ops : NaN
}

/** A couple of cheap requests so connections, auth (tokens) and the repository exist before timing. */
async function warm(c: Client, repo: string): Promise<void> {
  await c.request({ method: 'GET', url: '/v2/', kind: 'ping', expect: [200, 401] })
  const b = randomBlob(1024)
  await pushSmall(c, repo, b)
  await c.request({ method: 'HEAD', url: `/v2/${repo}/blobs/${b.digest}`, kind: 'pull', expect: [200] })
}

// ---------------------------------------------------------------- blob push (monolithic, chunked)

const BLOB_PUSH_METRICS: Scenario['metrics'] = [
  { key: 'mibps', label: 'MiB/s (median)', unit: 'MiB/s', better: 'higher', minRatio: 1.2, limit: 'sha256', minOfLimit: 0.6, digits: 1 },
  { key: 'ms', label: 'time per blob p50', unit: 'ms', better: 'lower', digits: 0 },
]

/** Pushes `bigIters` fresh blobs of `bigBlob` bytes one after another with `push`, timing each. */
async function timedBlobPushes(side: Side, repoPrefix: string, push: (c: Client, repo: string, blob: Blob) => Promise<void>) {
  const s = side.sizes
  const c = new Client(side.target, 1)
  try {
    const repo = repoName(side, repoPrefix)
    await warm(c, repo)
    const times: number[] = []
    let stats: WatchStats | undefined
    for (let i = 0; i < s.bigIters; i++) {
      const blob = randomBlob(s.bigBlob)
      const w = side.begin()
      const t0 = now()
      await push(c, repo, blob)
      times.push(now() - t0)
      stats = mergeStats(stats, side.end(w))
    }
    const ms = median(times)
    return { metrics: { mibps: s.bigBlob / MiB / (ms / 1000), ms }, details: { timesMs: times }, proc: { push: stats } }
  } finally {
    c.close()
  }
}

const blobPush: Scenario = {
  id: 'blob-push',
  title: 'monolithic blob push',
  params: (s) => `${s.bigIters} x ${s.bigBlob / MiB} MiB, POST then PUT ?digest= with the body (1 MiB writes from memory)`,
  metrics: BLOB_PUSH_METRICS,
  run: (side) => timedBlobPushes(side, 'blobpush', (c, repo, blob) => pushMonolithic(c, repo, blob.digest, blob.size, sliced(blob.data))),
}

const blobPushChunked: Scenario = {
  id: 'blob-push-chunked',
  title: 'chunked blob push',
  params: (s) => `${s.bigIters} x ${s.bigBlob / MiB} MiB in ${s.chunk / MiB} MiB PATCHes with Content-Range, then PUT ?digest=`,
  metrics: BLOB_PUSH_METRICS,
  run: (side) => timedBlobPushes(side, 'chunked', (c, repo, blob) => pushChunked(c, repo, blob, side.sizes.chunk)),
}

// ---------------------------------------------------------------- blob pull

const blobPull: Scenario = {
  id: 'blob-pull',
  title: 'blob pull, concurrent streams',
  params: (s) => `${s.pullStreams} concurrent GETs of one ${s.bigBlob / MiB} MiB blob, ${s.pullRounds} rounds (body read and discarded; a 307 is followed)`,
  metrics: [
    { key: 'mibps', label: 'aggregate MiB/s (median)', unit: 'MiB/s', better: 'higher', minRatio: 1.0, limit: 'download', digits: 1 },
    { key: 'ms', label: 'round time p50', unit: 'ms', better: 'lower', digits: 0 },
    // Only when pulls redirect (--s3 with S3_REDIRECT=1): the same rounds straight to the presigned URL.
    { key: 'gatewayMibps', label: 'reference: the gateway itself (presigned GET, same client)', unit: 'MiB/s', better: 'higher', digits: 1 },
    { key: 'ofGateway', label: 'pull with redirect / gateway itself', unit: 'x', better: 'higher', minOurs: 0.9, digits: 2 },
  ],
  async run(side) {
    const s = side.sizes
    const c = new Client(side.target, s.pullStreams)
    try {
      const repo = repoName(side, 'pull')
      await warm(c, repo)
      const blob = randomBlob(s.bigBlob)
      await pushMonolithic(c, repo, blob.digest, blob.size, sliced(blob.data))
      const url = `/v2/${repo}/blobs/${blob.digest}`
      // Verify the bytes once (untimed): the pull must return exactly what was pushed.
      const first = await c.request({ method: 'GET', url, kind: 'pull', expect: [200, 307] })
      const redirect = first.status === 307 ? String(first.headers.location) : undefined
      const check = redirect ? await c.request({ method: 'GET', url: redirect, kind: 'pull', expect: [200] }) : first
      if (sha256(check.body) !== blob.digest) throw new Error(`GET ${url} returned different bytes (${check.body.length} bytes, ${sha256(check.body)})`)
      const pull = async (): Promise<void> => {
        let res = await c.request({ method: 'GET', url, kind: 'pull', expect: [200, 307], discard: true })
        if (res.status === 307) res = await c.request({ method: 'GET', url: String(res.headers.location), kind: 'pull', expect: [200], discard: true })
        if (res.bytes !== blob.size) throw new Error(`GET blob returned ${res.bytes} bytes, expected ${blob.size}`)
      }
      const roundsOf = async (get: () => Promise<void>) => {
        const rounds: number[] = []
        let stats: WatchStats | undefined
        for (let r = 0; r < s.pullRounds; r++) {
          const w = side.begin()
          const t0 = now()
          await Promise.all(Array.from({ length: s.pullStreams }, get))
          rounds.push(now() - t0)
          stats = mergeStats(stats, side.end(w))
        }
        return { rounds, ms: median(rounds), stats }
      }
      const mibps = (ms: number) => (s.pullStreams * s.bigBlob) / MiB / (ms / 1000)
      const viaRegistry = await roundsOf(pull)
      const metrics: Record<string, number> = { mibps: mibps(viaRegistry.ms), ms: viaRegistry.ms }
      const details: Record<string, unknown> = { roundsMs: viaRegistry.rounds, redirected: !!redirect }
      if (redirect) {
        const direct = await roundsOf(async () => {
          const res = await c.request({ method: 'GET', url: redirect, kind: 'pull', expect: [200], discard: true })
          if (res.bytes !== blob.size) throw new Error(`presigned GET returned ${res.bytes} bytes, expected ${blob.size}`)
        })
        metrics.gatewayMibps = mibps(direct.ms)
        metrics.ofGateway = metrics.mibps / metrics.gatewayMibps
        details.gatewayRoundsMs = direct.rounds
      }
      return { metrics, details, proc: { pull: viaRegistry.stats } }
    } finally {
      c.close()
    }
  },
}

// ---------------------------------------------------------------- small blobs

const smallBlobs: Scenario = {
  id: 'small-blobs',
  title: 'small blob pushes',
  params: (s) => `${s.smallCount} distinct ${s.smallSize / 1024} KiB blobs, concurrency ${s.smallConc}`,
  metrics: [
    { key: 'rate', label: 'blobs/s', unit: '/s', better: 'higher', minRatio: 4, limit: 'hello', digits: 0 },
    { key: 'p50', label: 'per-blob latency p50', unit: 'ms', better: 'lower', digits: 2 },
    { key: 'p99', label: 'per-blob latency p99', unit: 'ms', better: 'lower', digits: 2 },
    { key: 'cpu', label: 'server CPU per blob', unit: 'us', better: 'lower', digits: 0 },
  ],
  /** Monolithic `POST ?digest=` if both registries support it, else POST + PUT for both. */
  async prepare(sides) {
    const support: Record<string, boolean> = {}
    const notes: string[] = []
    for (const side of sides) {
      const c = new Client(side.target, 1)
      try {
        const repo = repoName(side, 'probe')
        await warm(c, repo)
        const b = randomBlob(side.sizes.smallSize)
        const res = await c.request({
          method: 'POST',
          url: `/v2/${repo}/blobs/uploads/?digest=${encodeURIComponent(b.digest)}`,
          kind: 'push',
          headers: { 'content-type': 'application/octet-stream' },
          body: b.data,
        })
        support[side.label] = res.status === 201
        notes.push(`${side.label}: POST /blobs/uploads/?digest= with a body -> ${res.status}${res.status === 201 ? ' (monolithic POST supported)' : ''}`)
        if (res.status === 202 && res.headers.location) {
          await c.request({ method: 'DELETE', url: location(c, res), kind: 'push' }).catch(() => undefined)
        }
      } finally {
        c.close()
      }
    }
    const mono = sides.every((s) => support[s.label])
    for (const side of sides) side.shared.method = mono ? 'post-digest' : 'post-put'
    notes.push(
      mono
        ? 'method: monolithic POST ?digest= (1 request per blob) on both'
        : 'method: POST + PUT ?digest= with the body (2 requests per blob) on both, because not every registry supports monolithic POST',
    )
    return notes
  },
  async run(side) {
    const s = side.sizes
    const c = new Client(side.target, s.smallConc)
    try {
      const repo = repoName(side, 'small')
      await warm(c, repo)
      const blobs = Array.from({ length: s.smallCount }, () => randomBlob(s.smallSize))
      const mono = side.shared.method === 'post-digest'
      const lat: number[] = []
      const w = side.begin()
      const t0 = now()
      await runPool(blobs.length, s.smallConc, async (i) => {
        const b = blobs[i]
        const t = now()
        if (mono) {
          await c.request({
            method: 'POST',
            url: `/v2/${repo}/blobs/uploads/?digest=${encodeURIComponent(b.digest)}`,
            kind: 'push',
            headers: { 'content-type': 'application/octet-stream' },
            body: b.data,
            expect: [201],
          })
        } else {
          await pushSmall(c, repo, b)
        }
        lat.push(now() - t)
      })
      const wall = now() - t0
      const st = side.end(w)
      const sum = summarize(lat)
      return {
        metrics: { rate: blobs.length / (wall / 1000), p50: sum.p50, p99: sum.p99, cpu: cpuPerOp(st, blobs.length) },
        details: { method: side.shared.method, wallMs: wall, latency: sum },
        proc: { push: st },
      }
    } finally {
      c.close()
    }
  },
}

// ---------------------------------------------------------------- manifests

async function pushTaggedManifests(c: Client, repo: string, n: number, conc: number, runId: string): Promise<string[]> {
  const { config, layer } = await pushBaseImageBlobs(c, repo)
  const tags: string[] = []
  await runPool(n, conc, async (i) => {
    const tag = `t${String(i).padStart(5, '0')}`
    await putManifest(c, repo, tag, imageManifest(config, [layer], { 'bench.index': String(i), 'bench.run': runId }))
    tags[i] = tag
  })
  return tags
}

const manifestPush: Scenario = {
  id: 'manifest-push',
  title: 'manifest pushes',
  params: (s) => `${s.manifestCount} distinct OCI image manifests, distinct tags, concurrency ${s.manifestConc} (config + layer pushed beforehand)`,
  metrics: [
    { key: 'rate', label: 'manifests/s', unit: '/s', better: 'higher', minRatio: 5, limit: 'hello', digits: 0 },
    { key: 'p50', label: 'latency p50', unit: 'ms', better: 'lower', digits: 2 },
    { key: 'p99', label: 'latency p99', unit: 'ms', better: 'lower', digits: 2 },
    { key: 'cpu', label: 'server CPU per manifest', unit: 'us', better: 'lower', digits: 0 },
  ],
  async run(side) {
    const s = side.sizes
    const c = new Client(side.target, s.manifestConc)
    try {
      const repo = repoName(side, 'manifests')
      await warm(c, repo)
      const { config, layer } = await pushBaseImageBlobs(c, repo)
      await putManifest(c, repo, 'warmup', imageManifest(config, [layer], { 'bench.warmup': side.runId }))
      const bodies = Array.from({ length: s.manifestCount }, (_, i) => imageManifest(config, [layer], { 'bench.index': String(i), 'bench.run': side.runId }))
      const lat: number[] = []
      const w = side.begin()
      const t0 = now()
      await runPool(bodies.length, s.manifestConc, async (i) => {
        const t = now()
        const res = await putManifest(c, repo, `t${String(i).padStart(5, '0')}`, bodies[i])
        lat.push(now() - t)
        const d = res.headers['docker-content-digest']
        if (d !== undefined && d !== sha256(bodies[i])) throw new Error(`PUT manifest answered Docker-Content-Digest ${d}, expected ${sha256(bodies[i])}`)
      })
      const wall = now() - t0
      const st = side.end(w)
      const sum = summarize(lat)
      return {
        metrics: { rate: bodies.length / (wall / 1000), p50: sum.p50, p99: sum.p99, cpu: cpuPerOp(st, bodies.length) },
        details: { wallMs: wall, latency: sum },
        proc: { push: st },
      }
    } finally {
      c.close()
    }
  },
}

const manifestGet: Scenario = {
  id: 'manifest-get',
  title: 'manifest GET/HEAD by tag',
  params: (s) => `GET then HEAD by tag (${s.getTags} tags in rotation), concurrency ${s.getConc}, ${s.getSeconds} s each, containers/image Accept header`,
  metrics: [
    { key: 'get_rps', label: 'GET req/s', unit: '/s', better: 'higher', minRatio: 4, limit: 'hello', digits: 0 },
    { key: 'get_p50', label: 'GET latency p50', unit: 'ms', better: 'lower', digits: 2 },
    { key: 'get_p99', label: 'GET latency p99', unit: 'ms', better: 'lower', maxOurs: 50, digits: 2 },
    { key: 'get_cpu', label: 'server CPU per GET', unit: 'us', better: 'lower', digits: 0 },
    { key: 'head_rps', label: 'HEAD req/s', unit: '/s', better: 'higher', limit: 'hello', digits: 0 },
    { key: 'head_p50', label: 'HEAD latency p50', unit: 'ms', better: 'lower', digits: 2 },
    { key: 'head_p99', label: 'HEAD latency p99', unit: 'ms', better: 'lower', digits: 2 },
    { key: 'head_cpu', label: 'server CPU per HEAD', unit: 'us', better: 'lower', digits: 0 },
  ],
  async run(side) {
    const s = side.sizes
    const c = new Client(side.target, s.getConc)
    try {
      const repo = repoName(side, 'get')
      await warm(c, repo)
      const tags = await pushTaggedManifests(c, repo, s.getTags, 16, side.runId)
      const get = (method: 'GET' | 'HEAD') => async (i: number) => {
        const res = await c.request({
          method,
          url: `/v2/${repo}/manifests/${tags[i % tags.length]}`,
          kind: 'pull',
          headers: { accept: MANIFEST_ACCEPT },
          expect: [200],
        })
        if (method === 'GET' && res.body.length === 0) throw new Error(`GET manifest returned an empty body`)
        if (method === 'HEAD' && !res.headers['docker-content-digest']) throw new Error(`HEAD manifest answered without Docker-Content-Digest`)
      }
      // Warm-up (untimed): one request per tag, then a short burst at full concurrency.
      await runPool(tags.length, s.getConc, get('GET'))
      await runFor(1000, s.getConc, get('HEAD'))
      const out: Record<string, number> = {}
      const proc: Record<string, WatchStats | undefined> = {}
      const details: Record<string, unknown> = {}
      for (const m of ['GET', 'HEAD'] as const) {
        const k = m.toLowerCase()
        await sleep(300)
        const w = side.begin()
        const r = await runFor(s.getSeconds * 1000, s.getConc, get(m))
        const st = side.end(w)
        const sum = summarize(r.latencies)
        out[`${k}_rps`] = r.latencies.length / (r.wallMs / 1000)
        out[`${k}_p50`] = sum.p50
        out[`${k}_p99`] = sum.p99
        out[`${k}_cpu`] = cpuPerOp(st, r.latencies.length)
        proc[k] = st
        details[k] = { requests: r.latencies.length, wallMs: r.wallMs, latency: sum }
      }
      return { metrics: out, details, proc }
    } finally {
      c.close()
    }
  },
}

// ---------------------------------------------------------------- listing: tags and catalog

interface ListTiming {
  full: number[]
  firstPage: number[]
  walk: number[]
  fullRequests: number
  walkRequests: number
  fullCount: number
  walkCount: number
  firstPageCount: number
}

/** GET `url` and follow Link rel=next; returns the items (from `field`) and the request count. */
async function fetchAll(c: Client, url: string, kind: 'pull' | 'catalog', field: 'tags' | 'repositories', maxPages = 1000): Promise<{ items: string[]; requests: number }> {
  const items: string[] = []
  let next: string | null = url
  let requests = 0
  while (next && requests < maxPages) {
    const res = await c.request({ method: 'GET', url: next, kind, expect: [200] })
    requests++
    const json = JSON.parse(res.body.toString('utf8')) as Record<string, string[] | null>
    items.push(...(json[field] ?? []))
    next = nextLink(res)
  }
  return { items, requests }
}

async function timeListing(
  c: Client,
  base: string,
  kind: 'pull' | 'catalog',
  field: 'tags' | 'repositories',
  reps: number,
  count: (items: string[]) => number,
): Promise<ListTiming> {
  const sep = base.includes('?') ? '&' : '?'
  const t: ListTiming = { full: [], firstPage: [], walk: [], fullRequests: 0, walkRequests: 0, fullCount: 0, walkCount: 0, firstPageCount: 0 }
  // warm-up
  await fetchAll(c, base, kind, field)
  for (let i = 0; i < reps; i++) {
    let t0 = now()
    const full = await fetchAll(c, base, kind, field)
    t.full.push(now() - t0)
    t.fullRequests = full.requests
    t.fullCount = count(full.items)

    t0 = now()
    const res = await c.request({ method: 'GET', url: `${base}${sep}n=100`, kind, expect: [200] })
    t.firstPage.push(now() - t0)
    t.firstPageCount = ((JSON.parse(res.body.toString('utf8')) as Record<string, string[] | null>)[field] ?? []).length

    t0 = now()
    const walk = await fetchAll(c, `${base}${sep}n=100`, kind, field)
    t.walk.push(now() - t0)
    t.walkRequests = walk.requests
    t.walkCount = count(walk.items)
  }
  return t
}

const LIST_METRICS: MetricDef[] = [
  { key: 'full_p50', label: 'full list p50 (no n, Link followed)', unit: 'ms', better: 'lower', digits: 2 },
  { key: 'page_p50', label: 'first page n=100 p50', unit: 'ms', better: 'lower', digits: 2 },
  { key: 'walk_p50', label: 'all pages n=100 p50', unit: 'ms', better: 'lower', digits: 2 },
]

function listingResult(t: ListTiming, expected: number, what: string): SideResult {
  const notes: string[] = []
  if (t.fullCount !== expected) throw new Error(`full ${what} listing returned ${t.fullCount} of the ${expected} expected entries`)
  if (t.walkCount !== expected) throw new Error(`paged (n=100) ${what} listing returned ${t.walkCount} of the ${expected} expected entries`)
  if (t.firstPageCount > 100) notes.push(`ignores n: ?n=100 returned ${t.firstPageCount} entries`)
  return {
    metrics: { full_p50: median(t.full), page_p50: median(t.firstPage), walk_p50: median(t.walk) },
    details: {
      fullRequests: t.fullRequests,
      walkRequests: t.walkRequests,
      firstPageEntries: t.firstPageCount,
      full: summarize(t.full),
      firstPage: summarize(t.firstPage),
      walk: summarize(t.walk),
      notes,
    },
    proc: {},
  }
}

const tagsList: Scenario = {
  id: 'tags-list',
  title: 'tags list',
  params: (s) =>
    `GET /v2/<name>/tags/list of a ${s.tagsCount}-tag repository, ${s.listReps} sequential repetitions each; the full list (no n) is one response on both (distribution ignores n)`,
  // The row: the whole list in one response on both sides (checked), so like is compared with like.
  metrics: [{ ...LIST_METRICS[0], label: 'full list, one response (no n) p50', maxRatio: 1 }, ...LIST_METRICS.slice(1)],
  async run(side) {
    const s = side.sizes
    const c = new Client(side.target, 16)
    try {
      const repo = repoName(side, 'tags')
      await warm(c, repo)
      const { config, layer } = await pushBaseImageBlobs(c, repo)
      const body = imageManifest(config, [layer])
      await runPool(s.tagsCount, 16, async (i) => {
        await putManifest(c, repo, `v${String(i).padStart(5, '0')}`, body)
      })
      const w = side.begin()
      const t = await timeListing(c, `/v2/${repo}/tags/list`, 'pull', 'tags', s.listReps, (items) => new Set(items).size)
      const r = listingResult(t, s.tagsCount, 'tags')
      r.proc.list = side.end(w)
      if (t.fullRequests !== 1) throw new Error(`the full tags list (no n) took ${t.fullRequests} responses; the row compares one response with distribution's one`)
      return r
    } finally {
      c.close()
    }
  },
}

const catalog: Scenario = {
  id: 'catalog',
  title: 'catalog',
  params: (s) => `GET /v2/_catalog with ${s.catalogRepos} repositories (each with one image), ${s.listReps} sequential repetitions each`,
  metrics: LIST_METRICS,
  async run(side) {
    const s = side.sizes
    const c = new Client(side.target, 16)
    try {
      const prefix = `${side.ns}/cat-${side.runId}-`
      await warm(c, `${prefix}warm`)
      const layer = randomBlob(1024)
      const cfg = imageConfig([layer.digest], 'catalog')
      const config: Blob = { data: cfg, size: cfg.length, digest: sha256(cfg) }
      const body = imageManifest(config, [layer])
      await runPool(s.catalogRepos, 16, async (i) => {
        const repo = `${prefix}${String(i).padStart(4, '0')}`
        await pushSmall(c, repo, layer)
        await pushSmall(c, repo, config)
        await putManifest(c, repo, 'latest', body)
      })
      const w = side.begin()
      const t = await timeListing(
        c,
        `/v2/_catalog`,
        'catalog',
        'repositories',
        s.listReps,
        (items) => new Set(items.filter((r) => r.startsWith(prefix) && !r.endsWith('warm'))).size,
      )
      const r = listingResult(t, s.catalogRepos, 'catalog')
      r.proc.list = side.end(w)
      return r
    } finally {
      c.close()
    }
  },
}

// ---------------------------------------------------------------- end-to-end image push

interface Image {
  layers: Blob[]
  config: Blob
  manifest: Buffer
}

/** What containers/image does per blob: HEAD (404), POST, one PATCH, PUT ?digest= with an empty body. */
async function pushBlobLikeContainersImage(c: Client, repo: string, b: Blob, chunked: boolean): Promise<void> {
  await c.request({ method: 'HEAD', url: `/v2/${repo}/blobs/${b.digest}`, kind: 'push', expect: [404] })
  const res = await c.request({ method: 'POST', url: `/v2/${repo}/blobs/uploads/`, kind: 'push', expect: [202] })
  const patched = await c.request({
    method: 'PATCH',
    url: location(c, res),
    kind: 'push',
    headers: { 'content-type': 'application/octet-stream' },
    body: b.data,
    chunked,
    expect: [202],
  })
  await c.request({ method: 'PUT', url: withDigest(location(c, patched), b.digest), kind: 'push', expect: [201] })
}

const e2ePush: Scenario = {
  id: 'e2e-push',
  title: 'end-to-end image push',
  params: (s) =>
    `${s.e2eImages} images of ${s.e2eLayers} x ${s.e2eLayerSize / 1024} KiB layers, each into its own repository (one token flow each, like a CI fleet), concurrency ${s.e2eConc}; per image: GET /v2/, per blob HEAD/POST/PATCH/PUT (layers chunked, config with Content-Length), PUT manifest`,
  metrics: [
    { key: 'rate', label: 'images/s', unit: '/s', better: 'higher', minRatio: 3, digits: 1 },
    { key: 'p50', label: 'per-image latency p50', unit: 'ms', better: 'lower', digits: 1 },
    { key: 'p99', label: 'per-image latency p99', unit: 'ms', better: 'lower', digits: 1 },
    { key: 'cpu', label: 'server CPU per image', unit: 'us', better: 'lower', digits: 0 },
  ],
  async run(side) {
    const s = side.sizes
    const c = new Client(side.target, s.e2eConc)
    try {
      const repos = Array.from({ length: s.e2eImages }, (_, i) => repoName(side, `e2e${String(i).padStart(3, '0')}`))
      await warm(c, repoName(side, 'e2e-warm'))
      const images: Image[] = Array.from({ length: s.e2eImages }, (_, i) => {
        const layers = Array.from({ length: s.e2eLayers }, () => randomBlob(s.e2eLayerSize))
        const cfg = imageConfig(
          layers.map((l) => l.digest),
          `e2e-${i}`,
        )
        const config: Blob = { data: cfg, size: cfg.length, digest: sha256(cfg) }
        return { layers, config, manifest: imageManifest(config, layers) }
      })
      const lat: number[] = []
      const w = side.begin()
      const t0 = now()
      await runPool(images.length, s.e2eConc, async (i) => {
        const img = images[i]
        const repo = repos[i]
        const t = now()
        await c.request({ method: 'GET', url: '/v2/', kind: 'ping', expect: [200, 401] })
        for (const l of img.layers) await pushBlobLikeContainersImage(c, repo, l, true)
        await pushBlobLikeContainersImage(c, repo, img.config, false)
        await putManifest(c, repo, 'latest', img.manifest, OCI_MANIFEST)
        lat.push(now() - t)
      })
      const wall = now() - t0
      const st = side.end(w)
      const sum = summarize(lat)
      return {
        metrics: { rate: images.length / (wall / 1000), p50: sum.p50, p99: sum.p99, cpu: cpuPerOp(st, images.length) },
        details: { wallMs: wall, latency: sum, requestsPerImage: 2 + 4 * (s.e2eLayers + 1) },
        proc: { push: st },
      }
    } finally {
      c.close()
    }
  },
}

// ---------------------------------------------------------------- deletes

const deletes: Scenario = {
  id: 'delete',
  title: 'manifest deletes',
  params: (s) => `${s.deletes} DELETE /v2/<name>/manifests/<digest> (each manifest distinct and tagged), concurrency ${s.deleteConc}`,
  metrics: [
    { key: 'rate', label: 'deletes/s', unit: '/s', better: 'higher', digits: 0 },
    { key: 'p50', label: 'latency p50', unit: 'ms', better: 'lower', digits: 2 },
    { key: 'p99', label: 'latency p99', unit: 'ms', better: 'lower', digits: 2 },
  ],
  async run(side) {
    const s = side.sizes
    const c = new Client(side.target, s.deleteConc)
    try {
      const repo = repoName(side, 'delete')
      await warm(c, repo)
      const { config, layer } = await pushBaseImageBlobs(c, repo)
      const digests: string[] = []
      await runPool(s.deletes, 16, async (i) => {
        const body = imageManifest(config, [layer], { 'bench.delete': String(i), 'bench.run': side.runId })
        await putManifest(c, repo, `d${String(i).padStart(4, '0')}`, body)
        digests[i] = sha256(body)
      })
      const lat: number[] = []
      const w = side.begin()
      const t0 = now()
      await runPool(digests.length, s.deleteConc, async (i) => {
        const t = now()
        await c.request({ method: 'DELETE', url: `/v2/${repo}/manifests/${digests[i]}`, kind: 'delete', expect: [202] })
        lat.push(now() - t)
      })
      const wall = now() - t0
      const st = side.end(w)
      // Untimed check: deleted manifests are gone (by digest and by tag).
      for (const i of [0, digests.length - 1]) {
        await c.request({ method: 'GET', url: `/v2/${repo}/manifests/${digests[i]}`, kind: 'pull', headers: { accept: MANIFEST_ACCEPT }, expect: [404] })
        await c.request({ method: 'GET', url: `/v2/${repo}/manifests/d${String(i).padStart(4, '0')}`, kind: 'pull', headers: { accept: MANIFEST_ACCEPT }, expect: [404] })
      }
      const sum = summarize(lat)
      return { metrics: { rate: digests.length / (wall / 1000), p50: sum.p50, p99: sum.p99 }, details: { wallMs: wall, latency: sum }, proc: { delete: st } }
    } finally {
      c.close()
    }
  },
}

// ---------------------------------------------------------------- memory during a large upload

const memory: Scenario = {
  id: 'memory',
  title: 'memory during a large upload',
  repeatPolicy: 'worst-run',
  params: (s) => `one ${s.memoryBlob / MiB} MiB monolithic upload (POST, PUT ?digest= streamed from generated data); server VmRSS sampled every 100 ms`,
  metrics: [
    { key: 'growth', label: 'peak RSS growth', unit: 'MiB', better: 'lower', maxOurs: 64, digits: 1 },
    { key: 'peak', label: 'peak RSS', unit: 'MiB', better: 'lower', digits: 0 },
    { key: 'start', label: 'RSS before upload', unit: 'MiB', better: 'lower', digits: 0 },
    { key: 'mibps', label: 'upload MiB/s', unit: 'MiB/s', better: 'higher', digits: 1 },
  ],
  async run(side) {
    const s = side.sizes
    const c = new Client(side.target, 1)
    try {
      const repo = repoName(side, 'memory')
      await warm(c, repo)
      const blob = new GeneratedBlob(s.memoryBlob)
      await sleep(1000)
      const w = side.begin()
      const t0 = now()
      await pushMonolithic(c, repo, blob.digest, blob.size, blob.body(), 900_000)
      const ms = now() - t0
      const st = side.end(w)
      const head = await c.request({ method: 'HEAD', url: `/v2/${repo}/blobs/${blob.digest}`, kind: 'pull', expect: [200] })
      if (Number(head.headers['content-length']) !== blob.size) throw new Error(`HEAD after upload: Content-Length ${head.headers['content-length']}, expected ${blob.size}`)
      const metrics: Record<string, number> = { mibps: s.memoryBlob / MiB / (ms / 1000) }
      if (st) Object.assign(metrics, { growth: st.rssPeakMiB - st.rssStartMiB, peak: st.rssPeakMiB, start: st.rssStartMiB })
      return { metrics, details: { ms, rssEndMiB: st?.rssEndMiB, watched: !!st }, proc: { upload: st } }
    } finally {
      c.close()
    }
  },
}

export const SCENARIOS: Scenario[] = [blobPush, blobPushChunked, blobPull, smallBlobs, manifestPush, manifestGet, tagsList, catalog, e2ePush, deletes, memory, ...PROXY_SCENARIOS]

export { HttpError }
