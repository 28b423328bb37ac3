// Benchmark harness: runs the scenarios against our registry and against CNCF distribution
// (Debian's docker-registry, started here on loopback) in the same run, then prints a table of
// ratios and writes bench/results/<timestamp>.json.
//
//   npm run build && npm run bench                    # our server on PGlite vs distribution
//   npm run bench -- --postgres                       # our server on a throwaway PostgreSQL 15
//   npm run bench -- --target http://127.0.0.1:5000 --user u --password p --only manifest-get
//   npm run bench -- --quick                          # smaller sizes, a smoke run
import { randomBytes } from 'node:crypto'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client, HttpError, Target, type AuthMode, type Credentials } from './lib/http'
import { LIMIT_LABELS, limitValue, measureLimits, type Limits } from './lib/limits'
import { Sampler, cleanupAll, type WatchStats, distributionVersion, onCleanup, startDistribution, startOurs, startPostgres } from './lib/procs'
import { startCephS3 } from '../tests/support/ceph'
import { FULL, QUICK, SCENARIOS, type MetricDef, type Scenario, type Side, type SideResult } from './scenarios'
import { errorText, fmtNum, pad, sleep } from './lib/util'

const HERE = dirname(fileURLToPath(import.meta.url))

class UsageError extends Error {}
const ROOT = resolve(HERE, '..')

interface Options {
  target?: string
  user?: string
  password?: string
  auth: AuthMode
  only?: string[]
  quick: boolean
  databaseUrl?: string
  postgres: boolean
  namespace: string
  keep: boolean
  s3: boolean
  serverEnv: Record<string, string>
  serverNodeArgs: string[]
  pgConf: string[]
  projectSetup: boolean
  projectQuota?: number
  targetPid?: number
  out?: string
  repeat: number
  limits: boolean
  bothDatabases: boolean
}

const USAGE = `usage: npm run bench -- [options]

  --target URL          benchmark this registry instead of starting ours (node dist/server.mjs)
  --user U --password P credentials for the target. When we start our server: admin / a random password.
  --auth token|basic    token (default): as docker/podman/skopeo, the Docker token flow: anonymous
                        request, 401 with a Bearer challenge, a token from the realm (Basic credentials)
                        per repository and scope, cached until it expires. basic: preemptive Basic on
                        writes, pulls anonymous unless refused (a Bearer challenge switches to token).
  --only a,b,...        scenarios to run: ${SCENARIOS.map((s) => s.id).join(', ')}
  --quick               smaller sizes (smoke run)
  --database-url URL    DATABASE_URL for our server (postgresql://...); default pglite:<tmp>/db
  --postgres            start a throwaway PostgreSQL 15 for our server (initdb in a temp dir)
  --namespace NS        first path component of repository names (default: bench). On ours, the
                        harness creates it as a public project (POST /api/v1/projects) unless it
                        exists; --no-project skips that
  --project-quota BYTES that project's storage limit (PATCH /api/v1/projects/NS {"storageLimit"}),
                        to measure what quota checks cost
  --server-env K=V      extra environment for our server (repeatable)
  --pg-conf name=value  a PostgreSQL setting for --postgres (repeatable), e.g. fsync=off
  --server-node-args="A B"  extra node flags for our server (note the =), e.g.
                        --server-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"
  --target-pid PID      sample RSS/CPU of an external --target process
  --repeat N            run each scenario N times per side (interleaved) and keep each metric's best
                        value (memory: the worst run): use it when other work shares the machine
  --out FILE            JSON results path (default bench/results/<timestamp>.json)
  --keep                keep temp dirs (server data, logs)
  --no-limits           skip measuring the machine's physical limits before the scenarios
  --both-databases      run twice, on a throwaway PostgreSQL 15 then on PGlite (each run with its own
                        distribution and limits), and print both tables side by side in markdown
  --s3                  both registries store blobs on S3: a one-node Ceph cluster on loopback
                        (scripts/ceph-s3.sh), a bucket each; distribution's s3 driver with redirects
                        off, ours with BLOB_STORE=s3 (pulls streamed by both); --server-env
                        S3_REDIRECT=1 makes ours redirect (blob-pull then also times the gateway itself)
`

function parseArgs(argv: string[]): Options {
  const o: Options = {
    auth: 'token',
    quick: false,
    postgres: false,
    namespace: 'bench',
    keep: false,
    s3: false,
    serverEnv: {},
    serverNodeArgs: [],
    pgConf: [],
    projectSetup: true,
    repeat: 1,
    limits: true,
    bothDatabases: false,
  }
  const val = (i: number, name: string): string => {
    const v = argv[i + 1]
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`)
    return v
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const [flag, inline] = a.includes('=') && a.startsWith('--') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined]
    const take = (): string => {
      if (inline !== undefined) return inline
      const v = val(i, flag)
      i++
      return v
    }
    switch (flag) {
      case '--target':
        o.target = take().replace(/\/+$/, '')
        break
      case '--user':
        o.user = take()
        break
      case '--password':
        o.password = take()
        break
      case '--auth': {
        const v = take()
        if (v !== 'basic' && v !== 'token' && v !== 'bearer') throw new UsageError(`--auth must be token or basic`)
        o.auth = v === 'basic' ? 'basic' : 'token'
        break
      }
      case '--only':
        o.only = take()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
        break
      case '--quick':
        o.quick = true
        break
      case '--database-url':
        o.databaseUrl = take()
        break
      case '--postgres':
        o.postgres = true
        break
      case '--namespace':
        o.namespace = take()
        break
      case '--server-env': {
        const kv = take()
        const eq = kv.indexOf('=')
        if (eq < 1) throw new UsageError(`--server-env expects KEY=VALUE, got ${kv}`)
        o.serverEnv[kv.slice(0, eq)] = kv.slice(eq + 1)
        break
      }
      case '--server-node-args':
        o.serverNodeArgs.push(...take().split(/\s+/).filter(Boolean))
        break
      case '--pg-conf': {
        const kv = take()
        if (!/^[a-z_.]+=\S+$/.test(kv)) throw new UsageError(`--pg-conf expects name=value (e.g. fsync=off), got ${kv}`)
        o.pgConf.push(kv)
        break
      }
      case '--target-pid':
        o.targetPid = Number(take())
        break
      case '--repeat': {
        const n = Number(take())
        if (!Number.isInteger(n) || n < 1 || n > 20) throw new UsageError('--repeat must be an integer from 1 to 20')
        o.repeat = n
        break
      }
      case '--out':
        o.out = take()
        break
      case '--project-quota': {
        const n = Number(take())
        if (!Number.isSafeInteger(n) || n < 0) throw new UsageError('--project-quota must be a number of bytes')
        o.projectQuota = n
        break
      }
      case '--no-project':
        o.projectSetup = false
        break
      case '--keep':
        o.keep = true
        break
      case '--no-limits':
        o.limits = false
        break
      case '--both-databases':
        o.bothDatabases = true
        break
      case '--s3':
        o.s3 = true
        break
      case '-h':
      case '--help':
        process.stdout.write(USAGE)
        process.exit(0)
        break
      default:
        throw new UsageError(`unknown option ${a}\n\n${USAGE}`)
    }
  }
  if (o.only) {
    const known = new Set(SCENARIOS.map((s) => s.id))
    const bad = o.only.filter((s) => !known.has(s))
    if (bad.length) throw new UsageError(`unknown scenario(s): ${bad.join(', ')}; known: ${[...known].join(', ')}`)
  }
  if (o.pgConf.length && !o.postgres) throw new UsageError('--pg-conf needs --postgres')
  if (o.postgres && o.databaseUrl) throw new UsageError('--postgres and --database-url are exclusive')
  if (o.bothDatabases && (o.postgres || o.databaseUrl || o.target || o.out))
    throw new UsageError('--both-databases starts both databases itself: no --postgres, --database-url, --target or --out')
  if (o.target && (o.postgres || o.databaseUrl)) throw new UsageError('--postgres/--database-url configure the server we start; they make no sense with --target')
  if ((o.user === undefined) !== (o.password === undefined) && o.target) throw new UsageError('--user and --password go together')
  return o
}

const log = (msg: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`)
}

interface ScenarioOutcome {
  id: string
  title: string
  params: string
  notes: string[]
  results: Partial<Record<'ours' | 'distribution', SideResult>>
  errors: Partial<Record<'ours' | 'distribution', { message: string; request?: Record<string, unknown> }>>
  durationMs: Partial<Record<'ours' | 'distribution', number>>
  /** Token requests to the realm while the side ran (setup included) and during its timed parts. */
  tokens: Partial<Record<'ours' | 'distribution', { fetches: number; timed: number; challenges: number }>>
}

interface Row {
  scenario: string
  metric: string
  unit: string
  ours: number | null
  distribution: number | null
  ratio: number | null
  better: string
  /** The physical limit this metric is read against, and each side's value as a fraction of it. */
  limit: string | null
  oursOfLimit: number | null
  distributionOfLimit: number | null
  target: string
  pass: boolean | null
}

function buildRows(outcomes: ScenarioOutcome[], limits: Limits | null): Row[] {
  const rows: Row[] = []
  for (const o of outcomes) {
    const sc = SCENARIOS.find((s) => s.id === o.id)!
    for (const m of sc.metrics) {
      const ours = o.results.ours?.metrics[m.key]
      const dist = o.results.distribution?.metrics[m.key]
      const ok = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v)
      const ratio = ok(ours) && ok(dist) && dist !== 0 ? ours / dist : null
      const limit = m.limit && limits ? limitValue(limits, m.limit) : undefined
      const ofLimit = (v: number | undefined) => (ok(v) && limit ? v / limit : null)
      const targets: string[] = []
      const passes: Array<boolean | null> = []
      const check = (text: string, value: number | null, holds: (v: number) => boolean) => {
        targets.push(text)
        passes.push(value === null ? (o.errors.ours ? false : null) : holds(value))
      }
      if (m.minRatio !== undefined) check(`>= ${m.minRatio}x`, ratio, (r) => r >= m.minRatio!)
      else if (m.maxRatio !== undefined) check(`<= ${m.maxRatio}x`, ratio, (r) => r <= m.maxRatio!)
      else if (m.maxOurs !== undefined) check(`< ${m.maxOurs} ${m.unit}`, ok(ours) ? ours : null, (v) => v < m.maxOurs!)
      else if (m.minOurs !== undefined) check(`>= ${m.minOurs}${m.unit === 'x' ? 'x' : ` ${m.unit}`}`, ok(ours) ? ours : null, (v) => v >= m.minOurs!)
      if (m.minOfLimit !== undefined) check(`>= ${m.minOfLimit} of limit`, ofLimit(ours), (f) => f >= m.minOfLimit!)
      const target = targets.join(', ')
      const pass = passes.length === 0 ? null : passes.includes(false) ? false : passes.includes(null) ? null : true
      rows.push({
        scenario: o.id,
        metric: `${m.label} [${m.unit}]`,
        unit: m.unit,
        ours: ok(ours) ? ours : null,
        distribution: ok(dist) ? dist : null,
        ratio,
        better: m.better === 'higher' ? 'higher' : 'lower',
        limit: m.limit ?? null,
        oursOfLimit: ofLimit(ours),
        distributionOfLimit: ofLimit(dist),
        target,
        pass,
      })
    }
  }
  return rows
}

function fmtMetric(v: number | null, m: MetricDef | undefined, failed: boolean): string {
  if (v === null) return failed ? 'FAILED' : 'n/a'
  return fmtNum(v, m?.digits)
}

const fmtFraction = (f: number | null): string => (f === null ? 'n/a' : f.toFixed(2))

function printTable(outcomes: ScenarioOutcome[], rows: Row[]): string {
  const lines: string[] = []
  const header = ['scenario', 'metric', 'ours', 'distribution', 'ours/dist', 'better', 'of limit: ours, dist', 'target']
  const body = rows.map((r) => {
    const o = outcomes.find((x) => x.id === r.scenario)!
    const m = SCENARIOS.find((s) => s.id === r.scenario)!.metrics.find((mm) => `${mm.label} [${mm.unit}]` === r.metric)
    const ratio = r.ratio === null ? 'n/a' : `${r.ratio.toFixed(2)}x`
    const tgt = r.target ? `${r.target} ${r.pass === null ? '?' : r.pass ? 'PASS' : 'FAIL'}` : ''
    return [
      r.scenario,
      r.metric,
      fmtMetric(r.ours, m, !!o.errors.ours),
      fmtMetric(r.distribution, m, !!o.errors.distribution),
      ratio,
      r.better === 'higher' ? 'higher ^' : 'lower v',
      r.limit ? `${fmtFraction(r.oursOfLimit)}, ${fmtFraction(r.distributionOfLimit)} (${r.limit})` : '',
      tgt,
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)))
  const right = [false, false, true, true, true, false, false, false]
  const fmtRow = (cells: string[]) => cells.map((c, i) => pad(c, widths[i], right[i])).join('  ')
  lines.push(fmtRow(header))
  lines.push(widths.map((w) => '-'.repeat(w)).join('  '))
  let prev = ''
  for (const b of body) {
    if (prev && b[0] !== prev) lines.push('')
    lines.push(fmtRow(b[0] === prev ? ['', ...b.slice(1)] : b))
    prev = b[0]
  }
  return lines.join('\n')
}

/**
 * Creates the public project `name` through the REST API (`POST /api/v1/projects`, Basic auth) unless
 * it exists. Returns what happened; never throws (a registry without projects simply has no such API).
 */
async function ensureProject(target: Target, name: string): Promise<string> {
  const c = new Client(target, 1)
  const headers = { authorization: target.basicHeader()!, accept: 'application/json' }
  try {
    const get = await c.request({ method: 'GET', url: `/api/v1/projects/${encodeURIComponent(name)}`, kind: 'ping', headers })
    if (get.status === 200) {
      const p = JSON.parse(get.body.toString('utf8')) as { public?: boolean }
      return `project "${name}" exists (public: ${p.public ?? 'unknown'})`
    }
    const post = await c.request({
      method: 'POST',
      url: '/api/v1/projects',
      kind: 'ping',
      headers: { ...headers, 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ name, public: true })),
    })
    if (post.status === 201) return `created public project "${name}" (POST /api/v1/projects -> 201)`
    if (post.status === 409) return `project "${name}" exists (POST /api/v1/projects -> 409)`
    return `no project created: GET /api/v1/projects/${name} -> ${get.status}, POST /api/v1/projects -> ${post.status} ${post.body.toString('utf8', 0, 300).replace(/\s+/g, ' ')}`
  } catch (e) {
    return `no project created: ${errorText(e).split('\n')[0]}`
  } finally {
    c.close()
  }
}

/** Sets the storage limit of project `name` (PATCH /api/v1/projects/{name}); returns what happened. */
async function setProjectQuota(target: Target, name: string, bytes: number): Promise<string> {
  const c = new Client(target, 1)
  try {
    const res = await c.request({
      method: 'PATCH',
      url: `/api/v1/projects/${encodeURIComponent(name)}`,
      kind: 'ping',
      headers: { authorization: target.basicHeader()!, accept: 'application/json', 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ storageLimit: bytes })),
    })
    if (res.status !== 200) throw new Error(`PATCH /api/v1/projects/${name} -> ${res.status} ${res.body.toString('utf8', 0, 300)}`)
    return `project "${name}" storage limit ${bytes} bytes`
  } finally {
    c.close()
  }
}

/** Best value per metric (in its "better" direction) over repeated runs; all runs kept in details. */
function bestOf(sc: Scenario, list: SideResult[]): SideResult {
  const all = list.map((r) => ({ metrics: r.metrics, details: r.details, proc: r.proc }))
  if (sc.repeatPolicy === 'worst-run') {
    const m = sc.metrics[0]
    const val = (r: SideResult) => r.metrics[m.key] ?? NaN
    let worst = list[0]
    for (const r of list) if (m.better === 'higher' ? val(r) < val(worst) : val(r) > val(worst)) worst = r
    return { metrics: worst.metrics, details: { ...worst.details, runs: all }, proc: worst.proc }
  }
  const metrics: Record<string, number> = {}
  for (const m of sc.metrics) {
    const vals = list.map((r) => r.metrics[m.key]).filter((v) => v !== undefined && Number.isFinite(v))
    if (vals.length) metrics[m.key] = m.better === 'higher' ? Math.max(...vals) : Math.min(...vals)
  }
  // Load figures: from the run that was best on the first metric.
  const first = sc.metrics[0]
  let best = list[0]
  for (const r of list) {
    const a = r.metrics[first.key]
    const b = best.metrics[first.key]
    if (a !== undefined && (b === undefined || (first.better === 'higher' ? a > b : a < b))) best = r
  }
  return { metrics, details: { ...best.details, runs: all }, proc: best.proc }
}

function loadLines(outcomes: ScenarioOutcome[]): string[] {
  const lines: string[] = []
  const w = Math.max(...outcomes.map((o) => o.id.length))
  for (const o of outcomes) {
    const parts: string[] = []
    for (const side of ['ours', 'distribution'] as const) {
      const procs = Object.values(o.results[side]?.proc ?? {}).filter((p): p is WatchStats => !!p)
      if (!procs.length) continue
      const sum = (k: keyof WatchStats) => procs.reduce((a, p) => a + p[k], 0)
      const wall = sum('wallSeconds')
      if (!(wall > 0)) continue
      const f = (k: keyof WatchStats) => (sum(k) / wall).toFixed(2)
      const db = sum('dbCpuSeconds') > 0 ? ` (pg ${f('dbCpuSeconds')})` : ''
      parts.push(`${side} ${f('cpuSeconds')}${db} / ${f('clientCpuSeconds')} / ${f('otherCpuSeconds')}`)
    }
    if (parts.length) lines.push(`${pad(o.id, w)}  ${parts.join('   ')}`)
  }
  return lines
}

interface RunFile {
  ours: { database?: string }
  limits: Limits | null
  rows: Row[]
}

/**
 * --both-databases: this harness twice (PostgreSQL, then PGlite), each writing its JSON, then one
 * markdown table of the headline metrics (each scenario's first metric and those read against a limit).
 */
async function bothDatabases(argv: string[]): Promise<number> {
  const args = argv.filter((a) => a !== '--both-databases')
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const runs = [
    { name: 'PostgreSQL', extra: ['--postgres'], file: join(HERE, 'results', `${stamp}-postgres.json`) },
    { name: 'PGlite', extra: [], file: join(HERE, 'results', `${stamp}-pglite.json`) },
  ]
  let code = 0
  for (const r of runs) {
    log(`--both-databases: the ${r.name} run`)
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...args, ...r.extra, '--out', r.file], { stdio: 'inherit' })
    const [exit] = (await once(child, 'exit')) as [number | null]
    if (exit !== 0) code = exit ?? 1
  }
  const [pg, lite] = runs.map((r) => (existsSync(r.file) ? (JSON.parse(readFileSync(r.file, 'utf8')) as RunFile) : null))
  const headline = (pg ?? lite)?.rows.filter((row, i, all) => row.limit || all.findIndex((x) => x.scenario === row.scenario) === i) ?? []
  const cells = (f: RunFile | null, row: Row): string[] => {
    const x = f?.rows.find((y) => y.scenario === row.scenario && y.metric === row.metric)
    const n = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : fmtNum(v, v >= 100 ? 0 : v >= 10 ? 1 : 2))
    return [
      n(x?.distribution),
      n(x?.ours),
      x?.ratio ? `${x.ratio.toFixed(2)}x` : 'n/a',
      x?.limit ? `${fmtFraction(x.oursOfLimit)} (dist ${fmtFraction(x.distributionOfLimit)})` : '',
    ]
  }
  const out = [
    '',
    '| scenario / metric | PostgreSQL: distribution | ours | ours/dist | ours of limit | PGlite: distribution | ours | ours/dist | ours of limit |',
    '|---|---|---|---|---|---|---|---|---|',
    ...headline.map((row) => `| \`${row.scenario}\` ${row.metric} | ${[...cells(pg, row), ...cells(lite, row)].join(' | ')} |`),
  ]
  for (const [name, f] of [
    ['PostgreSQL', pg],
    ['PGlite', lite],
  ] as const) {
    const l = f?.limits
    if (l) {
      out.push(
        '',
        `Limits in the ${name} run: sha256 ${fmtNum(l.sha256, 0)} MiB/s${l.sha256sum === null ? '' : ` (sha256sum ${fmtNum(l.sha256sum, 0)})`}, HTTP upload ${fmtNum(l.upload, 0)} MiB/s, ` +
          `download ${l.sizes.streams} streams ${fmtNum(l.download, 0)} MiB/s, write + fdatasync ${fmtNum(l.writeSync, 0)} MiB/s, hello-world ${fmtNum(l.hello, 0)} req/s.`,
      )
    }
  }
  out.push('', `JSON results: ${runs.map((r) => r.file).join(', ')}`)
  process.stdout.write(out.join('\n') + '\n')
  return code
}

async function main(): Promise<number> {
  if (process.argv.includes('--both-databases')) {
    parseArgs(process.argv.slice(2))
    return bothDatabases(process.argv.slice(2))
  }
  const opts = parseArgs(process.argv.slice(2))
  const sizes = opts.quick ? QUICK : FULL
  const selected: Scenario[] = opts.only ? SCENARIOS.filter((s) => opts.only!.includes(s.id)) : SCENARIOS
  const runId = randomBytes(3).toString('hex')
  const startedAt = new Date()
  const loadAtStart = loadavg()
  const sampler = new Sampler()
  sampler.start()

  let shuttingDown = false
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (shuttingDown) return
      shuttingDown = true
      log(`${sig}: stopping the processes we started`)
      void cleanupAll().then(() => process.exit(130))
    })
  }

  // --- reference registry
  log('starting docker-registry (CNCF distribution) on loopback')
  let distStorage: string[] | undefined
  if (opts.s3) {
    log('starting a Ceph cluster (S3) on loopback')
    const ceph = await startCephS3()
    onCleanup(() => ceph.stop())
    const [distBucket, oursBucket] = [await ceph.createBucket(), await ceph.createBucket()]
    distStorage = [
      '  s3:',
      `    regionendpoint: ${ceph.endpoint}`,
      `    region: ${ceph.region}`,
      `    bucket: ${distBucket}`,
      `    accesskey: ${ceph.accessKeyId}`,
      `    secretkey: ${ceph.secretAccessKey}`,
      '    secure: false',
      '  redirect:',
      // distribution 2.8 answers a blob HEAD with a 307 too when it redirects, which the scenarios
      // do not expect: with ours on S3_REDIRECT=1 it keeps streaming.
      '    disable: true',
    ]
    opts.serverEnv = { ...ceph.env(oursBucket), ...opts.serverEnv }
    log(`ceph: ${ceph.endpoint}, buckets ${distBucket} (distribution) and ${oursBucket} (ours)`)
  }
  const dist = await startDistribution(opts.keep, [], distStorage)
  const distVersion = distributionVersion()
  log(`distribution: ${dist.url} pid ${dist.pid} (${distVersion})`)
  sampler.watch('distribution', dist.pid)

  // --- our registry (or the given target)
  let oursUrl: string
  let creds: Credentials | undefined
  let oursInfo: Record<string, unknown>
  if (opts.target) {
    oursUrl = opts.target
    creds = opts.user !== undefined ? { user: opts.user, password: opts.password ?? '' } : undefined
    oursInfo = { url: oursUrl, startedByHarness: false, pid: opts.targetPid ?? null }
    if (opts.targetPid) sampler.watch('ours', opts.targetPid)
  } else {
    let databaseUrl = opts.databaseUrl
    let pgPid: (() => number | null) | undefined
    let dbKind = databaseUrl ? 'postgresql (given)' : 'pglite'
    if (opts.postgres) {
      log('starting a throwaway PostgreSQL 15')
      const pg = await startPostgres(opts.keep, opts.pgConf)
      databaseUrl = pg.url
      pgPid = pg.postmasterPid
      dbKind = `postgresql 15 (throwaway, started by the harness${opts.pgConf.length ? `; ${opts.pgConf.join(' ')}` : ''})`
      log(`postgres: ${pg.url}; log ${pg.log}`)
    }
    const adminUser = opts.user ?? 'admin'
    const adminPassword = opts.password ?? randomBytes(12).toString('base64url')
    log(`starting our server: node dist/server.mjs (DATABASE_URL=${databaseUrl ?? 'pglite:<tmp>/db'})`)
    // What the selected scenarios need (the pull-through cache: a loopback upstream), under --server-env.
    const extraEnv = Object.assign({}, ...selected.map((s) => s.serverEnv ?? {}), opts.serverEnv) as Record<string, string>
    const ours = await startOurs({ root: ROOT, databaseUrl, adminUser, adminPassword, extraEnv, nodeArgs: opts.serverNodeArgs, keep: opts.keep })
    oursUrl = ours.url
    creds = { user: adminUser, password: adminPassword }
    oursInfo = {
      url: oursUrl,
      startedByHarness: true,
      build: ours.build,
      pid: ours.pid,
      database: dbKind,
      databaseUrl: ours.databaseUrl.replace(/\/\/[^@]*@/, '//<user>@'),
      log: ours.logFile,
      dataDir: ours.dir,
    }
    log(`ours: ${oursUrl} pid ${ours.pid} (${dbKind}); log ${ours.logFile}`)
    // CPU of our server includes PostgreSQL's when it serves it.
    sampler.watch('ours', ours.pid, () => {
      const p = pgPid?.()
      return p ? [ours.pid, p] : [ours.pid]
    })
  }

  const targets = {
    ours: new Target('ours', oursUrl, creds, opts.auth),
    distribution: new Target('distribution', dist.url, undefined, 'basic'),
  }

  // --- sanity: both answer /v2/
  for (const t of Object.values(targets)) {
    const c = new Client(t, 1)
    try {
      const r = await c.request({ method: 'GET', url: '/v2/', kind: 'ping' })
      log(`${t.label}: GET /v2/ -> ${r.status}${r.headers['www-authenticate'] ? ` (${r.headers['www-authenticate']})` : ''}`)
    } finally {
      c.close()
    }
  }

  // --- a project for the namespace (ours only): registries with projects refuse pushes into a
  // project that does not exist. A public one, so that pulls can go anonymous as on distribution.
  const setupNotes: string[] = []
  if (creds && opts.projectSetup) {
    const note = await ensureProject(targets.ours, opts.namespace)
    setupNotes.push(note)
    log(`ours: ${note}`)
    if (opts.projectQuota !== undefined) {
      const quota = await setProjectQuota(targets.ours, opts.namespace, opts.projectQuota)
      setupNotes.push(quota)
      log(`ours: ${quota}`)
    }
  }

  // --- the machine's physical limits, in the data dir's filesystem, before the scenarios
  let limits: Limits | null = null
  if (opts.limits) {
    const writeDir = typeof oursInfo.dataDir === 'string' ? oursInfo.dataDir : tmpdir()
    limits = await measureLimits(
      {
        blob: sizes.bigBlob,
        iterations: sizes.bigIters,
        streams: sizes.pullStreams,
        writeBytes: sizes.limitWrite,
        helloSeconds: sizes.getSeconds,
        helloConc: sizes.getConc,
      },
      writeDir,
      log,
    )
  }

  const outcomes: ScenarioOutcome[] = []
  for (const [idx, sc] of selected.entries()) {
    const outcome: ScenarioOutcome = { id: sc.id, title: sc.title, params: sc.params(sizes), notes: [], results: {}, errors: {}, durationMs: {}, tokens: {} }
    outcomes.push(outcome)
    log(`=== ${sc.id}: ${outcome.params}`)
    const shared: Record<string, unknown> = {}
    // Token requests during the timed parts: counted between begin() and end().
    const timedTokens = { ours: 0, distribution: 0 }
    const sides: Side[] = (['ours', 'distribution'] as const).map((label) => ({
      label,
      target: targets[label],
      ns: opts.namespace,
      runId,
      sizes,
      shared,
      begin: (process?: string) => ({ window: sampler.begin(process ?? label), tokensAtBegin: targets[label].tokenFetches }),
      end: (w: unknown) => {
        const { window, tokensAtBegin } = w as { window: ReturnType<Sampler['begin']>; tokensAtBegin: number }
        timedTokens[label] += targets[label].tokenFetches - tokensAtBegin
        return sampler.end(window)
      },
      watch: (name: string, pid: number) => sampler.watch(name, pid),
      keep: opts.keep,
      log: (m: string) => log(`[${sc.id}/${label}] ${m}`),
    }))
    if (sc.prepare) {
      try {
        const notes = await sc.prepare(sides)
        outcome.notes.push(...notes)
        for (const n of notes) log(`${sc.id}: ${n}`)
      } catch (e) {
        outcome.notes.push(`prepare failed: ${errorText(e)}`)
        log(`${sc.id}: prepare failed: ${errorText(e)}`)
      }
    }
    // Alternate which side goes first, so neither always runs on a "cold" or "dirty" machine.
    // With --repeat N each side runs N times (interleaved) and the best value of each metric counts.
    const runs: Partial<Record<'ours' | 'distribution', SideResult[]>> = {}
    for (let rep = 0; rep < opts.repeat; rep++) {
      const order = (idx + rep) % 2 === 0 ? sides : [...sides].reverse()
      for (const side of order) {
        if (outcome.errors[side.label]) continue // a side that failed once is not retried
        const t0 = Date.now()
        const [fetchesBefore, challengesBefore] = [side.target.tokenFetches, side.target.challenges]
        try {
          const r = await sc.run(side)
          ;(runs[side.label] ??= []).push(r)
          const notes = (r.details.notes as string[] | undefined) ?? []
          for (const n of notes) if (!outcome.notes.includes(`${side.label}: ${n}`)) outcome.notes.push(`${side.label}: ${n}`)
          const summary = sc.metrics
            .filter((m) => r.metrics[m.key] !== undefined)
            .map((m) => `${m.key}=${fmtNum(r.metrics[m.key], m.digits)}`)
            .join(' ')
          log(`${sc.id} ${side.label}${opts.repeat > 1 ? ` #${rep + 1}` : ''}: ${summary} (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
        } catch (e) {
          const request = e instanceof HttpError ? e.toJSON() : undefined
          outcome.errors[side.label] = { message: errorText(e), request }
          log(`${sc.id} ${side.label}: FAILED: ${errorText(e)}`)
        }
        outcome.durationMs[side.label] = (outcome.durationMs[side.label] ?? 0) + Date.now() - t0
        const tokens = (outcome.tokens[side.label] ??= { fetches: 0, timed: 0, challenges: 0 })
        tokens.fetches += side.target.tokenFetches - fetchesBefore
        tokens.challenges += side.target.challenges - challengesBefore
        tokens.timed = timedTokens[side.label]
        await sleep(500)
      }
    }
    for (const label of ['ours', 'distribution'] as const) {
      const t = outcome.tokens[label]
      if (t && (t.fetches || t.challenges)) {
        outcome.notes.push(
          `${label}: ${t.fetches} token requests to the realm (${t.timed} during the timed part${opts.repeat > 1 ? `s of ${opts.repeat} runs` : ''}), ${t.challenges} 401 challenges answered (besides those to GET /v2/)`,
        )
      }
    }
    for (const label of ['ours', 'distribution'] as const) {
      const list = runs[label]
      if (!list?.length) continue
      outcome.results[label] = list.length === 1 ? list[0] : bestOf(sc, list)
    }
  }

  sampler.stop()
  const rows = buildRows(outcomes, limits)
  const table = printTable(outcomes, rows)

  const out: string[] = []
  out.push('')
  out.push(
    `Registry benchmark ${startedAt.toISOString()}  (${opts.quick ? 'QUICK sizes' : 'full sizes'}${opts.repeat > 1 ? `; best of ${opts.repeat} runs per side` : ''}; run id ${runId})`,
  )
  out.push(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, node ${process.version}; client and servers share it; load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`,
  )
  out.push(
    `ours:         ${oursUrl}${oursInfo.database ? ` (${oursInfo.database})` : ''}; auth ${creds ? targets.ours.authMode : 'none'}${oursInfo.build ? `; ${oursInfo.build}` : ''}`,
  )
  out.push(`distribution: ${dist.url} (${distVersion}, filesystem storage, inmemory blob descriptor cache)`)
  out.push('ours/dist: a ratio of the two values. For "higher ^" metrics (throughput) > 1 means ours is faster;')
  out.push('for "lower v" metrics (latency, CPU, memory) < 1 means ours is better.')
  if (limits) {
    const l = limits
    out.push(`physical limits, measured by the harness just before the scenarios (same client; loopback server: node:http in its own process, discarding / serving from memory):`)
    out.push(
      `  sha256 one stream ${fmtNum(l.sha256, 0)} MiB/s (node crypto, ${l.sizes.blob / 2 ** 20} MiB in 1 MiB updates${l.sha256sum === null ? '' : `; sha256sum ${fmtNum(l.sha256sum, 0)} MiB/s`})` +
        `; HTTP upload ${fmtNum(l.upload, 0)} MiB/s; download, ${l.sizes.streams} streams ${fmtNum(l.download, 0)} MiB/s` +
        `; write ${l.sizes.writeBytes / 2 ** 20} MiB + fdatasync ${fmtNum(l.writeSync, 0)} MiB/s (${l.writeDir})` +
        `; hello-world ${fmtNum(l.hello, 0)} req/s at concurrency ${l.sizes.helloConc} (p50 ${fmtNum(l.helloP50, 2)} ms)`,
    )
    out.push(
      `"of limit": the metric divided by its limit: ${Object.entries(LIMIT_LABELS)
        .map(([k, v]) => `${k} = ${v}`)
        .join(', ')}.`,
    )
  }
  out.push('')
  out.push(table)
  const notes: string[] = setupNotes.map((n) => `ours: ${n}`)
  for (const t of Object.values(targets)) for (const n of t.notes) notes.push(`${t.label}: ${n}`)
  for (const o of outcomes) for (const n of o.notes) notes.push(`${o.id}: ${n}`)
  if (notes.length) {
    out.push('')
    out.push('Notes:')
    for (const n of notes) out.push(`  - ${n}`)
  }
  const load = loadLines(outcomes)
  if (load.length) {
    out.push('')
    out.push('Machine load during the timed parts (average busy cores: server [of which PostgreSQL] / harness client / other;')
    out.push('"other" well above 0 means something else on the machine competed and the numbers are noisy):')
    out.push(...load.map((l) => `  ${l}`))
  }
  const failures = outcomes.flatMap((o) => (['ours', 'distribution'] as const).filter((s) => o.errors[s]).map((s) => ({ id: o.id, side: s, err: o.errors[s]! })))
  if (failures.length) {
    out.push('')
    out.push('Failures:')
    for (const f of failures) out.push(`  - ${f.id} on ${f.side}: ${f.err.message.split('\n').join('\n      ')}`)
  }
  const file = opts.out ? resolve(opts.out) : join(HERE, 'results', `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`)
  mkdirSync(dirname(file), { recursive: true })
  // When our server failed a scenario, keep its log next to the results and show its tail.
  let serverLogCopy: string | undefined
  if (failures.some((f) => f.side === 'ours') && typeof oursInfo.log === 'string' && existsSync(oursInfo.log)) {
    serverLogCopy = file.replace(/\.json$/, '') + '-ours-server.log'
    copyFileSync(oursInfo.log, serverLogCopy)
    const tailLines = readFileSync(oursInfo.log, 'utf8').trimEnd().split('\n').slice(-30)
    out.push('')
    out.push(`Our server's log (last ${tailLines.length} lines; full copy: ${serverLogCopy}):`)
    out.push(...tailLines.map((l) => `  | ${l}`))
  }
  process.stdout.write(out.join('\n') + '\n')
  writeFileSync(
    file,
    JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        runId,
        options: { ...opts, password: opts.password ? '<redacted>' : undefined },
        sizes,
        machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: totalmem() / 2 ** 30, node: process.version, loadAtStart, loadAtEnd: loadavg() },
        ours: {
          ...oursInfo,
          serverLogCopy,
          authMode: creds ? targets.ours.authMode : 'none',
          requests: targets.ours.requests,
          challenges: targets.ours.challenges,
          tokenFetches: targets.ours.tokenFetches,
          notes: [...targets.ours.notes],
        },
        distribution: { url: dist.url, version: distVersion, pid: dist.pid, requests: targets.distribution.requests },
        limits,
        rows,
        scenarios: outcomes,
      },
      null,
      2,
    ),
  )
  process.stdout.write(`\nJSON results: ${file}\n`)
  return failures.length ? 1 : 0
}

main()
  .then(async (code) => {
    await cleanupAll()
    process.exit(code)
  })
  .catch(async (e) => {
    console.error(e instanceof UsageError || e instanceof HttpError ? e.message : e instanceof Error ? (e.stack ?? e.message) : e)
    await cleanupAll()
    process.exit(2)
  })
