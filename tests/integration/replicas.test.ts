// Three server processes (replicas) with the same configuration, sharing only PostgreSQL and an S3
// bucket on Ceph (each has its own DATA_DIR: no shared disk, no shared file), behind a round-robin
// TCP balancer on loopback (tests/support/balancer.ts). Through the balancer they must behave as one
// registry: real-client pushes, chunked uploads whose requests land on different replicas, pulls from
// every replica, deletes seen everywhere within the manifest cache's TTL, webhook events delivered
// once, and a replica killed mid-push leaves nothing half-written while the client's retry succeeds.
// PostgreSQL runs only: PGlite belongs to one process. Starts its OWN servers, Ceph and skopeo.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from '../../e2e/clients/fixtures'
import { expectStatus } from '../support/assertions'
import { startBalancer, type Balancer } from '../support/balancer'
import { startCephS3, type CephS3 } from '../support/ceph'
import { blobOf, descriptor, imageConfig, MT, ociImage, ociManifest, randomBlob, registryClient, sha256, withDigest, type Image } from '../support/oci'
import { createTestDatabase, type TestDatabase } from '../support/postgres'
import { startRegistryServer, type RunningServer } from '../support/registry-server'
import { createPushWebhook, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver'

const skip = !!process.env.REGISTRY_URL
const onPostgres = process.env.TEST_DATABASE === 'postgres'
const MiB = 1024 * 1024
/** MANIFEST_CACHE_TTL's default: how long another replica may still serve a deleted manifest. */
const MANIFEST_CACHE_TTL_MS = 2000
/** A new connection per request, so that the balancer spreads consecutive requests over the replicas. */
const CLOSE = { connection: 'close' }

describe.skipIf(skip || !onPostgres)('three replicas on PostgreSQL and S3 behind a balancer', () => {
  let db: TestDatabase
  let ceph: CephS3
  let balancer: Balancer
  let secretsDir: string
  let work: string
  let servers: RunningServer[] = []
  let receiver: WebhookReceiver
  let replicaEnv: Record<string, string>
  const adminPassword = `pw-${randomBytes(12).toString('hex')}`
  const admin = { user: 'admin', password: adminPassword }
  const repoOf = (name: string) => `${admin.user}/${name}`
  const through = () => registryClient(balancer.url, admin)
  const direct = (server: RunningServer) => registryClient(server.url, admin)
  const hostOf = (url: string) => new URL(url).host

  beforeAll(async () => {
    ;[db, ceph, balancer] = await Promise.all([createTestDatabase(), startCephS3(), startBalancer()])
    const bucket = await ceph.createBucket()
    secretsDir = await mkdtemp(path.join(os.tmpdir(), 'replica-secrets-'))
    work = await mkdtemp(path.join(os.tmpdir(), 'replica-work-'))
    const tokenKeyFile = path.join(secretsDir, 'token.pem')
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    await writeFile(tokenKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
    // The same configuration for all: every secret they must share given, the balancer as public URL.
    const env = (replicaEnv = {
      ...ceph.env(bucket),
      ADMIN_PASSWORD: adminPassword,
      TOKEN_PRIVATE_KEY_FILE: tokenKeyFile,
      SECRET_KEY: randomBytes(32).toString('base64'),
      NEXTAUTH_SECRET: randomBytes(32).toString('base64'),
      PUBLIC_URL: balancer.url,
      NEXTAUTH_URL: balancer.url,
    })
    // Started together: migrations and seeding must be safe when replicas start at once.
    servers = await Promise.all([0, 1, 2].map(() => startRegistryServer({ databaseUrl: db.url, env })))
    balancer.setBackends(servers.map((s) => s.port))
    receiver = await startWebhookReceiver()
    await createPushWebhook(servers[0], receiver.url)
  }, 300_000)

  afterAll(async () => {
    if (process.env.SHOW_SERVER_LOGS === '1') for (const s of servers) process.stderr.write(s.logs())
    await receiver?.close()
    await balancer?.close()
    await Promise.all(servers.map((s) => s.dispose()))
    await db?.drop()
    await ceph?.stop()
    if (secretsDir) await rm(secretsDir, { recursive: true, force: true })
    if (work) await rm(work, { recursive: true, force: true })
  }, 120_000)

  /** An image whose layers are real gzip streams: skopeo recompresses (new digests) layers it does not recognise as compressed. */
  function gzipImage(layers: number, layerSize: number): Image {
    const config = imageConfig()
    const blobs = Array.from({ length: layers }, () => blobOf(gzipSync(randomBytes(layerSize), { level: 1 })))
    const manifest = ociManifest({ config: descriptor(MT.ociConfig, config), layers: blobs.map((l) => descriptor(MT.ociLayerGzip, l)) })
    return { config, layers: blobs, blobs: [config, ...blobs], manifest }
  }

  /** Writes `image` as an OCI layout (tagged `tag`) that skopeo can copy from. */
  async function ociLayout(image: Image, tag: string): Promise<string> {
    const dir = await mkdtemp(path.join(work, 'layout-'))
    await mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true })
    for (const blob of [...image.blobs, image.manifest]) await writeFile(path.join(dir, 'blobs', 'sha256', blob.digest.slice('sha256:'.length)), blob.content)
    await writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
    const manifest = { mediaType: MT.ociManifest, digest: image.manifest.digest, size: image.manifest.content.length, annotations: { 'org.opencontainers.image.ref.name': tag } }
    await writeFile(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [manifest] }))
    return dir
  }

  const creds = `${admin.user}:${admin.password}`
  const skopeoPush = (layout: string, tag: string, registryUrl: string, repository: string, allowFailure = false) =>
    run(
      'skopeo',
      ['copy', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${layout}:${tag}`, `docker://${hostOf(registryUrl)}/${repository}:${tag}`],
      {
        allowFailure,
        timeoutMs: 180_000,
      },
    )

  /** The image's manifest and every blob, byte for byte, from `server`. */
  async function expectWholeImage(server: RunningServer, repository: string, image: Image, tag: string): Promise<void> {
    const client = direct(server)
    const manifest = await client.getManifest(repository, tag)
    expectStatus(manifest, 200)
    expect(manifest.body.equals(image.manifest.content)).toBe(true)
    for (const blob of image.blobs) {
      const got = await client.getBlob(repository, blob.digest)
      expectStatus(got, 200)
      expect(sha256(got.body)).toBe(blob.digest)
    }
  }

  it('skopeo pushes through the balancer and pulls the image back from each replica directly', async () => {
    const repository = repoOf('skopeo')
    const image = gzipImage(3, 200_000)
    await skopeoPush(await ociLayout(image, 'v1'), 'v1', balancer.url, repository)
    for (const [i, server] of servers.entries()) {
      const out = path.join(work, `pulled-${i}`)
      await run('skopeo', ['copy', '--src-tls-verify=false', '--src-creds', creds, `docker://${hostOf(server.url)}/${repository}:v1`, `oci:${out}:v1`], { timeoutMs: 120_000 })
      const index = JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] }
      expect(index.manifests.map((m) => m.digest)).toEqual([image.manifest.digest])
      for (const blob of image.blobs) expect(sha256(await readFile(path.join(out, 'blobs', 'sha256', blob.digest.slice(7))))).toBe(blob.digest)
      await expectWholeImage(server, repository, image, 'v1')
    }
  }, 300_000)

  it("a chunked upload's requests land on different replicas and the blob is whole on each", async () => {
    const client = through()
    const repository = repoOf('chunked')
    const blob = randomBlob(6 * MiB + 1234)
    const chunk = 2 * MiB
    const first = balancer.connections.length
    const post = await client.startUpload(repository, {}, { headers: CLOSE })
    expectStatus(post, 202)
    let location = post.header('location')!
    for (let offset = 0; offset < blob.size; offset += chunk) {
      const patch = await client.patchChunk(location, blob.content.subarray(offset, Math.min(offset + chunk, blob.size)), offset, { headers: CLOSE })
      expectStatus(patch, 202)
      location = patch.header('location')!
    }
    const status = await client.get(location, { headers: CLOSE })
    expectStatus(status, 204)
    expect(status.header('range')).toBe(`0-${blob.size - 1}`)
    expectStatus(await client.request('PUT', withDigest(location, blob.digest), { headers: { 'content-length': '0', ...CLOSE } }), 201)
    // POST, four PATCHes, GET and PUT each came on a connection of its own, round robin.
    expect(new Set(balancer.connections.slice(first)).size).toBe(3)
    for (const server of servers) {
      const got = await direct(server).getBlob(repository, blob.digest)
      expectStatus(got, 200)
      expect(sha256(got.body)).toBe(blob.digest)
    }

    // A session started on one replica, continued and finished on the others, directly.
    const [a, b, c] = servers.map(direct)
    const small = randomBlob(300_000)
    const session = (await a.startUpload(repository)).header('location')!
    expectStatus(await b.patchChunk(session, small.content.subarray(0, 100_000), 0), 202)
    expectStatus(await c.patchChunk(session, small.content.subarray(100_000), 100_000), 202)
    expectStatus(await a.request('PUT', withDigest(session, small.digest), { headers: { 'content-length': '0' } }), 201)
    expect(sha256((await b.getBlob(repository, small.digest)).body)).toBe(small.digest)
    // A finished session is finished everywhere.
    expectStatus(await c.request('PUT', withDigest(session, small.digest), { body: small.content }), 404)
  }, 120_000)

  it('a manifest deleted through one replica is gone from all within MANIFEST_CACHE_TTL, and stays gone', async () => {
    const repository = repoOf('delete')
    const image = ociImage({ layers: 1, layerSize: 1000 })
    await through().pushImage(repository, image, 'v1')
    const clients = servers.map(direct)
    // Every replica has the manifest in its cache, by tag and by digest.
    for (const client of clients) {
      expectStatus(await client.getManifest(repository, 'v1'), 200)
      expectStatus(await client.getManifest(repository, image.manifest.digest), 200)
    }
    expectStatus(await clients[0].deleteManifest(repository, image.manifest.digest), 202)
    const deletedAt = Date.now()
    await Promise.all(
      clients.map(async (client, i) => {
        for (const reference of ['v1', image.manifest.digest]) {
          let gone = 0
          // Until three answers in a row say 404: a read that STARTED a TTL after the delete must never see it.
          while (gone < 3) {
            const startedAt = Date.now()
            const res = await client.getManifest(repository, reference)
            if (res.status === 404) {
              gone += 1
              continue
            }
            expect(gone, `replica ${i} served ${reference} again after a 404`).toBe(0)
            expectStatus(res, 200)
            expect(startedAt - deletedAt, `replica ${i} served deleted ${reference} ${startedAt - deletedAt} ms after the delete`).toBeLessThanOrEqual(MANIFEST_CACHE_TTL_MS)
            await new Promise((r) => setTimeout(r, 50))
          }
        }
        expect((await client.tags(repository)).json().tags ?? []).not.toContain('v1')
      }),
    )
  }, 60_000)

  it('delivers each webhook event once', async () => {
    const pushes = 12
    const before = receiver.requests.length
    await Promise.all(Array.from({ length: pushes }, (_, i) => through().pushImage(repoOf('webhooks'), ociImage(), `t${i}`)))
    await receiver.waitForCount((r) => r.json().event_data.repository.repo_full_name === repoOf('webhooks'), pushes, 30_000)
    await new Promise((r) => setTimeout(r, 3000)) // time for a duplicate to show up
    const ours = receiver.requests.slice(before).filter((r) => r.json().event_data.repository.repo_full_name === repoOf('webhooks'))
    expect(ours.map((r) => r.json().event_data.resources[0].tag as string).sort()).toEqual(Array.from({ length: pushes }, (_, i) => `t${i}`).sort())
    expect(new Set(ours.map((r) => r.delivery)).size).toBe(pushes)
  }, 120_000)

  it("a replica killed mid-push leaves nothing half-written, and the client's retry succeeds through the others", async () => {
    const repository = repoOf('killed')
    const image = gzipImage(3, 8 * MiB)
    const layout = await ociLayout(image, 'v1')
    const survivors = servers.slice(0, 2)
    const victim = servers[2]
    let killed: Promise<void> | undefined
    // SIGKILL the victim (by pid) once it has been sent 2 MiB of this push.
    let base: number | undefined
    balancer.onData((port, total) => {
      if (port !== victim.port || killed) return
      base ??= total
      if (total - base > 2 * MiB) killed = victim.kill()
    })
    try {
      const firstTry = await skopeoPush(layout, 'v1', balancer.url, repository, true)
      expect(killed, `the victim replica was never sent 2 MiB; skopeo said: ${firstTry.stderr}`).toBeDefined()
      await killed
      expect(victim.pid()).toBeUndefined()

      // Nothing half-written is visible on the survivors: the tag, if there, has all its blobs; a
      // blob, if there, is whole.
      for (const server of survivors) {
        const client = direct(server)
        const manifest = await client.getManifest(repository, 'v1')
        for (const blob of image.blobs) {
          const head = await client.headBlob(repository, blob.digest)
          if (manifest.status === 200) expectStatus(head, 200)
          if (head.status === 404) continue
          expectStatus(head, 200)
          expect(head.header('content-length')).toBe(String(blob.size))
          expect(sha256((await client.getBlob(repository, blob.digest)).body)).toBe(blob.digest)
        }
      }

      // The client's retry goes to the replicas that answer.
      if (firstTry.code !== 0) await skopeoPush(layout, 'v1', balancer.url, repository)
      for (const server of survivors) await expectWholeImage(server, repository, image, 'v1')
    } finally {
      balancer.onData(undefined)
    }
  }, 300_000)

  it('a replica given other secrets than the others names them at start', async () => {
    for (const server of servers) expect(server.logs()).not.toContain('differs from that of the replica')
    const stranger = await startRegistryServer({
      databaseUrl: db.url,
      env: { ...replicaEnv, SECRET_KEY: randomBytes(32).toString('base64'), NEXTAUTH_SECRET: randomBytes(32).toString('base64') },
    })
    try {
      expect(stranger.logs()).toContain('SECRET_KEY differs from that of the replica that started before this one')
      expect(stranger.logs()).toContain('NEXTAUTH_SECRET differs from that of the replica that started before this one')
      expect(stranger.logs()).not.toContain('TOKEN_PRIVATE_KEY_FILE differs')
    } finally {
      await stranger.dispose()
    }
  }, 180_000)
})
