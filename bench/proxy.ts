// Pull-through cache scenarios (issue #12): our proxy-cache project against distribution's proxy
// (`proxy: remoteurl:` in its config), both caching the same upstream distribution instance. On the
// "ours" side the harness pulls `<project>/<upstream repository>` from our server; on the
// "distribution" side `<upstream repository>` from the proxy-configured distribution. Every timed
// pull uses content pushed to the upstream just before, under a repository name used once, so cold
// pulls are really cold on both.
import type { Scenario, Side, SideResult } from './scenarios'
import { Client, Target } from './lib/http'
import { GeneratedBlob, MANIFEST_ACCEPT, imageConfig, imageManifest, pushMonolithic, putManifest, randomBlob, sha256, sliced, type Blob } from './lib/oci'
import { mergeStats, startDistribution, type Started, type WatchStats } from './lib/procs'
import { startCountingRelay, type CountingRelay } from './lib/relay'
import { MiB, median, now, runPool, sleep, summarize } from './lib/util'

/** The tag TTL of our proxy-cache projects; every scenario finishes well within it. */
const TAG_TTL_SECONDS = 300
/** Blobs of an image are fetched this many at a time, as containers/image does. */
const PULL_CONCURRENCY = 6
const SERVER_ENV = { UPSTREAM_ALLOWED_NETWORKS: '127.0.0.0/8' }

interface Cache {
  target: Target
  /** Prefix of repository names: `<project>/` on ours, empty on distribution's proxy. */
  prefix: string
  /** Sampler name of the process that serves it. */
  process: string
}

interface ProxyEnv {
  /** The upstream itself (pushes, and the "straight from the upstream" pulls). */
  upstream: Target
  ours: Cache
  distribution: Cache
  /** When the caches reach the upstream through a counting relay. */
  relay?: CountingRelay
}

type Content = Blob | GeneratedBlob

interface Image {
  repo: string
  tag: string
  manifest: Buffer
  blobs: Array<{ digest: string; size: number }>
}

let upstreamStarted: Promise<Started> | undefined
const envs = new Map<string, Promise<ProxyEnv>>()
let repoCounter = 0

function freshRepo(side: Side, what: string): string {
  return `${side.ns}/${what}-${side.runId}-${side.label}-${++repoCounter}`
}

async function apiPost(c: Client, basic: string, url: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await c.request({
    method: 'POST',
    url,
    kind: 'ping', // explicit credentials, no auth negotiation
    headers: { authorization: basic, accept: 'application/json', 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(body)),
    expect: [201],
  })
  return JSON.parse(res.body.toString('utf8')) as Record<string, unknown>
}

/**
 * The upstream (started once for all proxy scenarios), distribution's proxy of `remote`, and our
 * proxy-cache project of `remote` (a registry endpoint plus a public project, through the REST API).
 */
function proxyEnv(sides: Side[], name: 'direct' | 'relay'): Promise<ProxyEnv> {
  const known = envs.get(name)
  if (known) return known
  const started = (async (): Promise<ProxyEnv> => {
    const ours = sides.find((s) => s.label === 'ours')!
    const dist = sides.find((s) => s.label === 'distribution')!
    const basic = ours.target.basicHeader()
    if (!basic) throw new Error('proxy scenarios create a registry endpoint and a project on our server: they need its admin credentials (--user/--password with --target)')
    upstreamStarted ??= startDistribution(ours.keep)
    const upstream = await upstreamStarted
    const relay = name === 'relay' ? await startCountingRelay(upstream.url) : undefined
    const remote = relay?.url ?? upstream.url
    const distProxy = await startDistribution(ours.keep, ['proxy:', `  remoteurl: ${remote}`])
    const process = `distribution-proxy-${name}`
    dist.watch(process, distProxy.pid)
    const project = `proxy-${name}-${ours.runId}`
    const c = new Client(ours.target, 1)
    try {
      const endpoint = await apiPost(c, basic, '/api/v1/registries', { name: project, url: remote, type: 'distribution' })
      await apiPost(c, basic, '/api/v1/projects', { name: project, public: true, proxy: { registryId: endpoint.id, tagTtlSeconds: TAG_TTL_SECONDS } })
    } finally {
      c.close()
    }
    return {
      upstream: new Target('upstream', upstream.url, undefined, 'basic'),
      ours: { target: ours.target, prefix: `${project}/`, process: 'ours' },
      distribution: { target: new Target('distribution-proxy', distProxy.url, undefined, 'basic'), prefix: '', process },
      relay,
    }
  })()
  envs.set(name, started)
  return started
}

async function prepareEnv(sides: Side[], name: 'direct' | 'relay'): Promise<string[]> {
  const env = await proxyEnv(sides, name)
  for (const s of sides) s.shared.env = env
  return [
    `upstream: distribution at ${env.upstream.base.origin}${env.relay ? `, reached by both caches through a counting relay at ${env.relay.url}` : ''}`,
    `ours: proxy-cache project ${env.ours.prefix.slice(0, -1)} (tag TTL ${TAG_TTL_SECONDS} s); distribution: proxy at ${env.distribution.target.base.origin}`,
  ]
}

function sideEnv(side: Side): { env: ProxyEnv; cache: Cache } {
  const env = side.shared.env as ProxyEnv | undefined
  if (!env) throw new Error('the proxy environment was not set up (see the prepare note)')
  return { env, cache: env[side.label] }
}

/** Pushes the layers, a config and a manifest tagged `latest` into `repo`. */
async function pushImage(c: Client, repo: string, layers: Content[]): Promise<Image> {
  for (const l of layers) {
    const body = l instanceof GeneratedBlob ? l.body() : sliced(l.data)
    await pushMonolithic(c, repo, l.digest, l.size, body, 900_000)
  }
  const cfg = imageConfig(
    layers.map((l) => l.digest),
    repo,
  )
  const config: Blob = { data: cfg, size: cfg.length, digest: sha256(cfg) }
  await pushMonolithic(c, repo, config.digest, config.size, config.data)
  const manifest = imageManifest(config, layers)
  await putManifest(c, repo, 'latest', manifest)
  return { repo, tag: 'latest', manifest, blobs: [config, ...layers.map((l) => ({ digest: l.digest, size: l.size }))] }
}

interface Pull {
  ms: number
  manifestFirstByteMs: number
  /** Per blob (config first, then the layers). */
  blobFirstByteMs: number[]
  blobMs: number[]
}

/**
 * What a client does: the manifest by tag, then the config and layers, `concurrency` at a time. Bodies
 * are counted (and with `verify`, hashed after the pull) and must be the upstream's bytes.
 */
async function pullImage(c: Client, prefix: string, img: Image, concurrency: number, verify = false): Promise<Pull> {
  const repo = prefix + img.repo
  const t0 = now()
  const m = await c.request({ method: 'GET', url: `/v2/${repo}/manifests/${img.tag}`, kind: 'pull', headers: { accept: MANIFEST_ACCEPT }, expect: [200] })
  const blobFirstByteMs: number[] = []
  const blobMs: number[] = []
  const bodies: Buffer[] = []
  await runPool(img.blobs.length, concurrency, async (i) => {
    const b = img.blobs[i]
    const t = now()
    const res = await c.request({ method: 'GET', url: `/v2/${repo}/blobs/${b.digest}`, kind: 'pull', expect: [200], discard: !verify, timeoutMs: 900_000 })
    blobMs[i] = now() - t
    blobFirstByteMs[i] = res.firstByteMs
    if (res.bytes !== b.size) throw new Error(`GET /v2/${repo}/blobs/${b.digest} returned ${res.bytes} bytes, expected ${b.size}`)
    if (verify) bodies[i] = res.body
  })
  const ms = now() - t0
  if (!m.body.equals(img.manifest)) throw new Error(`GET /v2/${repo}/manifests/${img.tag} returned other bytes than the upstream's manifest (${sha256(m.body)})`)
  if (verify) {
    img.blobs.forEach((b, i) => {
      if (sha256(bodies[i]) !== b.digest) throw new Error(`GET /v2/${repo}/blobs/${b.digest} returned other bytes (${sha256(bodies[i])})`)
    })
  }
  return { ms, manifestFirstByteMs: m.firstByteMs, blobFirstByteMs, blobMs }
}

const totalMiB = (img: Image): number => img.blobs.reduce((a, b) => a + b.size, 0) / MiB
const mibps = (mib: number, ms: number): number => mib / (ms / 1000)

/** A single-layer image of `proxyBlob` bytes and one of `proxyLayers` layers. */
interface Images {
  single: Image
  multi: Image
}

/** Pushes fresh `Images` through `c` (to the upstream, or hosted in the registry under test). */
async function pushImages(c: Client, side: Side, what: string): Promise<Images> {
  const s = side.sizes
  const single = await pushImage(c, freshRepo(side, `${what}-blob`), [randomBlob(s.proxyBlob)])
  const multi = await pushImage(
    c,
    freshRepo(side, `${what}-image`),
    Array.from({ length: s.proxyLayers }, () => randomBlob(s.proxyLayerSize)),
  )
  return { single, multi }
}

interface ImagesPull {
  blob: Pull
  image: Pull
  /** The single image's layer MiB/s, and the multi-layer image's (manifest included) MiB/s. */
  blobMiBps: number
  imageMiBps: number
}

/** Pulls the single-layer image, then the multi-layer one, timed as a client pulls them. */
async function pullImages(c: Client, prefix: string, images: Images): Promise<ImagesPull> {
  const blob = await pullImage(c, prefix, images.single, 1)
  const image = await pullImage(c, prefix, images.multi, PULL_CONCURRENCY)
  return { blob, image, blobMiBps: mibps(images.single.blobs[1].size / MiB, blob.blobMs[1]), imageMiBps: mibps(totalMiB(images.multi), image.ms) }
}

// ---------------------------------------------------------------- cold pull

const proxyCold: Scenario = {
  id: 'proxy-cold',
  title: 'pull-through cache: cold pull',
  params: (s) =>
    `cold pulls through the cache of a fresh image with one ${s.proxyBlob / MiB} MiB layer and of one with ${s.proxyLayers} x ${s.proxyLayerSize / MiB} MiB layers (manifest by tag, then blobs ${PULL_CONCURRENCY} at a time); the same images pulled straight from the upstream just before, for reference`,
  serverEnv: SERVER_ENV,
  metrics: [
    { key: 'blob_ttfb', label: 'cold blob: time to first byte', unit: 'ms', better: 'lower', maxRatio: 1, digits: 1 },
    { key: 'blob_mibps', label: 'cold blob MiB/s', unit: 'MiB/s', better: 'higher', minRatio: 1, digits: 1 },
    { key: 'blob_vs_direct', label: 'cold blob MiB/s / straight from upstream', unit: 'x', better: 'higher', minOurs: 0.8, digits: 2 },
    { key: 'manifest_ttfb', label: 'cold manifest by tag: time to first byte', unit: 'ms', better: 'lower', maxRatio: 1, digits: 1 },
    { key: 'image_mibps', label: 'cold multi-layer image MiB/s', unit: 'MiB/s', better: 'higher', minRatio: 1, digits: 1 },
    { key: 'image_vs_direct', label: 'cold image MiB/s / straight from upstream', unit: 'x', better: 'higher', minOurs: 0.8, digits: 2 },
    { key: 'direct_blob_mibps', label: 'reference: blob straight from upstream', unit: 'MiB/s', better: 'higher', digits: 1 },
    { key: 'direct_image_mibps', label: 'reference: image straight from upstream', unit: 'MiB/s', better: 'higher', digits: 1 },
  ],
  prepare: (sides) => prepareEnv(sides, 'direct'),
  async run(side) {
    const { env, cache } = sideEnv(side)
    const up = new Client(env.upstream, PULL_CONCURRENCY)
    const pc = new Client(cache.target, PULL_CONCURRENCY)
    try {
      const images = await pushImages(up, side, 'cold')
      await pc.request({ method: 'GET', url: '/v2/', kind: 'ping', expect: [200, 401] })
      // The upstream's store was just written, and is read the same way for both pulls.
      const direct = await pullImages(up, '', images)
      await sleep(300)
      const w = side.begin(cache.process)
      const cold = await pullImages(pc, cache.prefix, images)
      const st = side.end(w)
      // Untimed: what the cache serves now is the upstream's content.
      await pullImage(pc, cache.prefix, images.single, 1, true)
      return {
        metrics: {
          blob_ttfb: cold.blob.blobFirstByteMs[1],
          blob_mibps: cold.blobMiBps,
          blob_vs_direct: cold.blobMiBps / direct.blobMiBps,
          manifest_ttfb: cold.image.manifestFirstByteMs,
          image_mibps: cold.imageMiBps,
          image_vs_direct: cold.imageMiBps / direct.imageMiBps,
          direct_blob_mibps: direct.blobMiBps,
          direct_image_mibps: direct.imageMiBps,
        },
        details: { blob: cold.blob, image: cold.image, directBlob: direct.blob, directImage: direct.image },
        proc: { pull: st },
      }
    } finally {
      up.close()
      pc.close()
    }
  },
}

// ---------------------------------------------------------------- warm pull

const proxyWarm: Scenario = {
  id: 'proxy-warm',
  title: 'pull-through cache: warm pull',
  params: (s) =>
    `fresh images of the proxy-cold sizes pulled once through the cache (untimed), then ${s.proxyWarmRounds} rounds of pulling them again, alternating with images of the same sizes hosted in the same registry; medians`,
  serverEnv: SERVER_ENV,
  metrics: [
    { key: 'blob_ttfb', label: 'warm blob: time to first byte', unit: 'ms', better: 'lower', digits: 2 },
    { key: 'blob_mibps', label: 'warm blob MiB/s', unit: 'MiB/s', better: 'higher', minRatio: 1, digits: 1 },
    { key: 'image_mibps', label: 'warm multi-layer image MiB/s', unit: 'MiB/s', better: 'higher', minRatio: 1, digits: 1 },
    { key: 'blob_vs_hosted', label: 'warm blob MiB/s / hosted blob', unit: 'x', better: 'higher', digits: 2 },
    { key: 'image_vs_hosted', label: 'warm image MiB/s / hosted image', unit: 'x', better: 'higher', digits: 2 },
  ],
  prepare: (sides) => prepareEnv(sides, 'direct'),
  async run(side) {
    const s = side.sizes
    const { env, cache } = sideEnv(side)
    const up = new Client(env.upstream, PULL_CONCURRENCY)
    const pc = new Client(cache.target, PULL_CONCURRENCY)
    const hosted = new Client(side.target, PULL_CONCURRENCY)
    try {
      const images = await pushImages(up, side, 'warm')
      await pullImage(pc, cache.prefix, images.single, 1, true)
      await pullImage(pc, cache.prefix, images.multi, PULL_CONCURRENCY, true)
      // Images of the same sizes hosted in the registry under test (ours: in the bench project;
      // distribution: the plain instance the other scenarios use).
      const hostedImages = await pushImages(hosted, side, 'warm-hosted')
      await pullImage(hosted, '', hostedImages.single, 1, true)
      await sleep(500)
      const rounds: Array<{ warm: ImagesPull; hosted: ImagesPull }> = []
      let stats: WatchStats | undefined
      for (let r = 0; r < s.proxyWarmRounds; r++) {
        const early = r % 2 === 1 ? await pullImages(hosted, '', hostedImages) : undefined
        const w = side.begin(cache.process)
        const warm = await pullImages(pc, cache.prefix, images)
        stats = mergeStats(stats, side.end(w))
        rounds.push({ warm, hosted: early ?? (await pullImages(hosted, '', hostedImages)) })
      }
      const blobRate = median(rounds.map((r) => r.warm.blobMiBps))
      const imageRate = median(rounds.map((r) => r.warm.imageMiBps))
      const hostedBlobRate = median(rounds.map((r) => r.hosted.blobMiBps))
      const hostedImageRate = median(rounds.map((r) => r.hosted.imageMiBps))
      return {
        metrics: {
          blob_ttfb: median(rounds.map((r) => r.warm.blob.blobFirstByteMs[1])),
          blob_mibps: blobRate,
          image_mibps: imageRate,
          blob_vs_hosted: blobRate / hostedBlobRate,
          image_vs_hosted: imageRate / hostedImageRate,
        },
        details: { rounds, hostedBlobRate, hostedImageRate },
        proc: { pull: stats },
      }
    } finally {
      up.close()
      pc.close()
      hosted.close()
    }
  },
}

// ---------------------------------------------------------------- tag revalidation

const proxyRevalidate: Scenario = {
  id: 'proxy-revalidate',
  title: 'pull-through cache: tag revalidation',
  params: (s) =>
    `${s.proxyPulls} sequential pulls of one fresh small image by tag within one tag TTL (${TAG_TTL_SECONDS} s on ours); a counting relay in front of the upstream counts the requests that reach it`,
  serverEnv: SERVER_ENV,
  metrics: [
    { key: 'first_tag', label: 'upstream manifest-by-tag requests, first pull', unit: 'req', better: 'lower', digits: 0 },
    { key: 'later_tag', label: 'upstream manifest-by-tag requests, later pulls', unit: 'req', better: 'lower', maxOurs: 1, digits: 0 },
    { key: 'later_heads', label: 'of which HEAD', unit: 'req', better: 'lower', digits: 0 },
    { key: 'blob_gets', label: 'upstream blob GETs, all pulls', unit: 'req', better: 'lower', digits: 0 },
    { key: 'pull_p50', label: 'later pull latency p50', unit: 'ms', better: 'lower', digits: 2 },
  ],
  prepare: (sides) => prepareEnv(sides, 'relay'),
  async run(side) {
    const s = side.sizes
    const { env, cache } = sideEnv(side)
    const relay = env.relay!
    const up = new Client(env.upstream, 1)
    const pc = new Client(cache.target, PULL_CONCURRENCY)
    try {
      const img = await pushImage(up, freshRepo(side, 'reval'), [randomBlob(4096)])
      const tagPath = `/v2/${img.repo}/manifests/${img.tag}`
      const count = (from: number, to: number, match: (r: string) => boolean) => relay.requests.slice(from, to).filter(match).length
      const isTag = (r: string) => r === `GET ${tagPath}` || r === `HEAD ${tagPath}`
      const start = relay.requests.length
      const w = side.begin(cache.process)
      await pullImage(pc, cache.prefix, img, PULL_CONCURRENCY, true)
      const afterFirst = relay.requests.length
      const lat: number[] = []
      for (let i = 1; i < s.proxyPulls; i++) lat.push((await pullImage(pc, cache.prefix, img, PULL_CONCURRENCY)).ms)
      const st = side.end(w)
      // Anything a cache sends in the background after answering still counts.
      await sleep(500)
      const end = relay.requests.length
      return {
        metrics: {
          first_tag: count(start, afterFirst, isTag),
          later_tag: count(afterFirst, end, isTag),
          later_heads: count(afterFirst, end, (r) => r === `HEAD ${tagPath}`),
          blob_gets: count(start, end, (r) => r.startsWith(`GET /v2/${img.repo}/blobs/`)),
          pull_p50: median(lat),
        },
        details: { pulls: s.proxyPulls, latency: summarize(lat), upstreamRequests: relay.requests.slice(start, end).filter((r) => r.includes(`/v2/${img.repo}/`)) },
        proc: { pulls: st },
      }
    } finally {
      up.close()
      pc.close()
    }
  },
}

// ---------------------------------------------------------------- memory during a large cold pull

const proxyMemory: Scenario = {
  id: 'proxy-memory',
  title: 'pull-through cache: memory during a large cold pull',
  repeatPolicy: 'worst-run',
  params: (s) => `a cold GET through the cache of a fresh ${s.proxyMemoryBlob / MiB} MiB layer (its manifest fetched first, untimed); server VmRSS sampled every 100 ms`,
  serverEnv: SERVER_ENV,
  metrics: [
    { key: 'growth', label: 'peak RSS growth', unit: 'MiB', better: 'lower', maxOurs: 64, digits: 1 },
    { key: 'peak', label: 'peak RSS', unit: 'MiB', better: 'lower', digits: 0 },
    { key: 'start', label: 'RSS before the pull', unit: 'MiB', better: 'lower', digits: 0 },
    { key: 'mibps', label: 'cold pull MiB/s', unit: 'MiB/s', better: 'higher', digits: 1 },
  ],
  prepare: (sides) => prepareEnv(sides, 'direct'),
  async run(side) {
    const s = side.sizes
    const { env, cache } = sideEnv(side)
    const up = new Client(env.upstream, 1)
    const pc = new Client(cache.target, 1)
    try {
      const blob = new GeneratedBlob(s.proxyMemoryBlob)
      const img = await pushImage(up, freshRepo(side, 'memory'), [blob])
      const repo = cache.prefix + img.repo
      await pc.request({ method: 'GET', url: `/v2/${repo}/manifests/${img.tag}`, kind: 'pull', headers: { accept: MANIFEST_ACCEPT }, expect: [200] })
      await sleep(1000)
      const w = side.begin(cache.process)
      const t0 = now()
      const res = await pc.request({ method: 'GET', url: `/v2/${repo}/blobs/${blob.digest}`, kind: 'pull', expect: [200], discard: true, timeoutMs: 900_000 })
      const ms = now() - t0
      const st = side.end(w)
      if (res.bytes !== blob.size) throw new Error(`GET /v2/${repo}/blobs/${blob.digest} returned ${res.bytes} bytes, expected ${blob.size}`)
      const metrics: Record<string, number> = { mibps: mibps(s.proxyMemoryBlob / MiB, ms) }
      if (st) Object.assign(metrics, { growth: st.rssPeakMiB - st.rssStartMiB, peak: st.rssPeakMiB, start: st.rssStartMiB })
      const result: SideResult = { metrics, details: { ms, firstByteMs: res.firstByteMs, rssEndMiB: st?.rssEndMiB, watched: !!st }, proc: { pull: st } }
      return result
    } finally {
      up.close()
      pc.close()
    }
  },
}

export const PROXY_SCENARIOS: Scenario[] = [proxyCold, proxyWarm, proxyRevalidate, proxyMemory]
