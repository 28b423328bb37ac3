// Processes the harness starts and watches: the reference registry (CNCF distribution), our
// server, a throwaway PostgreSQL 15; plus an RSS/CPU sampler reading /proc.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync, readFileSync, openSync, closeSync, rmSync, chownSync, readdirSync, existsSync, statSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import net from 'node:net'
import http from 'node:http'
import { sleep } from './util'

// ---------------------------------------------------------------- cleanup

const cleanups: Array<() => Promise<void> | void> = []

export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn)
}

/** Runs the cleanups in reverse order of registration (each at most once). */
export async function cleanupAll(): Promise<void> {
  while (cleanups.length) {
    const fn = cleanups.pop()!
    try {
      await fn()
    } catch (e) {
      console.error('cleanup failed:', e)
    }
  }
}

export function makeTempDir(prefix: string, keep: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  if (!keep) onCleanup(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

// ---------------------------------------------------------------- ports and readiness

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.unref()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      s.close(() => resolve(port))
    })
  })
}

function getStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 2000 }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
      res.on('error', () => resolve(0))
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(0))
  })
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

async function waitReady(name: string, url: string, ok: number[], child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = 0
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before answering ${url}. Log tail (${logFile}):\n${tail(logFile)}`)
    }
    last = await getStatus(url)
    if (ok.includes(last)) return
    await sleep(200)
  }
  throw new Error(`${name} did not answer ${url} with ${ok.join('/')} within ${timeoutMs} ms (last status ${last}). Log tail (${logFile}):\n${tail(logFile)}`)
}

async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  child.kill('SIGTERM')
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(t)
}

export interface Started {
  url: string
  pid: number
  dir: string
  logFile: string
  /** Extra pids whose CPU counts towards this server (PostgreSQL for ours on --postgres). */
  stop(): Promise<void>
}

// ---------------------------------------------------------------- distribution

export function distributionVersion(): string {
  try {
    return execFileSync('docker-registry', ['--version'], { encoding: 'utf8' }).trim()
  } catch {
    return 'unknown'
  }
}

/** Starts Debian's docker-registry (CNCF distribution 2.8) on a free loopback port with a temp store. */
/** `extraConfig`: more top-level YAML lines for its config (e.g. a `notifications:` section). */
/** `storage`: the storage driver's YAML lines (indented under `storage:`) instead of the temp dir's filesystem. */
export async function startDistribution(keep: boolean, extraConfig: string[] = [], storage?: string[]): Promise<Started> {
  const dir = makeTempDir('bench-dist-', keep)
  const port = await freePort()
  const cfg = join(dir, 'config.yml')
  writeFileSync(
    cfg,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      ...(storage ?? ['  filesystem:', `    rootdirectory: ${join(dir, 'data')}`]),
      '  delete:',
      '    enabled: true',
      '  cache:',
      '    blobdescriptor: inmemory',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '  secret: bench-local-secret',
      ...extraConfig,
      '',
    ].join('\n'),
  )
  const logFile = join(dir, 'registry.log')
  const fd = openSync(logFile, 'a')
  // distribution maps REGISTRY_<SECTION>_<KEY> env vars onto its config: pass none of them.
  // AWS_CA_BUNDLE makes its s3 driver panic ("HTTPClient's transport unsupported type"); the gateway is plain HTTP.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_') && k !== 'AWS_CA_BUNDLE'))
  const child = spawn('docker-registry', ['serve', cfg], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', fd, fd] })
  closeSync(fd)
  const url = `http://127.0.0.1:${port}`
  const stop = () => stopChild(child)
  onCleanup(stop)
  await waitReady('docker-registry', `${url}/v2/`, [200], child, logFile, 30_000)
  return { url, pid: child.pid!, dir, logFile, stop }
}

// ---------------------------------------------------------------- our server

export interface OursOptions {
  root: string
  databaseUrl?: string
  adminUser: string
  adminPassword: string
  extraEnv: Record<string, string>
  /** Extra node flags before the entry point (e.g. --cpu-prof). */
  nodeArgs: string[]
  keep: boolean
}

export async function startOurs(o: OursOptions): Promise<Started & { databaseUrl: string; build: string }> {
  const entry = join(o.root, 'dist', 'server.mjs')
  if (!existsSync(entry)) throw new Error(`${entry} does not exist: run \`npm run build\` first (or pass --target URL)`)
  // Which build ran: the bundle's hash and time (the tree changes while people work).
  const build = `dist/server.mjs sha256 ${createHash('sha256').update(readFileSync(entry)).digest('hex').slice(0, 12)}, built ${statSync(entry).mtime.toISOString()}`
  const dir = makeTempDir('bench-ours-', o.keep)
  const port = await freePort()
  const databaseUrl = o.databaseUrl ?? `pglite:${join(dir, 'db')}`
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    BIND_HOST: '127.0.0.1',
    DATA_DIR: join(dir, 'data'),
    DATABASE_URL: databaseUrl,
    ADMIN_USERNAME: o.adminUser,
    ADMIN_PASSWORD: o.adminPassword,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    NEXT_TELEMETRY_DISABLED: '1',
    ...o.extraEnv,
  }
  const logFile = join(dir, 'server.log')
  const fd = openSync(logFile, 'a')
  const child = spawn(process.execPath, [...o.nodeArgs, entry], { cwd: o.root, env: env as NodeJS.ProcessEnv, stdio: ['ignore', fd, fd] })
  closeSync(fd)
  const url = `http://127.0.0.1:${port}`
  const stop = () => stopChild(child, 15_000)
  onCleanup(stop)
  await waitReady('our server', `${url}/v2/`, [200, 401], child, logFile, 600_000)
  return { url, pid: child.pid!, dir, logFile, stop, databaseUrl, build }
}

// ---------------------------------------------------------------- PostgreSQL 15

const PG_BIN = '/usr/lib/postgresql/15/bin'

export interface Postgres {
  url: string
  dataDir: string
  log: string
  postmasterPid(): number | null
  stop(): Promise<void>
}

function asPostgres(cmd: string, args: string[]): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

/** initdb + pg_ctl start on a free loopback port (socket in /tmp) + createdb; stopped at cleanup. */
export async function startPostgres(keep: boolean, conf: string[] = []): Promise<Postgres> {
  const dir = makeTempDir('bench-pg-', keep)
  const pw = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'))
  if (!pw) throw new Error('no postgres user on this machine (apt-get install postgresql-15)')
  const [, , uid, gid] = pw.split(':')
  chownSync(dir, Number(uid), Number(gid))
  const dataDir = join(dir, 'data')
  const port = await freePort()
  asPostgres('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'])
  const log = join(dir, 'postgres.log')
  asPostgres('pg_ctl', ['-D', dataDir, '-l', log, '-w', '-t', '60', '-o', [`-p ${port} -k /tmp -c listen_addresses=127.0.0.1`, ...conf.map((c) => `-c ${c}`)].join(' '), 'start'])
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    try {
      asPostgres('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop'])
    } catch (e) {
      console.error('pg_ctl stop failed:', e instanceof Error ? e.message : e)
    }
  }
  onCleanup(stop)
  asPostgres('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'bench'])
  const postmasterPid = (): number | null => {
    try {
      return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || null
    } catch {
      return null
    }
  }
  return { url: `postgresql://postgres@127.0.0.1:${port}/bench`, dataDir, log, postmasterPid, stop }
}

// ---------------------------------------------------------------- /proc sampling

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

export function readRssKiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : null
  } catch {
    return null
  }
}

/** [ppid, utime+stime, cutime+cstime] in ticks. */
function readStat(pid: number): [number, number, number] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ')
    // f[0] is field 3 (state): ppid=f[1], utime=f[11], stime=f[12], cutime=f[13], cstime=f[14]
    return [Number(f[1]), Number(f[11]) + Number(f[12]), Number(f[13]) + Number(f[14])]
  } catch {
    return null
  }
}

/** CPU seconds used by a process tree: the root (with its reaped children) plus live descendants. */
export function treeCpuSeconds(root: number): number {
  const rootStat = readStat(root)
  if (!rootStat) return NaN
  let ticks = rootStat[1] + rootStat[2]
  const children = new Map<number, number[]>()
  const self = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const pid = Number(name)
    const st = readStat(pid)
    if (!st) continue
    self.set(pid, st[1])
    const list = children.get(st[0]) ?? []
    list.push(pid)
    children.set(st[0], list)
  }
  const stack = [...(children.get(root) ?? [])]
  while (stack.length) {
    const p = stack.pop()!
    ticks += self.get(p) ?? 0
    stack.push(...(children.get(p) ?? []))
  }
  return ticks / CLK_TCK
}

export interface WatchStats {
  rssStartMiB: number
  rssPeakMiB: number
  rssEndMiB: number
  /** RSS samples taken inside the window (every 100 ms, plus one at each end). */
  rssSamples: number
  /** CPU seconds of the server (process tree, plus PostgreSQL when it serves ours). */
  cpuSeconds: number
  /** The part of cpuSeconds spent by PostgreSQL (0 when it is not a separate process). */
  dbCpuSeconds: number
  wallSeconds: number
  /** CPU seconds of this harness process (the load generator). */
  clientCpuSeconds: number
  /** CPU seconds the whole machine was busy; minus server and client it is the noise from other processes. */
  machineCpuSeconds: number
  otherCpuSeconds: number
}

/** Busy (non-idle, non-iowait) seconds of all CPUs, from /proc/stat. */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]
    const f = line.trim().split(/\s+/).slice(1).map(Number)
    // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
    const busy = f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0)
    return busy / CLK_TCK
  } catch {
    return NaN
  }
}

/** Combines the windows of several timed iterations: sums of times, extremes of RSS. */
export function mergeStats(a: WatchStats | undefined, b: WatchStats | undefined): WatchStats | undefined {
  if (!a) return b
  if (!b) return a
  return {
    rssStartMiB: Math.min(a.rssStartMiB, b.rssStartMiB),
    rssPeakMiB: Math.max(a.rssPeakMiB, b.rssPeakMiB),
    rssEndMiB: b.rssEndMiB,
    rssSamples: a.rssSamples + b.rssSamples,
    cpuSeconds: a.cpuSeconds + b.cpuSeconds,
    dbCpuSeconds: a.dbCpuSeconds + b.dbCpuSeconds,
    wallSeconds: a.wallSeconds + b.wallSeconds,
    clientCpuSeconds: a.clientCpuSeconds + b.clientCpuSeconds,
    machineCpuSeconds: a.machineCpuSeconds + b.machineCpuSeconds,
    otherCpuSeconds: a.otherCpuSeconds + b.otherCpuSeconds,
  }
}

interface Window {
  label: string
  t0: number
  rss0: number
  cpu0: number[]
  client0: NodeJS.CpuUsage
  machine0: number
}

interface Watched {
  pid: number
  /** Roots whose process trees count towards CPU (the server, plus PostgreSQL when it serves it). */
  cpuRoots: () => number[]
  samples: Array<[number, number]>
}

/** Samples VmRSS of watched processes every 100 ms; windows give peak RSS and CPU seconds. */
export class Sampler {
  private readonly watched = new Map<string, Watched>()
  private timer: NodeJS.Timeout | null = null

  watch(label: string, pid: number, cpuRoots: () => number[] = () => [pid]): void {
    this.watched.set(label, { pid, cpuRoots, samples: [] })
  }

  has(label: string): boolean {
    return this.watched.has(label)
  }

  start(): void {
    this.timer = setInterval(() => this.sampleAll(), 100)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  private sampleAll(): void {
    const t = Date.now()
    for (const w of this.watched.values()) {
      const rss = readRssKiB(w.pid)
      if (rss !== null) {
        w.samples.push([t, rss])
        if (w.samples.length > 200_000) w.samples.splice(0, 100_000)
      }
    }
  }

  /** Starts a measurement window for `label`. */
  begin(label: string): Window | null {
    const w = this.watched.get(label)
    if (!w) return null
    this.sampleAll()
    const rss0 = readRssKiB(w.pid) ?? NaN
    const cpu0 = w.cpuRoots().map((p) => treeCpuSeconds(p))
    return { label, t0: Date.now(), rss0, cpu0, client0: process.cpuUsage(), machine0: machineBusySeconds() }
  }

  end(win: Window | null): WatchStats | undefined {
    if (!win) return undefined
    const w = this.watched.get(win.label)!
    this.sampleAll()
    const t1 = Date.now()
    let peak = win.rss0
    let n = 0
    for (const [t, rss] of w.samples) {
      if (t < win.t0 || t > t1) continue
      n++
      if (rss > peak) peak = rss
    }
    const rss1 = readRssKiB(w.pid) ?? NaN
    const cpu1 = w.cpuRoots().map((p) => treeCpuSeconds(p))
    const deltas = cpu1.map((c, i) => c - (win.cpu0[i] ?? c))
    const client = process.cpuUsage(win.client0)
    const clientCpuSeconds = (client.user + client.system) / 1e6
    const machineCpuSeconds = machineBusySeconds() - win.machine0
    const cpuSeconds = deltas.reduce((a, b) => a + b, 0)
    return {
      rssStartMiB: win.rss0 / 1024,
      rssPeakMiB: peak / 1024,
      rssEndMiB: rss1 / 1024,
      rssSamples: n,
      cpuSeconds,
      dbCpuSeconds: deltas.slice(1).reduce((a, b) => a + b, 0),
      wallSeconds: (t1 - win.t0) / 1000,
      clientCpuSeconds,
      machineCpuSeconds,
      otherCpuSeconds: Math.max(0, machineCpuSeconds - cpuSeconds - clientCpuSeconds),
    }
  }
}
