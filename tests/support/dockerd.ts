/**
 * dockerd from Debian's docker.io, started by a test with state of its own: data root, exec root,
 * socket and pid file in one temp directory, the containerd it manages under its exec root, its own
 * containerd namespace, `vfs` storage, and no bridge, iptables or forwarding changes to the host.
 * `daemon.json` names the registry under test in `insecure-registries` (and `registry-mirrors` when
 * asked), which is how dockerd is pointed at a plain-http registry. dockerd needs root.
 *
 *   const daemon = await startDockerd({ insecureRegistries: ['127.0.0.1:5000'] })
 *   await run('docker', ['search', '127.0.0.1:5000/term'], { extraEnv: daemon.env })
 *   await daemon.stop()
 */
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as path from 'node:path'

export interface DockerdOptions {
  insecureRegistries?: string[]
  registryMirrors?: string[]
  /** How long to wait for the API socket (default 60 s; the first start creates the data root). */
  startTimeoutMs?: number
}

export interface Dockerd {
  /** `DOCKER_HOST=unix://…` for the docker CLI. */
  env: { DOCKER_HOST: string }
  dir: string
  /** dockerd's own log (its containerd's included). */
  logs(): string
  /** SIGTERM (dockerd stops its containerd), SIGKILL after 20 s; removes the directory. */
  stop(): Promise<void>
}

/** Why dockerd cannot run here, or undefined when it can be tried. */
export function dockerdUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'dockerd needs root'
  const found = (process.env.PATH ?? '').split(':').some((dir) => dir && fs.existsSync(path.join(dir, 'dockerd')))
  return found ? undefined : 'dockerd is not installed (apt-get install docker.io)'
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: 2_000 }, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('error', () => resolve(false))
    req.on('timeout', () => req.destroy())
  })
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

export async function startDockerd(options: DockerdOptions = {}): Promise<Dockerd> {
  const unavailable = dockerdUnavailable()
  if (unavailable) throw new Error(unavailable)
  // Short: containerd's socket lives under the exec root, and a unix socket path has at most 107 bytes.
  const dir = fs.mkdtempSync('/tmp/dkd-')
  const socket = path.join(dir, 'docker.sock')
  const config = path.join(dir, 'daemon.json')
  fs.writeFileSync(
    config,
    JSON.stringify({
      'storage-driver': 'vfs',
      'insecure-registries': options.insecureRegistries ?? [],
      'registry-mirrors': (options.registryMirrors ?? []).map((m) => (/^https?:\/\//.test(m) ? m : `http://${m}`)),
    }),
  )
  const logFile = path.join(dir, 'dockerd.log')
  const log = fs.openSync(logFile, 'a')
  const args = [
    '--config-file',
    config,
    '--data-root',
    path.join(dir, 'data'),
    '--exec-root',
    path.join(dir, 'exec'),
    '--pidfile',
    path.join(dir, 'dockerd.pid'),
    '--host',
    `unix://${socket}`,
    '--containerd-namespace',
    `test-${path.basename(dir)}`,
    '--containerd-plugins-namespace',
    `test-${path.basename(dir)}-plugins`,
    '--bridge',
    'none',
    '--iptables=false',
    '--ip6tables=false',
    '--ip-forward=false',
    '--ip-masq=false',
  ]
  const child = spawn('dockerd', args, { stdio: ['ignore', log, log] })
  fs.closeSync(log)
  // A test run that ends without stop() (a crash, ^C) must not leave a daemon behind.
  const stopOnExit = () => child.kill('SIGTERM')
  process.once('exit', stopOnExit)
  const logs = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '')

  const stop = async () => {
    process.off('exit', stopOnExit)
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      if (!(await exited(child, 20_000))) {
        child.kill('SIGKILL')
        await exited(child, 5_000)
      }
    }
    if (process.env.KEEP_TEST_DATA !== '1') fs.rmSync(dir, { recursive: true, force: true })
  }

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000)
  while (!(await ping(socket))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      const why = child.exitCode !== null || child.signalCode !== null ? `exited (${child.exitCode ?? child.signalCode})` : 'did not answer on its socket in time'
      const tail = logs().split('\n').slice(-30).join('\n')
      await stop()
      throw new Error(`dockerd ${why}; last log lines:\n${tail}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return { env: { DOCKER_HOST: `unix://${socket}` }, dir, logs, stop }
}
