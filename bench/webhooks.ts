// Webhook delivery latency: push → receipt at a receiver on loopback, for our registry (a
// PUSH_ARTIFACT policy with a signing secret) and for CNCF distribution (its `notifications`
// endpoint), side by side in one run. Each push of a small image's manifest (tag t<i>) waits for
// its notification before the next, so the figure is the pipeline's latency, not a queue's.
//
//   npm run build && npx tsx bench/webhooks.ts [--pushes 100] [--postgres] [--keep]
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Client, Target } from './lib/http'
import { imageManifest, pushBaseImageBlobs, putManifest } from './lib/oci'
import { cleanupAll, startDistribution, startOurs, startPostgres } from './lib/procs'
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../tests/support/webhook-receiver'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const { values: args } = parseArgs({
  options: {
    pushes: { type: 'string', default: '100' },
    postgres: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})
if (args.help) {
  console.log('npx tsx bench/webhooks.ts [--pushes N] [--postgres] [--keep]   (needs npm run build first)')
  process.exit(0)
}
const pushes = Number(args.pushes)
const log = (msg: string) => console.error(`[webhooks-bench] ${msg}`)

interface Series {
  label: string
  latenciesMs: number[]
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

function summary(series: Series) {
  const sorted = [...series.latenciesMs].sort((a, b) => a - b)
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1], n: sorted.length }
}

/** Pushes `pushes` manifests and measures, for each, the time from the 201 to the receiver's request for its tag. */
async function measure(label: string, client: Client, repo: string, receiver: WebhookReceiver, tagOf: (r: ReceivedRequest) => string[]): Promise<Series> {
  const base = await pushBaseImageBlobs(client, repo)
  const latenciesMs: number[] = []
  for (let i = 0; i < pushes; i++) {
    const tag = `t${i}`
    const manifest = imageManifest(base.config, [base.layer], { 'bench.run': randomBytes(4).toString('hex') })
    await putManifest(client, repo, tag, manifest)
    const acknowledgedAt = Date.now()
    const hit = await receiver.waitFor((r) => tagOf(r).includes(tag), 30_000)
    latenciesMs.push(Math.max(0, hit.receivedAt - acknowledgedAt))
  }
  log(`${label}: ${pushes} pushes measured`)
  return { label, latenciesMs }
}

async function main(): Promise<void> {
  const receiver = await startWebhookReceiver()
  const distTags = (r: ReceivedRequest) =>
    r.path === '/distribution'
      ? (r.json().events as { action: string; target: { tag?: string; mediaType?: string } }[])
          .filter((e) => e.action === 'push' && e.target.tag && e.target.mediaType?.includes('manifest'))
          .map((e) => e.target.tag!)
      : []
  const ourTags = (r: ReceivedRequest) => (r.path === '/ours' ? (r.json().event_data.resources as { tag?: string }[]).map((x) => x.tag ?? '') : [])

  log('starting docker-registry (CNCF distribution) with a notifications endpoint')
  const dist = await startDistribution(args.keep, [
    'notifications:',
    '  endpoints:',
    '    - name: bench',
    `      url: ${receiver.url}/distribution`,
    '      timeout: 2s',
    '      threshold: 5',
    '      backoff: 1s',
  ])
  const databaseUrl = args.postgres ? (log('starting a throwaway PostgreSQL 15'), (await startPostgres(args.keep)).url) : undefined
  const user = 'admin'
  const password = randomBytes(12).toString('base64url')
  const ours = await startOurs({
    root: ROOT,
    databaseUrl,
    adminUser: user,
    adminPassword: password,
    extraEnv: { WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32' },
    nodeArgs: [],
    keep: args.keep,
  })
  log(`ours: ${ours.url} (${ours.build}; ${args.postgres ? 'PostgreSQL 15' : 'PGlite'})`)
  const api = async (path: string, body: unknown) => {
    const res = await fetch(ours.url + path, {
      method: 'POST',
      headers: { authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64'), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (res.status !== 201) throw new Error(`POST ${path} -> ${res.status} ${await res.text()}`)
  }
  await api('/api/v1/projects', { name: 'bench', public: true })
  await api('/api/v1/projects/bench/webhooks', { name: 'ci', eventTypes: ['PUSH_ARTIFACT'], targetUrl: `${receiver.url}/ours`, secret: randomBytes(16).toString('hex') })

  const oursClient = new Client(new Target('ours', ours.url, { user, password }, 'basic'), 1)
  const distClient = new Client(new Target('distribution', dist.url, undefined, 'basic'), 1)
  const results = [await measure('ours', oursClient, 'bench/hooks', receiver, ourTags), await measure('distribution', distClient, 'bench/hooks', receiver, distTags)]
  oursClient.close()
  distClient.close()
  await receiver.close()

  const [o, d] = results.map(summary)
  const rows = [
    ['', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'n'],
    ['ours (PUSH_ARTIFACT webhook, signed)', ...[o.p50, o.p90, o.p99, o.max].map((v) => v.toFixed(1)), String(o.n)],
    ['distribution (notifications)', ...[d.p50, d.p90, d.p99, d.max].map((v) => v.toFixed(1)), String(d.n)],
    // A ratio means nothing when distribution's figure is 0 ms (it notifies from memory as it writes).
    ['ours − distribution', ...[o.p50 - d.p50, o.p90 - d.p90, o.p99 - d.p99, o.max - d.max].map((v) => v.toFixed(1)), ''],
  ]
  for (const row of rows) console.log(row.map((c, i) => (i === 0 ? c.padEnd(44) : c.padStart(9))).join(''))
  const out = join(ROOT, 'bench', 'results', `webhooks-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(
    out,
    JSON.stringify(
      {
        pushes,
        database: args.postgres ? 'postgresql-15' : 'pglite',
        build: ours.build,
        ours: { ...o, latenciesMs: results[0].latenciesMs },
        distribution: { ...d, latenciesMs: results[1].latenciesMs },
      },
      null,
      2,
    ),
  )
  log(`wrote ${out}`)
}

main()
  .catch((error) => {
    console.error(error)
    process.exitCode = 1
  })
  .finally(() => cleanupAll())
