/**
 * Starts Debian's `docker-registry` (CNCF distribution 2.8) as a reference server with the same
 * `RunningServer` interface as `startRegistryServer()`, so a test can be validated against the
 * reference and a benchmark can run side by side (see /work/shared/REAL-CLIENTS.md §3).
 *
 * Deletes are enabled. With `auth: true` it uses htpasswd (bcrypt) Basic auth for
 * `adminUser`/`adminPassword`; otherwise it is open and those fields are still set.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { freePort, type RunningServer } from './registry-server'

export async function startReferenceRegistry(options: { dataDir?: string; port?: number; auth?: boolean } = {}): Promise<RunningServer> {
  const ownsDataDir = !options.dataDir
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'reference-registry-')))
  const port = options.port ?? (await freePort())
  const url = `http://127.0.0.1:${port}`
  const adminUser = 'admin'
  const adminPassword = `pw-${randomBytes(8).toString('hex')}`
  let authSection = ''
  if (options.auth) {
    const h = spawnSync('htpasswd', ['-Bbn', adminUser, adminPassword], { encoding: 'utf8' })
    if (h.status !== 0) throw new Error(`htpasswd failed: ${h.stderr}`)
    await writeFile(path.join(dataDir, 'htpasswd'), h.stdout)
    authSection = `auth:\n  htpasswd:\n    realm: basic-realm\n    path: ${path.join(dataDir, 'htpasswd')}\n`
  }
  const config = `version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${path.join(dataDir, 'storage')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
  secret: reference-secret
${authSection}`
  const configPath = path.join(dataDir, 'config.yml')
  await writeFile(configPath, config)

  // distribution maps REGISTRY_* variables onto its configuration; pass none of them.
  const env = {} as NodeJS.ProcessEnv
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('REGISTRY_') && v !== undefined) env[k] = v

  let log = ''
  let child: ChildProcess | undefined
  let exited: Promise<void> = Promise.resolve()

  const launch = async () => {
    const c = spawn('docker-registry', ['serve', configPath], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    child = c
    c.stdout!.on('data', (d) => (log += String(d)))
    c.stderr!.on('data', (d) => (log += String(d)))
    let gone = false
    exited = new Promise((resolve) =>
      c.on('exit', () => {
        gone = true
        if (child === c) child = undefined
        resolve()
      }),
    )
    const deadline = Date.now() + 30_000
    for (;;) {
      if (gone) throw new Error(`docker-registry exited early. Logs:\n${log}`)
      try {
        const r = await fetch(`${url}/v2/`)
        await r.arrayBuffer()
        if (r.status === 200 || r.status === 401) return
      } catch {
        /* not yet */
      }
      if (Date.now() > deadline) throw new Error(`docker-registry not ready. Logs:\n${log}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  const signalAndWait = async (signal: NodeJS.Signals) => {
    const c = child
    if (!c) return
    c.kill(signal)
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
  await launch()
  return {
    url,
    port,
    dataDir,
    databaseUrl: '',
    adminUser,
    adminPassword,
    stop: () => signalAndWait('SIGTERM'),
    kill: () => signalAndWait('SIGKILL'),
    restart: async () => {
      await signalAndWait('SIGTERM')
      await launch()
    },
    logs: () => log,
    dispose: async () => {
      await signalAndWait('SIGTERM')
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true })
    },
    pid: () => child?.pid,
  }
}
