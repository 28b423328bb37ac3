/**
 * A one-node Ceph cluster with its RADOS Gateway (S3) on loopback, for the tests of the S3 blob
 * store: `scripts/ceph-s3.sh` in a temporary folder, on random ports (monitor, storage daemon,
 * gateway) so that several test files, or engineers, cannot collide. Start it once per test file
 * (it takes 10-30 s); `stop()` kills its daemons by the pids they wrote and removes the folder.
 * Needs Debian's radosgw, ceph-mon, ceph-osd and ceph-common (`.ci/run` installs them).
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'

const SCRIPT = fileURLToPath(new URL('../../scripts/ceph-s3.sh', import.meta.url))

export interface CephS3 {
  endpoint: string
  region: string
  accessKeyId: string
  secretAccessKey: string
  /** A client with the settings Ceph 16 needs (path style, checksums only when required). */
  client(): S3Client
  /** Creates a bucket with a random name and resolves its name. */
  createBucket(): Promise<string>
  /** The registry's environment for BLOB_STORE=s3 on `bucket`. */
  env(bucket: string, extra?: Record<string, string>): Record<string, string>
  stop(): Promise<void>
}

/** Why Ceph cannot run here, or null when it can. */
export function cephUnavailable(): string | null {
  for (const bin of ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} is not installed (apt-get install radosgw ceph-mon ceph-osd ceph-common)`
  }
  return null
}

export async function startCephS3(): Promise<CephS3> {
  const missing = cephUnavailable()
  if (missing) throw new Error(missing)
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ceph-s3-'))
  const [s3Port, monPort, osdPortMin] = await freePorts()
  const env = {
    ...process.env,
    CEPH_DIR: path.join(dir, 'cluster'),
    S3_PORT: String(s3Port),
    MON_PORT: String(monPort),
    OSD_PORT_MIN: String(osdPortMin),
    OSD_PORT_MAX: String(osdPortMin + OSD_PORTS - 1),
  }
  const clusterDir = env.CEPH_DIR
  let log = ''
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.on('data', (d) => (log += String(d)))
    child.stderr.on('data', (d) => (log += String(d)))
    child.on('error', reject)
    child.on('exit', resolve)
  })
  const stop = async () => {
    await killDaemons(clusterDir)
    await rm(dir, { recursive: true, force: true })
  }
  if (status !== 0) {
    await stop()
    throw new Error(`ceph-s3.sh start failed (${status}):\n${log}`)
  }
  const endpoint = `http://127.0.0.1:${s3Port}`
  const region = 'us-east-1'
  const accessKeyId = 'CIACCESSKEY'
  const secretAccessKey = 'CISECRETKEY'
  const client = () =>
    new S3Client({
      endpoint,
      region,
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })
  return {
    endpoint,
    region,
    accessKeyId,
    secretAccessKey,
    client,
    async createBucket() {
      const bucket = `test-${randomBytes(6).toString('hex')}`
      const c = client()
      try {
        await c.send(new CreateBucketCommand({ Bucket: bucket }))
      } finally {
        c.destroy()
      }
      return bucket
    },
    env: (bucket, extra = {}) => ({
      BLOB_STORE: 's3',
      S3_ENDPOINT: endpoint,
      S3_REGION: region,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: accessKeyId,
      S3_SECRET_ACCESS_KEY: secretAccessKey,
      S3_FORCE_PATH_STYLE: '1',
      ...extra,
    }),
    stop,
  }
}

const OSD_PORTS = 6

/** Kills the daemons whose pid files are in the cluster's run folder, and waits for them to go. */
async function killDaemons(clusterDir: string): Promise<void> {
  const runDir = path.join(clusterDir, 'run')
  const pids: number[] = []
  for (const name of await readdir(runDir).catch(() => [] as string[])) {
    if (!name.endsWith('.pid')) continue
    const pid = Number((await readFile(path.join(runDir, name), 'utf8')).trim())
    if (Number.isSafeInteger(pid) && pid > 0) pids.push(pid)
  }
  for (const pid of pids) signal(pid, 'SIGTERM')
  const deadline = Date.now() + 10_000
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  for (const pid of pids.filter(alive)) signal(pid, 'SIGKILL')
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Three free loopback ports: the gateway's, the monitor's, and the first of OSD_PORTS in a row. */
async function freePorts(): Promise<[number, number, number]> {
  for (;;) {
    const base = 20000 + Math.floor(Math.random() * 40000)
    const ports = Array.from({ length: OSD_PORTS + 2 }, (_, i) => base + i)
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return [base, base + 1, base + 2]
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}
