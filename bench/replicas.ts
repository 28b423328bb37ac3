// Three replicas against one: end-to-end image push (blobs + manifest) and manifest GET throughput
// through the round-robin balancer of tests/support/balancer.ts, every replica on one PostgreSQL
// database and one Ceph bucket (as tests/integration/replicas.test.ts runs them). One run; prints a
// table and the numbers as JSON.
//
//   npm run build && eval "$(scripts/throwaway-postgres.sh)" && npx tsx bench/replicas.ts [--seconds 8] [--pushes 24]
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { startBalancer } from '../tests/support/balancer'
import { startCephS3 } from '../tests/support/ceph'
import { ociImage, registryClient } from '../tests/support/oci'
import { createTestDatabase } from '../tests/support/postgres'
import { startRegistryServer, type RunningServer } from '../tests/support/registry-server'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '8' }, pushes: { type: 'string', default: '24' } } })
const seconds = Number(values.seconds)
const pushes = Number(values.pushes)
const PUSH_CONCURRENCY = 8
const GET_CONCURRENCY = 32

const db = await createTestDatabase()
const ceph = await startCephS3()
const balancer = await startBalancer()
const secretsDir = await mkdtemp(path.join(os.tmpdir(), 'bench-replicas-'))
const servers: RunningServer[] = []
try {
  const tokenKeyFile = path.join(secretsDir, 'token.pem')
  await writeFile(tokenKeyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
  const adminPassword = `pw-${randomBytes(12).toString('hex')}`
  const env = {
    ...ceph.env(await ceph.createBucket()),
    ADMIN_PASSWORD: adminPassword,
    TOKEN_PRIVATE_KEY_FILE: tokenKeyFile,
    SECRET_KEY: randomBytes(32).toString('base64'),
    NEXTAUTH_SECRET: randomBytes(32).toString('base64'),
    PUBLIC_URL: balancer.url,
    NEXTAUTH_URL: balancer.url,
  }
  const admin = { user: 'admin', password: adminPassword }
  const start = () => startRegistryServer({ databaseUrl: db.url, env })

  /** Runs `task` with `concurrency` workers until `more()` says stop; resolves the completed count and seconds. */
  async function drive(concurrency: number, task: (worker: number, i: number) => Promise<void>, more: (done: number, elapsedMs: number) => boolean) {
    let issued = 0
    let done = 0
    const started = Date.now()
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        while (more(issued, Date.now() - started)) {
          const i = issued++
          await task(worker, i)
          done++
        }
      }),
    )
    return { done, seconds: (Date.now() - started) / 1000 }
  }

  async function measure(label: string) {
    const repository = `${admin.user}/bench-${label}`
    const clients = Array.from({ length: Math.max(PUSH_CONCURRENCY, GET_CONCURRENCY) }, () => registryClient(balancer.url, admin))
    const push = await drive(
      PUSH_CONCURRENCY,
      async (worker, i) => void (await clients[worker].pushImage(repository, ociImage({ layers: 2, layerSize: 64 * 1024 }), `t${i}`)),
      (issued) => issued < pushes,
    )
    const get = await drive(
      GET_CONCURRENCY,
      async (worker, i) => {
        const res = await clients[worker].getManifest(repository, `t${i % pushes}`)
        if (res.status !== 200) throw new Error(res.describe())
      },
      (_, elapsedMs) => elapsedMs < seconds * 1000,
    )
    return { pushesPerSecond: push.done / push.seconds, manifestGetsPerSecond: get.done / get.seconds }
  }

  servers.push(await start())
  balancer.setBackends(servers.map((s) => s.port))
  const one = await measure('one')
  servers.push(...(await Promise.all([start(), start()])))
  balancer.setBackends(servers.map((s) => s.port))
  const three = await measure('three')
  const row = (name: string, a: number, b: number) => `${name.padEnd(24)} ${a.toFixed(1).padStart(10)} ${b.toFixed(1).padStart(10)} ${(b / a).toFixed(2).padStart(7)}x`
  console.log(`${'scenario'.padEnd(24)} ${'1 replica'.padStart(10)} ${'3 replicas'.padStart(10)} ${'ratio'.padStart(8)}`)
  console.log(row('image push /s', one.pushesPerSecond, three.pushesPerSecond))
  console.log(row('manifest GET /s', one.manifestGetsPerSecond, three.manifestGetsPerSecond))
  console.log(JSON.stringify({ cpus: os.cpus().length, loadavg: os.loadavg(), pushes, seconds, one, three }))
} finally {
  await balancer.close()
  await Promise.all(servers.map((s) => s.dispose()))
  await db.drop()
  await ceph.stop()
  await rm(secretsDir, { recursive: true, force: true })
}
