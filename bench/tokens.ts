// The token service under a CI fleet, and the end-to-end image push with the Docker token flow.
//
// 1. Fleet: `--clients` clients log in at once, each with its own credential, each making
//    `--requests` token requests (`GET /service/token?service=…&scope=repository:<p>/<r>:push,pull`
//    with Basic credentials) at `--concurrency` in all; once with user passwords, once with
//    personal access tokens, once with robot secrets. Prints tokens/s, p50/p99 latency and our
//    server's CPU per token (with --postgres, PostgreSQL's CPU is included).
// 2. End-to-end push: `--images` images of 5 x 1 MiB layers, `--push-concurrency` at a time, EACH
//    INTO ITS OWN REPOSITORY, so each image needs its own token as docker/podman/skopeo do (GET /v2/
//    -> 401 Bearer; GET the token for `repository:<repo>:pull,push` with the robot's Basic
//    credentials; then HEAD/POST/PATCH/PUT per blob and the manifest PUT with the Bearer token).
//    Distribution 2.8 (Debian's docker-registry, without auth as in bench/run.ts) gets the same
//    requests in the same run, before and after ours; the better of its two runs is the reference.
//
//   npm run build && npx tsx bench/tokens.ts [--postgres] [--clients 50] [--requests 20] [--concurrency 16]
//                                            [--images 40] [--push-concurrency 8] [--node-args="--cpu-prof"] [--root DIR]
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { Client, parseChallenge, Target, type Credentials } from './lib/http'
import { imageConfig, imageManifest, location, OCI_MANIFEST, putManifest, randomBlob, sha256, withDigest, type Blob } from './lib/oci'
import { cleanupAll, distributionVersion, Sampler, startDistribution, startOurs, startPostgres, treeCpuSeconds, type WatchStats } from './lib/procs'
import { MiB, now, percentile, runPool } from './lib/util'

const { values } = parseArgs({
  options: {
    postgres: { type: 'boolean', default: false },
    clients: { type: 'string', default: '50' },
    requests: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '16' },
    images: { type: 'string', default: '40' },
    'push-concurrency': { type: 'string', default: '8' },
    'node-args': { type: 'string', default: '' },
    keep: { type: 'boolean', default: false },
    root: { type: 'string' },
  },
})
const CLIENTS = Number(values.clients)
const REQUESTS = Number(values.requests)
const CONCURRENCY = Number(values.concurrency)
const IMAGES = Number(values.images)
const PUSH_CONCURRENCY = Number(values['push-concurrency'])
const LAYERS = 5
const LAYER_SIZE = MiB
const PROJECT = 'fleet'
/** The checkout whose build runs (`--root`: another one's, to compare builds). */
const root = path.resolve(values.root ?? path.join(import.meta.dirname, '..'))

type Kind = 'password' | 'token' | 'robot'

async function api(base: string, auth: Credentials, method: string, pathname: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(base + pathname, {
    method,
    headers: { authorization: basic(auth), 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  if (res.status >= 300) throw new Error(`${method} ${pathname} -> ${res.status} ${text.slice(0, 300)}`)
  return text ? (JSON.parse(text) as Record<string, unknown>) : {}
}

const basic = (c: Credentials) => 'Basic ' + Buffer.from(`${c.user}:${c.password}`).toString('base64')

/** Users with passwords, their access tokens, and project robots: one credential of each kind per client. */
async function seed(base: string, admin: Credentials): Promise<Record<Kind, Credentials[]>> {
  await api(base, admin, 'POST', '/api/v1/projects', { name: PROJECT })
  const credentials: Record<Kind, Credentials[]> = { password: [], token: [], robot: [] }
  await runPool(CLIENTS, 4, async (i) => {
    const user = { user: `ci${i}-${randomBytes(3).toString('hex')}`, password: `pw-${randomBytes(12).toString('hex')}` }
    await api(base, admin, 'POST', '/api/v1/users', { username: user.user, email: `${user.user}@example.test`, password: user.password })
    await api(base, admin, 'POST', `/api/v1/projects/${PROJECT}/members`, { username: user.user, role: 'developer' })
    const token = await api(base, user, 'POST', '/api/v1/users/me/tokens', { name: 'ci', permission: 'readWrite' })
    const robot = await api(base, admin, 'POST', `/api/v1/projects/${PROJECT}/robots`, { name: `ci${i}`, actions: ['pull', 'push'] })
    credentials.password[i] = user
    credentials.token[i] = { user: user.user, password: token.secret as string }
    credentials.robot[i] = { user: robot.name as string, password: robot.secret as string }
  })
  return credentials
}

interface FleetResult {
  tokens: number
  tokensPerSecond: number
  p50: number
  p99: number
  /** Our server's CPU per token, in microseconds. */
  cpuUs: number
  stats: WatchStats
}

async function fleet(base: string, service: string, credentials: Credentials[], sampler: Sampler): Promise<FleetResult> {
  const target = new Target('ours', base, undefined, 'basic')
  const client = new Client(target, CONCURRENCY)
  const latencies: number[] = []
  const window = sampler.begin('ours')
  const t0 = now()
  try {
    await runPool(CLIENTS * REQUESTS, CONCURRENCY, async (n) => {
      // Round-robin over the clients: every client's first request comes early, as when a fleet starts.
      const i = n % CLIENTS
      const url = `/service/token?service=${encodeURIComponent(service)}&scope=${encodeURIComponent(`repository:${PROJECT}/app${i}:push,pull`)}`
      const t = now()
      const res = await client.request({ method: 'GET', url, kind: 'ping', headers: { authorization: basic(credentials[i]) }, expect: [200] })
      latencies.push(now() - t)
      const body = JSON.parse(res.body.toString('utf8')) as { token?: string }
      if (!body.token) throw new Error(`token response without a token: ${res.body.toString('utf8', 0, 300)}`)
    })
  } finally {
    client.close()
  }
  const seconds = (now() - t0) / 1000
  const stats = sampler.end(window)!
  latencies.sort((a, b) => a - b)
  return {
    tokens: latencies.length,
    tokensPerSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuUs: (stats.cpuSeconds / latencies.length) * 1e6,
    stats,
  }
}

interface Image {
  layers: Blob[]
  config: Blob
  manifest: Buffer
}

function images(label: string): Image[] {
  return Array.from({ length: IMAGES }, (_, i) => {
    const layers = Array.from({ length: LAYERS }, () => randomBlob(LAYER_SIZE))
    const cfg = imageConfig(
      layers.map((l) => l.digest),
      `${label}-${i}`,
    )
    const config: Blob = { data: cfg, size: cfg.length, digest: sha256(cfg) }
    return { layers, config, manifest: imageManifest(config, layers) }
  })
}

async function pushBlob(c: Client, repo: string, b: Blob, chunked: boolean): Promise<void> {
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

interface PushResult {
  imagesPerSecond: number
  p50: number
  p99: number
  cpuUs: number
  tokenRequests: number
  stats: WatchStats
}

/** Every image into its own repository: one token flow per image (the Target keeps tokens per repository). */
async function e2ePush(label: string, base: string, creds: Credentials | undefined, sampler: Sampler): Promise<PushResult> {
  const target = new Target(label, base, creds, creds ? 'token' : 'basic')
  const client = new Client(target, PUSH_CONCURRENCY)
  const run = randomBytes(3).toString('hex')
  const content = images(`${label}-${run}`)
  const latencies: number[] = []
  const window = sampler.begin(label)
  const t0 = now()
  try {
    await runPool(content.length, PUSH_CONCURRENCY, async (i) => {
      const image = content[i]
      const repo = `${PROJECT}/e2e-${run}-${i}`
      const t = now()
      const ping = await client.request({ method: 'GET', url: '/v2/', kind: 'ping', expect: [200, 401] })
      const challenge = parseChallenge(ping.headers['www-authenticate'] as string | undefined)
      if (creds && challenge?.scheme === 'bearer') {
        // As docker/podman/skopeo: one token for the repository, asked for pull and push at once.
        target.learnChallenge(ping.headers['www-authenticate'] as string | undefined)
        await target.fetchToken(`repository:${repo}:pull,push`, client.agent)
      }
      for (const layer of image.layers) await pushBlob(client, repo, layer, true)
      await pushBlob(client, repo, image.config, false)
      await putManifest(client, repo, 'latest', image.manifest, OCI_MANIFEST)
      latencies.push(now() - t)
    })
  } finally {
    client.close()
  }
  const seconds = (now() - t0) / 1000
  const stats = sampler.end(window)!
  latencies.sort((a, b) => a - b)
  return {
    imagesPerSecond: content.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuUs: (stats.cpuSeconds / content.length) * 1e6,
    tokenRequests: target.tokenFetches,
    stats,
  }
}

const busy = (s: WatchStats) => `other ${(s.otherCpuSeconds / s.wallSeconds).toFixed(2)} cores`

try {
  const admin = { user: 'admin', password: `pw-${randomBytes(12).toString('hex')}` }
  const postgres = values.postgres ? await startPostgres(values.keep) : undefined
  const ours = await startOurs({
    root,
    databaseUrl: postgres?.url,
    adminUser: admin.user,
    adminPassword: admin.password,
    // One address for the whole fleet: the per-address failure block must not trip on a benchmark.
    extraEnv: { LOGIN_FAILURES_PER_ADDRESS: '0' },
    nodeArgs: values['node-args'] ? values['node-args'].split(' ') : [],
    keep: values.keep,
  })
  const distribution = await startDistribution(values.keep)
  const sampler = new Sampler()
  sampler.watch('ours', ours.pid, () => [ours.pid, ...(postgres?.postmasterPid() ? [postgres.postmasterPid()!] : [])])
  sampler.watch('distribution', distribution.pid)
  sampler.start()

  const challenge = (await fetch(`${ours.url}/v2/`)).headers.get('www-authenticate') ?? ''
  const service = /service="([^"]*)"/.exec(challenge)?.[1]
  if (!service) throw new Error(`GET /v2/ answered no Bearer challenge with a service: ${challenge}`)
  const credentials = await seed(ours.url, admin)

  const fleetResults: Partial<Record<Kind, FleetResult>> = {}
  for (const kind of ['password', 'token', 'robot'] as const) fleetResults[kind] = await fleet(ours.url, service, credentials[kind], sampler)

  // Distribution first, then ours, then distribution again: the better of its two runs is the reference.
  const distA = await e2ePush('distribution', distribution.url, undefined, sampler)
  const oursPush = await e2ePush('ours', ours.url, credentials.robot[0], sampler)
  const distB = await e2ePush('distribution', distribution.url, undefined, sampler)
  const dist = distA.imagesPerSecond >= distB.imagesPerSecond ? distA : distB

  const f = (v: number, d = 1) => v.toFixed(d).padStart(10)
  console.log(
    `ours: ${ours.build}; database ${postgres ? 'PostgreSQL 15' : 'PGlite'}; distribution: ${distributionVersion()}; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}`,
  )
  console.log(`\ntoken fleet: ${CLIENTS} clients x ${REQUESTS} requests, concurrency ${CONCURRENCY}, each client its own credential`)
  console.log(`${'kind'.padEnd(10)}${'tokens/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'CPU us/tok'.padStart(12)}  machine`)
  for (const [kind, r] of Object.entries(fleetResults))
    console.log(`${kind.padEnd(10)}${f(r.tokensPerSecond)}${f(r.p50, 2)}${f(r.p99, 2)}${f(r.cpuUs, 0).padStart(12)}  ${busy(r.stats)}`)
  console.log(`\nend-to-end push: ${IMAGES} images of ${LAYERS} x ${LAYER_SIZE / MiB} MiB, concurrency ${PUSH_CONCURRENCY}, each image its own repository and token (robot secret)`)
  console.log(`${'side'.padEnd(14)}${'images/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'CPU us/img'.padStart(12)}  machine`)
  for (const [side, r] of [
    ['distribution', dist],
    ['ours', oursPush],
  ] as const)
    console.log(`${side.padEnd(14)}${f(r.imagesPerSecond)}${f(r.p50)}${f(r.p99)}${f(r.cpuUs, 0).padStart(12)}  ${busy(r.stats)}`)
  console.log(`ratio ours/distribution: ${(oursPush.imagesPerSecond / dist.imagesPerSecond).toFixed(2)}x (token requests by ours: ${oursPush.tokenRequests})`)
  console.log(
    JSON.stringify({
      database: postgres ? 'postgres' : 'pglite',
      build: ours.build,
      clients: CLIENTS,
      requests: REQUESTS,
      concurrency: CONCURRENCY,
      fleet: fleetResults,
      e2e: { images: IMAGES, concurrency: PUSH_CONCURRENCY, distribution: [distA, distB], ours: oursPush },
      serverCpuSecondsTotal: treeCpuSeconds(ours.pid),
    }),
  )
} finally {
  await cleanupAll()
}
