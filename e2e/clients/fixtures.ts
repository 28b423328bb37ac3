/**
 * Fixtures for the real-client end-to-end tests (skopeo, podman, buildah, umoci, docker CLI).
 *
 * Everything a client would normally keep in host-wide places lives under one temp directory per
 * vitest run (see REAL-CLIENTS.md §2):
 *   - image store: a private containers-storage (overlay, or vfs when overlay does not work here),
 *     named by CONTAINERS_STORAGE_CONF; "fresh" stores are used for pulls so blobs are really fetched;
 *   - credentials: REGISTRY_AUTH_FILE (created as {"auths":{}}), DOCKER_CONFIG, and a private HOME
 *     (so ~/.docker/config.json and ~/.config/containers are never read);
 *   - podman engine state: CONTAINERS_CONF with tmp_dir inside the run and events_logger = "none";
 *   - the containers/image blob-info cache. As root it is hard-wired to
 *     /var/lib/containers/cache/blob-info-cache-v1.boltdb (no flag or variable moves it for skopeo,
 *     podman or buildah: verified, a storage conf / --root does not move it). So, as root, every
 *     client command runs in a private mount namespace with a per-environment directory bind-mounted
 *     over /var/lib/containers/cache (`unshare --mount`). A stale or shared cache makes clients mount
 *     or reuse blobs that the test expects to be uploaded; a private one makes the cross-repository
 *     mount test deterministic. Not root: containers/image uses $XDG_DATA_HOME/containers/cache,
 *     which we point into the environment.
 *
 * The run directory is shared by all test files of one vitest invocation (keyed by the vitest main
 * process), so the images are built once per run. It is removed when that process exits (a small
 * detached watcher), and stale run directories are swept at start. E2E_CLIENTS_KEEP=1 (or KEEP_TEST_DATA=1)
 * keeps it; E2E_CLIENTS_RUN_DIR=DIR uses (and reuses) DIR; E2E_STORAGE_DRIVER=vfs|overlay forces a driver.
 */
import { spawn, spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { isMainThread } from 'node:worker_threads'
import { registryUnderTest, type RegistryContext } from '../../tests/support/context'
import { gzipSync } from 'node:zlib'
import { MT as SUPPORT_MT, blobOf, descriptor, ociManifest, type Image, type RegistryResponse } from '../../tests/support/oci'

// ---------------------------------------------------------------------------------------------
// Registry under test
// ---------------------------------------------------------------------------------------------

export interface RegistryTarget extends RegistryContext {
  /** host:port as clients name it, e.g. 127.0.0.1:5000 */
  host: string
}

let target: RegistryTarget | undefined

/**
 * The registry under test, from tests/support/global-setup.ts (`inject('registry')`): ours, or the
 * one named by REGISTRY_URL. Repositories go under its `namespace` (TEST_NAMESPACE overrides).
 */
export function registry(): RegistryTarget {
  if (target) return target
  const ctx = registryUnderTest()
  const u = new URL(ctx.url)
  if (u.protocol !== 'http:') throw new Error(`e2e/clients expects a plain-http registry, got ${ctx.url}`)
  if (!ctx.user) throw new Error('e2e/clients needs credentials for pushes and deletes (REGISTRY_USER / REGISTRY_PASSWORD)')
  target = { ...ctx, host: u.host }
  return target
}

/** Does the registry let anonymous clients pull the repositories the tests push? */
export function anonymousPullExpected(): boolean {
  const v = process.env.E2E_ANONYMOUS_PULL
  if (v) return v === '1' || v === 'true'
  // Ours: tests that pull anonymously push into the seeded public project (publicRepo()).
  // Distribution with htpasswd (the reference) guards every request, so there it cannot hold;
  // E2E_ANONYMOUS_PULL=1 turns the check on for an external registry that allows it.
  return registry().flavour === 'ours'
}

// ---------------------------------------------------------------------------------------------
// Running commands
// ---------------------------------------------------------------------------------------------

export interface RunResult {
  code: number
  stdout: string
  stderr: string
  /** the command line, for messages */
  cmdline: string
  ms: number
}

export interface RunOptions {
  env?: ClientEnv
  /** extra environment variables (applied after the client environment) */
  extraEnv?: Record<string, string | undefined>
  input?: string
  cwd?: string
  timeoutMs?: number
  /** resolve instead of throwing on a non-zero exit */
  allowFailure?: boolean
}

const SECRET_FLAGS = new Set(['-p', '--password', '--creds', '--src-creds', '--dest-creds'])

function quote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`
}

function printable(cmd: string, args: string[]): string {
  const out: string[] = [cmd]
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (SECRET_FLAGS.has(a) && i + 1 < args.length) {
      out.push(a, '***')
      i++
    } else if (/^--(password|creds|src-creds|dest-creds)=/.test(a)) {
      out.push(a.replace(/=.*/, '=***'))
    } else out.push(quote(a))
  }
  return out.join(' ')
}

function tail(s: string, max = 12_000): string {
  return s.length <= max ? s : `…(${s.length - max} chars cut)…\n${s.slice(-max)}`
}

export class CommandError extends Error {
  constructor(readonly result: RunResult) {
    super(
      `command failed (exit ${result.code}, ${result.ms} ms): ${result.cmdline}\n` +
        `--- stdout ---\n${tail(result.stdout) || '(empty)'}\n--- stderr ---\n${tail(result.stderr) || '(empty)'}`,
    )
  }
}

const isRoot = typeof process.geteuid === 'function' && process.geteuid() === 0
const HOST_CACHE_DIR = '/var/lib/containers/cache'
let unshareOk: boolean | undefined

function canUnshare(): boolean {
  if (unshareOk !== undefined) return unshareOk
  if (!isRoot) return (unshareOk = false)
  fs.mkdirSync(HOST_CACHE_DIR, { recursive: true, mode: 0o700 })
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-unshare-'))
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount --bind "$0" "$1"', probe, HOST_CACHE_DIR])
  fs.rmSync(probe, { recursive: true, force: true })
  unshareOk = r.status === 0
  if (!unshareOk) {
    console.warn(
      `e2e/clients: cannot bind-mount a private blob-info cache (unshare: ${String(r.stderr).trim()}); ` +
        `clients will share ${HOST_CACHE_DIR}, so cross-repository mounts may be surprising`,
    )
  }
  return unshareOk
}

/** The command line that runs `cmd` with `cacheDir` mounted over the host-wide blob-info cache (as root). */
function withPrivateCache(cacheDir: string, cmd: string, args: string[]): [string, string[]] {
  if (!canUnshare()) return [cmd, args]
  return ['unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', `mount --bind "$0" ${HOST_CACHE_DIR} && exec "$@"`, cacheDir, cmd, ...args]]
}

/** Run a command; throws CommandError (with stdout and stderr) on a non-zero exit unless allowFailure. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const cmdline = printable(cmd, args)
  const [file, argv] = opts.env ? withPrivateCache(opts.env.cacheDir, cmd, args) : [cmd, args]
  const env: NodeJS.ProcessEnv = { ...process.env, ...(opts.env?.vars ?? {}), ...(opts.extraEnv ?? {}) }
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k]
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    const timeoutMs = opts.timeoutMs ?? 300_000
    const timer = setTimeout(() => {
      err.push(Buffer.from(`\n[e2e] killed after ${timeoutMs} ms\n`))
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(new Error(`cannot start ${cmdline}: ${e.message}`))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const result: RunResult = {
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        cmdline,
        ms: Date.now() - started,
      }
      if (result.code !== 0 && !opts.allowFailure) reject(new CommandError(result))
      else resolve(result)
    })
    child.stdin.end(opts.input ?? '')
  })
}

/** Run a command that is expected to fail; throws if it succeeds. */
export async function runExpectingFailure(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(cmd, args, { ...opts, allowFailure: true })
  if (r.code === 0) {
    throw new Error(`expected a failure but the command succeeded: ${r.cmdline}\n--- stdout ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`)
  }
  return r
}

// ---------------------------------------------------------------------------------------------
// Run directory (shared by the test files of one vitest invocation) and client environments
// ---------------------------------------------------------------------------------------------

const RUN_PREFIX = 'e2e-clients-'

function procStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] // field 22: starttime
  } catch {
    return undefined
  }
}

let runDirCache: string | undefined

/** The vitest main process: forks pool → our parent; threads pool → our own process. */
function ownerPid(): number {
  return isMainThread ? process.ppid : process.pid
}

export function runDir(): string {
  if (runDirCache) return runDirCache
  if (process.env.E2E_CLIENTS_RUN_DIR) {
    runDirCache = path.resolve(process.env.E2E_CLIENTS_RUN_DIR)
    fs.mkdirSync(runDirCache, { recursive: true })
    return runDirCache
  }
  const pid = ownerPid()
  const start = procStart(pid) ?? '0'
  const dir = path.join(os.tmpdir(), `${RUN_PREFIX}${pid}-${start}`)
  sweepStaleRunDirs(dir)
  try {
    fs.mkdirSync(dir, { mode: 0o700 })
    if (keepClientState()) {
      fs.writeFileSync(path.join(dir, '.keep'), '')
      process.stderr.write(`e2e/clients: client state (image stores, auth files, caches) kept in ${dir}\n`)
    } else {
      // Remove the run directory once the vitest process that owns it has exited.
      const watcher = spawn('sh', ['-c', 'while kill -0 "$0" 2>/dev/null; do sleep 2; done; rm -rf -- "$1"', String(pid), dir], { detached: true, stdio: 'ignore' })
      watcher.unref()
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
  }
  runDirCache = dir
  return dir
}

function keepClientState(): boolean {
  return process.env.E2E_CLIENTS_KEEP === '1' || process.env.KEEP_TEST_DATA === '1'
}

function sweepStaleRunDirs(current: string): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith(RUN_PREFIX)) continue
    const full = path.join(os.tmpdir(), name)
    if (full === current) continue
    const m = /^e2e-clients-(\d+)-(\d+)$/.exec(name)
    if (!m) continue
    if (procStart(Number(m[1])) === m[2]) continue // its vitest is still running
    if (fs.existsSync(path.join(full, '.keep'))) continue // kept on purpose (E2E_CLIENTS_KEEP)
    fs.rmSync(full, { recursive: true, force: true })
  }
}

/** A short id for this run, used in repository names and baked into image content. */
export function runId(): string {
  const f = path.join(runDir(), 'run-id')
  try {
    return fs.readFileSync(f, 'utf8').trim()
  } catch {
    const id = `r${Date.now().toString(36)}${randomBytes(2).toString('hex')}`
    try {
      fs.writeFileSync(f, id, { flag: 'wx' })
      return id
    } catch {
      return fs.readFileSync(f, 'utf8').trim()
    }
  }
}

export interface ClientEnv {
  dir: string
  storageConf: string
  authFile: string
  dockerConfig: string
  cacheDir: string
  /** variables given to every client process */
  vars: Record<string, string | undefined>
}

let storageDriver: 'overlay' | 'vfs' | undefined

function writeStorageConf(file: string, root: string, driver: string): void {
  fs.writeFileSync(file, `[storage]\ndriver = "${driver}"\ngraphroot = "${root}/storage"\nrunroot = "${root}/runroot"\n`)
}

export interface EnvOptions {
  /** use this environment's image store instead of a new one (the shared build store by default: none) */
  storageFrom?: ClientEnv
  /** use this environment's blob-info cache instead of a new empty one */
  cacheFrom?: ClientEnv
}

/**
 * A client environment under the run directory. By default it has its own empty image store,
 * empty blob-info cache, empty credentials. `name` must be unique within the run.
 */
export function clientEnv(name: string, opts: EnvOptions = {}): ClientEnv {
  const dir = path.join(runDir(), 'env', name)
  fs.mkdirSync(dir, { recursive: true })
  const storageConf = opts.storageFrom?.storageConf ?? path.join(dir, 'storage.conf')
  if (!opts.storageFrom && !fs.existsSync(storageConf)) writeStorageConf(storageConf, dir, detectStorageDriver())
  const cacheDir = opts.cacheFrom?.cacheDir ?? path.join(dir, 'cache')
  const authFile = path.join(dir, 'auth.json')
  const dockerConfig = path.join(dir, 'docker')
  const home = path.join(dir, 'home')
  const podmanTmp = path.join(path.dirname(storageConf), 'podman-tmp')
  for (const d of [cacheDir, dockerConfig, home, podmanTmp]) fs.mkdirSync(d, { recursive: true })
  if (!fs.existsSync(authFile)) fs.writeFileSync(authFile, '{"auths":{}}\n')
  const containersConf = path.join(dir, 'containers.conf')
  fs.writeFileSync(containersConf, `[engine]\nevents_logger = "none"\ntmp_dir = "${podmanTmp}"\n`)
  return {
    dir,
    storageConf,
    authFile,
    dockerConfig,
    cacheDir,
    vars: {
      CONTAINERS_STORAGE_CONF: storageConf,
      CONTAINERS_CONF: containersConf,
      REGISTRY_AUTH_FILE: authFile,
      DOCKER_CONFIG: dockerConfig,
      HOME: home,
      XDG_DATA_HOME: path.join(dir, 'xdg-data'), // the blob-info cache location when not root
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_RUNTIME_DIR: undefined,
      CONTAINERS_REGISTRIES_CONF: undefined,
      TMPDIR: undefined,
    },
  }
}

/** overlay when it works here (it needs a non-overlay backing filesystem), vfs otherwise; E2E_STORAGE_DRIVER overrides. */
export function detectStorageDriver(): 'overlay' | 'vfs' {
  if (storageDriver) return storageDriver
  const forced = process.env.E2E_STORAGE_DRIVER
  if (forced === 'overlay' || forced === 'vfs') return (storageDriver = forced)
  const marker = path.join(runDir(), 'storage-driver')
  if (fs.existsSync(marker)) return (storageDriver = fs.readFileSync(marker, 'utf8').trim() as 'overlay' | 'vfs')
  const probe = path.join(runDir(), 'probe-overlay')
  fs.mkdirSync(probe, { recursive: true })
  writeStorageConf(path.join(probe, 'storage.conf'), probe, 'overlay')
  fs.writeFileSync(path.join(probe, 'f'), 'probe\n')
  fs.mkdirSync(path.join(probe, 'cache'))
  const script = 'set -e; c=$(buildah from scratch); buildah copy -q "$c" f /f >/dev/null; buildah rm "$c" >/dev/null'
  const [file, argv] = withPrivateCache(path.join(probe, 'cache'), 'sh', ['-c', script])
  const r = spawnSync(file, argv, {
    cwd: probe,
    env: { ...process.env, CONTAINERS_STORAGE_CONF: path.join(probe, 'storage.conf'), XDG_DATA_HOME: probe },
  })
  storageDriver = r.status === 0 ? 'overlay' : 'vfs'
  if (storageDriver === 'vfs') console.warn(`e2e/clients: overlay storage does not work here, using vfs: ${String(r.stderr).trim()}`)
  spawnSync('rm', ['-rf', probe])
  fs.writeFileSync(marker, storageDriver)
  return storageDriver
}

// ---------------------------------------------------------------------------------------------
// Client helpers
// ---------------------------------------------------------------------------------------------

export const NO_TLS = '--tls-verify=false'
export const COPY_NO_TLS = ['--src-tls-verify=false', '--dest-tls-verify=false']

/** `<namespace>/<runId>-<name>`: unique per run, inside the user's namespace. */
export function repo(name: string): string {
  return `${registry().namespace}/${runId()}-${name}`
}

/**
 * `<public project>/<runId>-<name>` for anonymous pulls: ours seeds a public project
 * (tests/support/accounts.ts); elsewhere the user's namespace, with E2E_ANONYMOUS_PULL deciding.
 */
export function publicRepo(name: string): string {
  const project = registry().accounts?.publicProject ?? registry().namespace
  return `${project}/${runId()}-${name}`
}

/** docker://HOST/<repo>:<tag or @digest> */
export function dockerRef(repository: string, ref = 'v1'): string {
  return `docker://${registry().host}/${repository}${ref.startsWith('sha256:') ? '@' : ':'}${ref}`
}

/** HOST/<repo>:<tag> (podman, docker CLI) */
export function hostRef(repository: string, ref = 'v1'): string {
  return `${registry().host}/${repository}${ref.startsWith('sha256:') ? '@' : ':'}${ref}`
}

export async function login(env: ClientEnv): Promise<void> {
  const r = registry()
  await run('skopeo', ['login', NO_TLS, '-u', r.user, '-p', r.password, r.host], { env })
  const auths = JSON.parse(fs.readFileSync(env.authFile, 'utf8')).auths ?? {}
  if (!auths[r.host]) throw new Error(`skopeo login succeeded but ${env.authFile} has no entry for ${r.host}`)
}

export async function dockerLogin(env: ClientEnv): Promise<void> {
  const r = registry()
  await run('docker', ['login', '-u', r.user, '--password-stdin', r.host], { env, input: r.password })
}

/** A temp file path inside the environment. */
export function tmpPath(env: ClientEnv, name: string): string {
  const d = path.join(env.dir, 'tmp')
  fs.mkdirSync(d, { recursive: true })
  return path.join(d, name)
}

export function readDigestFile(file: string): string {
  const d = fs.readFileSync(file, 'utf8').trim()
  if (!/^sha256:[0-9a-f]{64}$/.test(d)) throw new Error(`digest file ${file} does not hold a digest: ${JSON.stringify(d)}`)
  return d
}

export async function inspectDigest(env: ClientEnv, ref: string): Promise<string> {
  const r = await run('skopeo', ['inspect', NO_TLS, '--format', '{{.Digest}}', ref], { env })
  return r.stdout.trim()
}

export async function inspectRaw(env: ClientEnv, ref: string): Promise<{ bytes: Buffer; json: any }> {
  const r = await run('skopeo', ['inspect', NO_TLS, '--raw', ref], { env })
  const bytes = Buffer.from(r.stdout, 'utf8')
  return { bytes, json: JSON.parse(r.stdout) }
}

export async function listTags(env: ClientEnv, repository: string): Promise<string[]> {
  const r = await run('skopeo', ['list-tags', NO_TLS, `docker://${registry().host}/${repository}`], { env })
  const j = JSON.parse(r.stdout)
  return [...(j.Tags ?? [])].sort()
}

export function sha256(b: Buffer | string): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`
}

/** The single manifest digest an OCI layout's index.json names for a tag (or its only entry). */
export function ociLayoutDigest(layout: string, tag?: string): { digest: string; mediaType: string } {
  const idx = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8'))
  const ms = (idx.manifests ?? []) as any[]
  const found = tag ? ms.filter((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag) : ms
  if (found.length !== 1) throw new Error(`${layout}/index.json: expected one manifest${tag ? ` tagged ${tag}` : ''}, got ${JSON.stringify(idx)}`)
  return { digest: found[0].digest, mediaType: found[0].mediaType }
}

/** Read a blob of an OCI layout and check that its bytes hash to its name. */
export function ociLayoutBlob(layout: string, digest: string): Buffer {
  const b = fs.readFileSync(path.join(layout, 'blobs', ...digest.split(':')))
  const actual = sha256(b)
  if (actual !== digest) throw new Error(`${layout}: blob ${digest} hashes to ${actual}`)
  return b
}

// ---------------------------------------------------------------------------------------------
// Plain HTTP against the registry (Basic or Bearer, whatever the registry challenges with)
// ---------------------------------------------------------------------------------------------

export const MT = SUPPORT_MT

/**
 * GET a manifest over plain HTTP with the configured credentials (Basic, or a Bearer token when
 * the registry challenges with one), through tests/support's RegistryClient.
 */
export function getManifest(repository: string, ref: string, accept: string): Promise<RegistryResponse> {
  return registry().client().get(`/v2/${repository}/manifests/${ref}`, { headers: { accept } })
}

// ---------------------------------------------------------------------------------------------
// Test images (built once per run into the shared build store)
// ---------------------------------------------------------------------------------------------

export interface LocalImage {
  /** containers-storage name, e.g. localhost/e2e/ten:v1 */
  ref: string
  layers: number
  arch: string
  /** uncompressed layer digests (config rootfs.diff_ids), to compare with what a pull produced */
  diffIds: string[]
}

export interface TestImages {
  nonce: string
  one: LocalImage
  three: LocalImage
  ten: LocalImage
  big: LocalImage
  armone: LocalImage
  /** a manifest list in the build store: one (amd64) + armone (arm64) */
  multi: { ref: string; archs: string[] }
  /** an OCI image layout made with umoci: two layers, tag v1 */
  umoci: { layout: string; tag: string; digest: string; layers: number }
}

let buildEnvCache: ClientEnv | undefined

/** The environment holding the shared build store. Use `clientEnv(name, { storageFrom: buildEnv() })` to push from it. */
export function buildEnv(): ClientEnv {
  return (buildEnvCache ??= clientEnv('build'))
}

const BUILD_SCRIPT = String.raw`
set -eu
mkimg() { name=$1; n=$2; arch=$3; img=scratch
  for i in $(seq 1 "$n"); do
    c=$(buildah from "$img")
    printf '%s layer %s of %s %s\n' "$name" "$i" "$n" "$NONCE" > "f$i"
    buildah copy -q "$c" "f$i" "/$name/f$i" >/dev/null
    buildah config --os linux --arch "$arch" --cmd '["/app"]' --env A=1 --label e2e=clients "$c"
    buildah commit -q --rm "$c" "localhost/e2e/$name:v1" >/dev/null
    img="localhost/e2e/$name:v1"
  done; }
mkimg one 1 amd64
mkimg three 3 amd64
mkimg ten 10 amd64
mkimg armone 1 arm64
head -c 64M /dev/urandom > big.bin
c=$(buildah from scratch)
buildah copy -q "$c" big.bin /big.bin >/dev/null
buildah config --os linux --arch amd64 --cmd '["/app"]' "$c"
buildah commit -q --rm "$c" localhost/e2e/big:v1 >/dev/null
rm -f big.bin
buildah manifest create localhost/e2e/multi:v1 >/dev/null
buildah manifest add localhost/e2e/multi:v1 containers-storage:localhost/e2e/one:v1 >/dev/null
buildah manifest add localhost/e2e/multi:v1 containers-storage:localhost/e2e/armone:v1 >/dev/null
printf 'umoci one %s\n' "$NONCE" > u1; printf 'umoci two %s\n' "$NONCE" > u2
umoci init --layout oci-umoci
umoci new --image oci-umoci:v1
umoci insert --image oci-umoci:v1 u1 /etc/u1
umoci insert --image oci-umoci:v1 u2 /etc/u2
umoci config --image oci-umoci:v1 --os linux --architecture amd64 --config.cmd /app
`

/** Build the test images once per run (a lock serialises concurrent test files). */
export async function images(): Promise<TestImages> {
  const dir = path.join(runDir(), 'images')
  const done = path.join(dir, 'images.json')
  const lock = path.join(runDir(), 'images.lock')
  const deadline = Date.now() + 300_000
  for (;;) {
    if (fs.existsSync(done)) return JSON.parse(fs.readFileSync(done, 'utf8')) as TestImages
    try {
      fs.mkdirSync(lock)
      break
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`)
      await new Promise((r) => setTimeout(r, 500))
    }
  }
  try {
    if (fs.existsSync(done)) return JSON.parse(fs.readFileSync(done, 'utf8')) as TestImages
    fs.mkdirSync(dir, { recursive: true })
    const env = buildEnv()
    const nonce = `${runId()}-${randomBytes(8).toString('hex')}`
    await run('bash', ['-c', BUILD_SCRIPT], { env, cwd: dir, extraEnv: { NONCE: nonce }, timeoutMs: 240_000 })
    const local = async (name: string, layers: number, arch: string): Promise<LocalImage> => {
      const ref = `localhost/e2e/${name}:v1`
      const r = await run('podman', ['image', 'inspect', ref], { env })
      const info = JSON.parse(r.stdout)[0]
      const diffIds = info.RootFS?.Layers as string[]
      if (diffIds?.length !== layers || info.Architecture !== arch) {
        throw new Error(`built ${ref} has ${diffIds?.length} layers / ${info.Architecture}, wanted ${layers} / ${arch}`)
      }
      return { ref, layers, arch, diffIds }
    }
    const layout = path.join(dir, 'oci-umoci')
    const umociDigest = ociLayoutDigest(layout, 'v1').digest
    const umociManifest = JSON.parse(ociLayoutBlob(layout, umociDigest).toString('utf8'))
    const result: TestImages = {
      nonce,
      one: await local('one', 1, 'amd64'),
      three: await local('three', 3, 'amd64'),
      ten: await local('ten', 10, 'amd64'),
      big: await local('big', 1, 'amd64'),
      armone: await local('armone', 1, 'arm64'),
      multi: { ref: 'localhost/e2e/multi:v1', archs: ['amd64', 'arm64'] },
      umoci: { layout, tag: 'v1', digest: umociDigest, layers: umociManifest.layers.length },
    }
    fs.writeFileSync(done, JSON.stringify(result, null, 2))
    return result
  } finally {
    fs.rmSync(lock, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------
// Assertions shared by several files
// ---------------------------------------------------------------------------------------------

/**
 * The digest a client reported after pushing (--digestfile) must be what `skopeo inspect` says,
 * what the registry sends as Docker-Content-Digest for a GET with the manifest's own media type,
 * and the sha256 of that GET's body; the Content-Type must be that media type. Also GET by digest
 * returns the same bytes. Returns the manifest.
 */
export async function expectDigestRoundTrip(env: ClientEnv, repository: string, tag: string, pushedDigest: string, mediaType: string): Promise<any> {
  const problems: string[] = []
  const inspected = await inspectDigest(env, dockerRef(repository, tag))
  if (inspected !== pushedDigest) problems.push(`skopeo inspect {{.Digest}} = ${inspected}, pushed digest = ${pushedDigest}`)
  const res = await getManifest(repository, tag, mediaType)
  if (res.status !== 200) {
    throw new Error(`manifest GET with Accept: ${mediaType} failed: ${res.describe()}`)
  }
  const dcd = res.headers.get('docker-content-digest')
  const bodyDigest = sha256(res.body)
  const ct = (res.headers.get('content-type') ?? '').split(';')[0].trim()
  if (dcd !== pushedDigest) problems.push(`Docker-Content-Digest = ${dcd}, pushed digest = ${pushedDigest}`)
  if (bodyDigest !== pushedDigest) problems.push(`sha256(GET body) = ${bodyDigest}, pushed digest = ${pushedDigest}`)
  if (ct !== mediaType) problems.push(`Content-Type = ${res.headers.get('content-type')}, expected ${mediaType}`)
  const json = JSON.parse(res.body.toString('utf8'))
  if (json.mediaType !== undefined && json.mediaType !== mediaType) problems.push(`manifest mediaType = ${json.mediaType}, expected ${mediaType}`)
  const byDigest = await getManifest(repository, pushedDigest, mediaType)
  if (byDigest.status !== 200 || !byDigest.body.equals(res.body)) {
    problems.push(`GET by digest → ${byDigest.status}, ${byDigest.body.equals(res.body) ? 'same' : 'different'} bytes than GET by tag`)
  }
  if (problems.length) throw new Error(`digest round trip of ${hostRef(repository, tag)}:\n  ${problems.join('\n  ')}`)
  return json
}

/**
 * From a containers/image debug log (`skopeo --debug`, `podman --log-level=debug`): every blob in
 * `digests` went through a real upload (POST /v2/<repo>/blobs/uploads/, PATCH, PUT ?digest=), i.e.
 * the client logged "Upload of layer <digest> complete"; not skipped as already present, not mounted.
 */
export function expectUploaded(debugLog: string, digests: string[], repository: string): void {
  const done = new Set([...debugLog.matchAll(/Upload of layer (sha256:[0-9a-f]{64}) complete/g)].map((m) => m[1]))
  const started = (debugLog.match(new RegExp(`Uploading /v2/${repository.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/blobs/uploads/`, 'g')) ?? []).length
  const missing = digests.filter((d) => !done.has(d))
  if (missing.length || started < digests.length) {
    const lines = debugLog
      .split('\n')
      .filter((l) => /Upload|PATCH|PUT|POST|HEAD|mount|exists/.test(l))
      .join('\n')
    throw new Error(
      `expected ${digests.length} blob upload(s) to ${repository} (POST, PATCH, PUT), saw ${started} started; ` +
        `not uploaded: ${missing.join(', ') || 'none'}. Client debug lines:\n${tail(lines, 6000)}`,
    )
  }
}

/** Read a small JSON file. */
export function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

/** A one-file image dockerd can unpack: a real gzipped tar layer and its diff_id in the config. */
export function tinyImage(dir: string, text: string): Image {
  fs.writeFileSync(path.join(dir, 'hello.txt'), text)
  const tar = spawnSync('tar', ['--numeric-owner', '-C', dir, '-cf', '-', 'hello.txt'])
  if (tar.status !== 0) throw new Error(`tar failed: ${String(tar.stderr)}`)
  const layer = blobOf(gzipSync(tar.stdout))
  const config = blobOf(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/hello.txt'] }, rootfs: { type: 'layers', diff_ids: [blobOf(tar.stdout).digest] } }))
  const manifest = ociManifest({ config: descriptor(SUPPORT_MT.ociConfig, config), layers: [descriptor(SUPPORT_MT.ociLayerGzip, layer)] })
  return { config, layers: [layer], blobs: [config, layer], manifest }
}
