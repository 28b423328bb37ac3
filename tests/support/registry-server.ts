/**
 * Starts the production build of this registry (`node dist/server.mjs`) as a child process, for
 * integration and real-client tests.
 *
 *   const server = await startRegistryServer()            // PGlite under a fresh temp data dir
 *   const server = await startRegistryServer({ databaseUrl: (await createTestDatabase()).url })
 *   ... server.url, server.adminUser, server.adminPassword ...
 *   await server.kill(); await server.restart()            // crash and come back on the same data
 *   await server.stop()
 *
 * If `dist/server.mjs` or `.next/BUILD_ID` is missing or older than any source (scripts/build-freshness.mjs),
 * `npm run build` runs once first (per process), so a test never runs against a stale build.
 * The server is ready when `GET /v2/` answers 200 or 401; on timeout (90 s) or an early exit the
 * error carries the captured logs.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildState } from '../../scripts/build-freshness.mjs'

/** The project root (the directory holding package.json and dist/). */
export const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface StartOptions {
  /** Data directory (blobs, PGlite). Default: a fresh temp dir, removed by `dispose()`. */
  dataDir?: string
  /** Database URL. Default: `pglite:<dataDir>/db`. */
  databaseUrl?: string
  /** Extra or overriding environment variables. */
  env?: Record<string, string>
  /** Port to listen on. Default: a free loopback port (kept across restarts). */
  port?: number
  /** Readiness timeout in ms. Default 90 000. */
  readyTimeoutMs?: number
  /** Runs once before the first start, e.g. to seed the database (PGlite cannot be shared with the running server). */
  prepare?: (server: { dataDir: string; databaseUrl: string; adminUser: string; adminPassword: string }) => Promise<void>
}

export interface RunningServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string
  port: number
  dataDir: string
  databaseUrl: string
  adminUser: string
  adminPassword: string
  /** SIGTERM, then wait for the process to exit (SIGKILL after 20 s). */
  stop(): Promise<void>
  /** SIGKILL, then wait for the process to exit. */
  kill(): Promise<void>
  /** Stops the process if it still runs (SIGTERM) and starts it again on the same port, data dir and database. */
  restart(): Promise<void>
  /** stdout and stderr captured so far (all runs of this server, most recent last). */
  logs(): string
  /** Stops the server and removes the data dir if this module created it. */
  dispose(): Promise<void>
  /** The current child's pid, or undefined when it is not running. */
  pid(): number | undefined
}

let buildPromise: Promise<void> | undefined

const isBuilt = () => buildState(APP_DIR) === 'fresh'

/**
 * Runs `npm run build` once per process when the production build is missing or stale. When another
 * `next build` is already running (a developer rebuilding), waits up to 10 minutes for it instead.
 */
export function ensureBuilt(): Promise<void> {
  if (isBuilt()) return Promise.resolve()
  buildPromise ??= runBuild().catch(async (err: Error) => {
    if (!/Another next build process is already running/.test(err.message)) throw err
    const deadline = Date.now() + 600_000
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2000))
      if (isBuilt()) {
        await new Promise((r) => setTimeout(r, 3000)) // let the other build finish writing dist/
        if (isBuilt()) return
      }
    }
    throw err
  })
  return buildPromise
}

function runBuild(): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const out: string[] = []
    const child = spawn('npm', ['run', 'build'], {
      cwd: APP_DIR,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout.on('data', (d) => out.push(String(d)))
    child.stderr.on('data', (d) => out.push(String(d)))
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code === 0) resolve()
      else reject(new Error(`npm run build failed (exit ${code}):\n${out.join('').slice(-20000)}`))
    })
  })
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

const MAX_LOG = 2 * 1024 * 1024

export async function startRegistryServer(options: StartOptions = {}): Promise<RunningServer> {
  await ensureBuilt()
  const ownsDataDir = !options.dataDir
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'registry-test-')))
  const databaseUrl = options.databaseUrl ?? `pglite:${path.join(dataDir, 'db')}`
  const port = options.port ?? (await freePort())
  const url = `http://127.0.0.1:${port}`
  const adminUser = 'admin'
  const adminPassword = options.env?.ADMIN_PASSWORD ?? `pw-${randomBytes(12).toString('hex')}`
  const readyTimeoutMs = options.readyTimeoutMs ?? 90_000

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    BIND_HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    ADMIN_USERNAME: adminUser,
    ADMIN_PASSWORD: adminPassword,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    NEXTAUTH_SECRET: 'test-secret-for-the-registry-test-suite-0123456789',
    NEXTAUTH_URL: url,
    PUBLIC_URL: url,
    NEXT_TELEMETRY_DISABLED: '1',
    // Every test client shares 127.0.0.1; the suites' deliberate wrong passwords must not block the address.
    LOGIN_FAILURES_PER_ADDRESS: '100000',
    // Webhook receivers in the tests listen on 127.0.0.1; retries are fast so the whole backoff fits in a test.
    WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
    WEBHOOK_MAX_ATTEMPTS: '8',
    WEBHOOK_RETRY_BASE: '100ms',
    WEBHOOK_RETRY_MAX: '800ms',
    WEBHOOK_TIMEOUT: '2s',
    // stop() waits 20 s before SIGKILL: a request a test left stalled must not hold the shutdown that long.
    SHUTDOWN_TIMEOUT: '5s',
    ...(options.env ?? {}),
  }
  // Variables of the surrounding test run that would point the server elsewhere.
  delete env.REGISTRY_URL
  delete env.NODE_OPTIONS
  delete env.VITEST
  delete env.VITEST_WORKER_ID
  delete env.VITEST_POOL_ID
  delete env.TEST

  let log = ''
  const append = (s: string) => {
    log += s
    if (log.length > MAX_LOG) log = log.slice(log.length - MAX_LOG)
  }
  let child: ChildProcess | undefined
  let exited: Promise<void> = Promise.resolve()
  let run = 0

  const launch = async () => {
    run += 1
    append(`\n----- start #${run} (port ${port}) -----\n`)
    const c = spawn(process.execPath, ['dist/server.mjs'], { cwd: APP_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] })
    child = c
    c.stdout!.on('data', (d) => append(String(d)))
    c.stderr!.on('data', (d) => append(String(d)))
    let exitInfo: string | undefined
    exited = new Promise<void>((resolve) => {
      c.on('exit', (code, signal) => {
        exitInfo = `exit code ${code}, signal ${signal}`
        append(`\n----- exited: ${exitInfo} -----\n`)
        if (child === c) child = undefined
        resolve()
      })
    })
    const deadline = Date.now() + readyTimeoutMs
    for (;;) {
      if (exitInfo) throw new Error(`registry server exited before it was ready (${exitInfo}). Logs:\n${log}`)
      try {
        const r = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(5000) })
        await r.arrayBuffer()
        if (r.status === 200 || r.status === 401) return
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        c.kill('SIGKILL')
        await exited
        throw new Error(`registry server not ready after ${readyTimeoutMs} ms (GET ${url}/v2/). Logs:\n${log}`)
      }
      await new Promise((r) => setTimeout(r, 250))
    }
  }

  const signalAndWait = async (signal: NodeJS.Signals, graceMs: number) => {
    const c = child
    if (!c) return
    c.kill(signal)
    const timer = setTimeout(() => c.kill('SIGKILL'), graceMs)
    await exited
    clearTimeout(timer)
  }

  if (options.prepare) await options.prepare({ dataDir, databaseUrl, adminUser, adminPassword })
  await launch()

  const server: RunningServer = {
    url,
    port,
    dataDir,
    databaseUrl,
    adminUser,
    adminPassword,
    stop: () => signalAndWait('SIGTERM', 20_000),
    kill: () => signalAndWait('SIGKILL', 5_000),
    restart: async () => {
      await signalAndWait('SIGTERM', 20_000)
      await launch()
    },
    logs: () => log,
    dispose: async () => {
      await signalAndWait('SIGTERM', 20_000)
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true })
    },
    pid: () => child?.pid,
  }
  return server
}
