// Garbage collection at scale (issue #13): 100,000 blobs and 10,000 manifests, half of them
// unreferenced (the untagged half of the manifests and the blobs only they reference), seeded through
// SQL and the filesystem store in bulk and aged past the grace period; then a real collection through
// the API (POST /api/v1/system/gc with deleteUntagged, polling GET /api/v1/system/gc/{id}).
//
// Two collections on two seeds, so each figure is measured cleanly:
//   1. alone: wall time, the server's peak RSS growth, server + PostgreSQL CPU;
//   2. under load: concurrent 64 MiB blob pushes, 4-stream pulls of a 64 MiB blob and small-blob
//      pushes, first for a window without GC, then while the collection runs; the throughput ratio.
// Goals: under 60 s, RSS growth under 256 MiB, throughput during GC >= 0.7x.
//
//   npm run build && npx tsx bench/gc.ts [--postgres]           # throwaway PostgreSQL 15 (initdb, as root)
//   npx tsx bench/gc.ts --database-url postgresql://…             # an existing, empty database
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { cleanupAll, Sampler, startOurs, startPostgres, type WatchStats } from './lib/procs'
import { MiB, runPool, sleep } from './lib/util'
import { createPrisma } from '../lib/db/prisma'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const USAGE = `usage: npx tsx bench/gc.ts [--postgres | --database-url URL] [--blobs N] [--manifests N] [--baseline-seconds S] [--skip-load] [--keep]

Starts our server (dist/server.mjs: npm run build first) on a throwaway PostgreSQL 15 (the default,
--postgres) or on the given empty database (the seeding writes through a second connection, which
PGlite does not allow), seeds twice and collects twice (alone, then under concurrent push/pull).

  --blobs N              blobs per seed (default 100000; every manifest references blobs/manifests of them)
  --manifests N          manifests per seed (default 10000; the untagged half goes, with its blobs)
  --baseline-seconds S   length of the load window without GC (default 20)
  --skip-load            only the collection alone
  --cpu-prof DIR         run the server with node --cpu-prof, profiles written to DIR
  --keep                 keep temp dirs and logs`

const { values } = parseArgs({
  options: {
    postgres: { type: 'boolean', default: false },
    'database-url': { type: 'string' },
    blobs: { type: 'string', default: '100000' },
    manifests: { type: 'string', default: '10000' },
    'baseline-seconds': { type: 'string', default: '20' },
    'skip-load': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (values.help) {
  console.log(USAGE)
  process.exit(0)
}
const BLOBS = Number(values.blobs)
const MANIFESTS = Number(values.manifests)
const BASELINE_SECONDS = Number(values['baseline-seconds'])
if (!(BLOBS > 0 && MANIFESTS > 0 && BLOBS % MANIFESTS === 0 && 1000 % (BLOBS / MANIFESTS) === 0))
  throw new Error('--blobs must be a positive multiple of --manifests, by a divisor of 1000')
const BLOBS_PER_MANIFEST = BLOBS / MANIFESTS
const REPOSITORIES = 100
const BLOB_SIZE = 1024
const AGE = '3 hours' // past the default 2-hour grace period
const BIG_BLOB = 64 * MiB
const PULL_STREAMS = 4
const SMALL_PUSH_CONCURRENCY = 8
const SMALL_BLOB = 4096
const BIG = new Uint8Array(randomBytes(BIG_BLOB))
const BIG_DIGEST = `sha256:${createHash('sha256').update(BIG).digest('hex')}`

const log = (msg: string) => console.log(`[gc-bench] ${new Date().toISOString().slice(11, 19)} ${msg}`)
const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`

interface Server {
  url: string
  pid: number
  storeRoot: string
  databaseUrl: string
  call: (method: string, path: string, body?: Uint8Array<ArrayBuffer> | string, headers?: Record<string, string>) => Promise<Response>
}

/** Seeds project `bench` with REPOSITORIES repositories (`prefix`-N), BLOBS blobs (bytes in the store) and MANIFESTS artifacts, the even ones tagged. */
async function seed(server: Server, prefix: string): Promise<void> {
  const started = performance.now()
  const digests: string[] = []
  await runPool(BLOBS / 1000, 4, async (chunk) => {
    for (let i = chunk * 1000; i < (chunk + 1) * 1000; i++) {
      const content = Buffer.alloc(BLOB_SIZE, 0x20)
      content.write(`${prefix} blob ${i} ${randomBytes(8).toString('hex')}\n`)
      const digest = sha256(content)
      digests[i] = digest
      const hex = digest.slice('sha256:'.length)
      const dir = join(server.storeRoot, 'blobs', 'sha256', hex.slice(0, 2))
      await mkdir(dir, { recursive: true })
      await writeFile(join(dir, hex), content)
    }
  })
  log(`${prefix}: wrote ${BLOBS} blob files in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  const prisma = createPrisma(server.databaseUrl)
  try {
    await prisma.$executeRaw`
      INSERT INTO "Repository" ("name", "projectId")
      SELECT 'bench/' || ${prefix} || '-' || g, p."id" FROM "Project" p, generate_series(0, ${REPOSITORIES - 1}) g WHERE p."name" = 'bench'`
    // Artifact j lives in repository j % REPOSITORIES and references blobs j*K … j*K+K-1; the even ones are tagged.
    // A transaction per chunk, as pushes would come (the quota triggers count each row).
    const CHUNK = 1000
    for (let from = 0; from < BLOBS; from += CHUNK) {
      const slice = digests.slice(from, from + CHUNK)
      const [first, last] = [from / BLOBS_PER_MANIFEST, (from + slice.length) / BLOBS_PER_MANIFEST - 1]
      await prisma.$transaction([
        prisma.$executeRaw`
          INSERT INTO "Artifact" ("repositoryId", "digest", "mediaType", "artifactType", "content", "manifestSize", "size", "pushedAt")
          SELECT r."id", 'sha256:' || encode(sha256((${prefix} || '-manifest-' || g)::bytea), 'hex'), 'application/vnd.oci.image.manifest.v1+json',
                 'application/vnd.oci.image.config.v1+json', convert_to('{}', 'UTF8'), 2, ${BLOBS_PER_MANIFEST * BLOB_SIZE}, now() - ${AGE}::interval
            FROM generate_series(${first}::int, ${last}::int) g JOIN "Repository" r ON r."name" = 'bench/' || ${prefix} || '-' || (g % ${REPOSITORIES})`,
        prisma.$executeRaw`
          WITH given AS (SELECT d AS "digest", ${from}::int + o::int - 1 AS "i" FROM unnest(${slice}::text[]) WITH ORDINALITY AS u(d, o)),
          blob AS (
            INSERT INTO "Blob" ("digest", "size", "createdAt") SELECT "digest", ${BLOB_SIZE}, now() - ${AGE}::interval FROM given RETURNING "digest"
          ), owner AS (
            SELECT given."digest", a."id" AS "artifactId", a."repositoryId"
              FROM given JOIN "Artifact" a ON a."digest" = 'sha256:' || encode(sha256((${prefix} || '-manifest-' || (given."i" / ${BLOBS_PER_MANIFEST}))::bytea), 'hex')
          ), link AS (
            INSERT INTO "RepositoryBlob" ("repositoryId", "digest", "createdAt") SELECT "repositoryId", "digest", now() - ${AGE}::interval FROM owner
          )
          INSERT INTO "ArtifactReference" ("artifactId", "digest", "kind", "size", "mediaType")
          SELECT "artifactId", "digest", 'blob'::"ReferenceKind", ${BLOB_SIZE}, 'application/vnd.oci.image.layer.v1.tar+gzip' FROM owner`,
        prisma.$executeRaw`
          INSERT INTO "Tag" ("repositoryId", "name", "artifactId")
          SELECT a."repositoryId", 'v' || g, a."id"
            FROM generate_series(${first}::int, ${last}::int) g
            JOIN "Artifact" a ON a."digest" = 'sha256:' || encode(sha256((${prefix} || '-manifest-' || g)::bytea), 'hex')
           WHERE g % 2 = 0`,
      ])
    }
    await prisma.$executeRawUnsafe('ANALYZE')
  } finally {
    await prisma.$disconnect()
  }
  log(`${prefix}: seeded ${BLOBS} blobs and ${MANIFESTS} manifests (${MANIFESTS / 2} untagged) in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

interface GcResult {
  id: number
  status: string
  wallSeconds: number
  blobsDeleted: number
  bytesFreed: number
  artifactsDeleted: number
}

/** A real collection through the API, polled every 250 ms. */
async function collect(server: Server): Promise<GcResult> {
  const started = performance.now()
  const res = await server.call('POST', '/api/v1/system/gc', JSON.stringify({ dryRun: false, deleteUntagged: true }), { 'content-type': 'application/json' })
  const run = (await res.json()) as { id: number }
  for (;;) {
    await sleep(250)
    const state = (await (await server.call('GET', `/api/v1/system/gc/${run.id}`)).json()) as Omit<GcResult, 'wallSeconds'>
    if (state.status !== 'running') {
      const result = { ...state, wallSeconds: (performance.now() - started) / 1000 }
      if (state.status !== 'succeeded') throw new Error(`collection ${run.id} ${state.status}: ${JSON.stringify(state)}`)
      return result
    }
  }
}

interface LoadFigures {
  seconds: number
  /** Requests that failed (counted, not retried: under an overloaded machine the server may reset a few). */
  errors: number
  bigPushMiBps: number
  pullMiBps: number
  smallPushesPerSecond: number
}

/** Runs the three loads until `done` settles; resolves their throughput. */
async function load(server: Server, done: Promise<unknown>): Promise<LoadFigures> {
  let stop = false
  void done.finally(() => (stop = true))
  let bigPushed = 0
  let pulled = 0
  let smallPushed = 0
  let errors = 0
  const started = performance.now()
  const attempt = async (op: () => Promise<void>) => {
    await op().catch(async (error: unknown) => {
      if (++errors === 1) log(`load: ${error instanceof Error ? error.message : String(error)}`)
      await sleep(500)
    })
  }
  const bigPusher = async () => {
    while (!stop)
      await attempt(async () => {
        await server.call('POST', `/v2/bench/load/blobs/uploads/?digest=${BIG_DIGEST}`, BIG, { 'content-type': 'application/octet-stream' })
        bigPushed += BIG_BLOB
      })
  }
  const puller = async () => {
    while (!stop)
      await attempt(async () => {
        const res = await server.call('GET', `/v2/bench/load/blobs/${BIG_DIGEST}`)
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) pulled += chunk.length
      })
  }
  const smallPusher = async () => {
    while (!stop)
      await attempt(async () => {
        const blob = new Uint8Array(randomBytes(SMALL_BLOB))
        await server.call('POST', `/v2/bench/load/blobs/uploads/?digest=${sha256(blob)}`, blob, { 'content-type': 'application/octet-stream' })
        smallPushed++
      })
  }
  await Promise.all([bigPusher(), ...Array.from({ length: PULL_STREAMS }, puller), ...Array.from({ length: SMALL_PUSH_CONCURRENCY }, smallPusher)])
  const seconds = (performance.now() - started) / 1000
  return { seconds, errors, bigPushMiBps: bigPushed / MiB / seconds, pullMiBps: pulled / MiB / seconds, smallPushesPerSecond: smallPushed / seconds }
}

async function main(): Promise<void> {
  const postgres = values['database-url'] ? null : await startPostgres(values.keep)
  const databaseUrl = values['database-url'] ?? postgres!.url
  const password = randomBytes(12).toString('base64url')
  const ours = await startOurs({
    root: ROOT,
    databaseUrl,
    adminUser: 'admin',
    adminPassword: password,
    extraEnv: {},
    nodeArgs: values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [],
    keep: values.keep,
  })
  log(`server ${ours.url} (${ours.build}) on ${databaseUrl.replace(/\/\/[^@]*@/, '//')}`)
  const auth = 'Basic ' + Buffer.from(`admin:${password}`).toString('base64')
  const server: Server = {
    url: ours.url,
    pid: ours.pid,
    storeRoot: join(ours.dir, 'data', 'registry'),
    databaseUrl,
    async call(method, path, body, headers = {}) {
      const send = () => fetch(ours.url + path, { method, headers: { authorization: auth, ...headers }, body })
      // A GET on a kept-alive connection the server closed meanwhile is sent again.
      const res = await send().catch((error: unknown) => (method === 'GET' ? send() : Promise.reject(error)))
      if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status} ${(await res.text()).slice(0, 300)}`)
      return res
    },
  }
  await server.call('POST', '/api/v1/projects', JSON.stringify({ name: 'bench', public: false }), { 'content-type': 'application/json' })
  // The load's 64 MiB blob, pulled by the pullers (and pushed again and again): stored once before any window.
  await server.call('POST', `/v2/bench/load/blobs/uploads/?digest=${BIG_DIGEST}`, BIG, { 'content-type': 'application/octet-stream' })
  const sampler = new Sampler()
  sampler.watch('ours', ours.pid, () => [ours.pid, ...(postgres?.postmasterPid() ? [postgres.postmasterPid()!] : [])])
  sampler.start()

  await seed(server, 'a')
  let window = sampler.begin('ours')
  const alone = await collect(server)
  const aloneStats = sampler.end(window) as WatchStats
  log(`alone: ${JSON.stringify(alone)}, server: ${JSON.stringify(aloneStats)}`)
  // The run's own log: when each phase began and ended (the per-batch lines name every blob: left out).
  const runLog = ((await (await server.call('GET', `/api/v1/system/gc/${alone.id}/log`)).json()) as { log: string }).log
  for (const line of runLog.split('\n')) if (!/ deleted \d+ blobs /.test(line)) log(`  gc log: ${line}`)

  let loaded: { baseline: LoadFigures; during: LoadFigures; gc: GcResult; stats: WatchStats } | null = null
  if (!values['skip-load']) {
    await seed(server, 'b')
    await load(server, sleep(3000)) // warm-up, and the pulled blob exists
    const baseline = await load(server, sleep(BASELINE_SECONDS * 1000))
    log(`load without GC: ${JSON.stringify(baseline)}`)
    window = sampler.begin('ours')
    const gc = collect(server)
    const during = await load(server, gc)
    const stats = sampler.end(window) as WatchStats
    loaded = { baseline, during, gc: await gc, stats }
    log(`load during GC: ${JSON.stringify(during)}`)
  }
  sampler.stop()

  const ratio = (a: number, b: number) => `${(b / a).toFixed(2)}x`
  console.log('')
  console.log(
    `GC alone: ${alone.wallSeconds.toFixed(1)} s (goal < 60), ${alone.blobsDeleted} blobs / ${alone.bytesFreed} bytes freed, ${alone.artifactsDeleted} untagged artifacts`,
  )
  console.log(
    `  server RSS ${aloneStats.rssStartMiB.toFixed(0)} -> peak ${aloneStats.rssPeakMiB.toFixed(0)} MiB: growth ${(aloneStats.rssPeakMiB - aloneStats.rssStartMiB).toFixed(0)} MiB (goal < 256); server + PostgreSQL CPU ${aloneStats.cpuSeconds.toFixed(1)} s; other busy cores ${(aloneStats.otherCpuSeconds / aloneStats.wallSeconds).toFixed(2)}`,
  )
  if (loaded) {
    const { baseline, during, gc, stats } = loaded
    console.log(`GC under load: ${gc.wallSeconds.toFixed(1)} s, ${gc.blobsDeleted} blobs; server RSS growth ${(stats.rssPeakMiB - stats.rssStartMiB).toFixed(0)} MiB`)
    console.log(`${'load'.padEnd(26)} ${'without GC'.padStart(12)} ${'during GC'.padStart(12)} ${'ratio'.padStart(8)}`)
    const row = (name: string, a: number, b: number) => console.log(`${name.padEnd(26)} ${a.toFixed(1).padStart(12)} ${b.toFixed(1).padStart(12)} ${ratio(a, b).padStart(8)}`)
    row('64 MiB push MiB/s', baseline.bigPushMiBps, during.bigPushMiBps)
    row(`pull (${PULL_STREAMS} streams) MiB/s`, baseline.pullMiBps, during.pullMiBps)
    row('4 KiB blob pushes/s', baseline.smallPushesPerSecond, during.smallPushesPerSecond)
    if (baseline.errors || during.errors) console.log(`failed load requests: ${baseline.errors} without GC, ${during.errors} during GC`)
  }
  console.log(JSON.stringify({ cpus: os.cpus().length, loadavg: os.loadavg(), blobs: BLOBS, manifests: MANIFESTS, alone, aloneStats, loaded }))
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void cleanupAll().finally(() => process.exit(130)))

main()
  .catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
  .finally(() => cleanupAll())
