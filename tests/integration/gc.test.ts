// Online garbage collection through the real server (/api/v1/system/gc and /v2), on a server of its
// own (PGlite, or PostgreSQL with TEST_DATABASE=postgres): pushes of shared and unique layers,
// deletes, GC; then every listed manifest is pullable, every stored blob hashes to its digest, what
// nothing references is gone from disk and bytesFreed equals what disappeared. A manifest push racing
// the sweep either keeps its blob or gets MANIFEST_BLOB_UNKNOWN. On PostgreSQL: two processes, where
// collections never overlap, and 8 concurrent pushers, deleters and pullers while both collect.
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient, type ApiCredentials } from '../support/api'
import { ociImage, randomBlob, registryClient, type Blob, type Image } from '../support/oci'
import { startOwnServer, type OwnServer } from '../support/own-server'
import { createTestDatabase, type TestDatabase } from '../support/postgres'
import { startRegistryServer, type RunningServer } from '../support/registry-server'

const skip = !!process.env.REGISTRY_URL
const onPostgres = process.env.TEST_DATABASE === 'postgres'

/** Every blob file under the data dir: digest -> size. */
async function blobsOnDisk(dataDir: string): Promise<Map<string, number>> {
  const root = path.join(dataDir, 'registry', 'blobs', 'sha256')
  const found = new Map<string, number>()
  for (const prefix of await readdir(root).catch(() => [] as string[])) {
    for (const name of await readdir(path.join(root, prefix))) {
      if (/^[0-9a-f]{64}$/.test(name)) found.set(`sha256:${name}`, (await stat(path.join(root, prefix, name))).size)
    }
  }
  return found
}

async function hashesMatch(dataDir: string, digests: Iterable<string>): Promise<string[]> {
  const wrong: string[] = []
  for (const digest of digests) {
    const hex = digest.slice('sha256:'.length)
    const bytes = await readFile(path.join(dataDir, 'registry', 'blobs', 'sha256', hex.slice(0, 2), hex))
    if (createHash('sha256').update(bytes).digest('hex') !== hex) wrong.push(digest)
  }
  return wrong
}

interface GcRun {
  id: number
  status: string
  blobsDeleted: number
  bytesFreed: number
  artifactsDeleted: number
  startedAt: string
  finishedAt: string | null
}

function gcApi(url: string, admin: ApiCredentials) {
  const api = apiClient(url)
  return {
    api,
    async start(body: Record<string, unknown>) {
      return api.post('/api/v1/system/gc', body, { auth: admin })
    },
    async run(body: Record<string, unknown>): Promise<GcRun> {
      const started = await api.post('/api/v1/system/gc', body, { auth: admin })
      expect(started.status, started.describe()).toBe(202)
      return this.finished(started.json<GcRun>().id)
    },
    async finished(id: number): Promise<GcRun> {
      for (let i = 0; i < 600; i++) {
        const res = await api.get(`/api/v1/system/gc/${id}`, { auth: admin })
        expect(res.status, res.describe()).toBe(200)
        const run = res.json<GcRun>()
        if (run.status !== 'running') return run
        await new Promise((r) => setTimeout(r, 100))
      }
      throw new Error(`garbage collection ${id} did not finish`)
    },
  }
}

/** Every manifest the catalog lists is pullable, with every blob it references hashing to its digest; resolves the referenced digests. */
async function everyListedManifestPullable(url: string, admin: ApiCredentials): Promise<Set<string>> {
  const client = registryClient(url, admin)
  const referenced = new Set<string>()
  const catalog = (await client.catalog({ n: 1000 })).json<{ repositories: string[] }>().repositories
  for (const repo of catalog) {
    const tags = (await client.tags(repo, { n: 1000 })).json<{ tags: string[] | null }>().tags ?? []
    for (const tag of tags) {
      const manifest = await client.getManifest(repo, tag)
      expect(manifest.status, `${repo}:${tag}`).toBe(200)
      const body = manifest.json<{ config?: { digest: string }; layers?: { digest: string }[]; manifests?: { digest: string }[] }>()
      for (const ref of [...(body.config ? [body.config] : []), ...(body.layers ?? [])]) {
        const blob = await client.getBlob(repo, ref.digest)
        expect(blob.status, `${repo}:${tag} ${ref.digest}`).toBe(200)
        expect(`sha256:${createHash('sha256').update(blob.body).digest('hex')}`).toBe(ref.digest)
        referenced.add(ref.digest)
      }
    }
  }
  return referenced
}

/**
 * Pushes a blob; an upload that completes while a collection deletes the same blob's earlier copy
 * answers BLOB_UNKNOWN ("push it again"), and a client pushes it again.
 */
async function pushBlobAgainIfSwept(client: ReturnType<typeof registryClient>, repo: string, blob: Blob): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.pushBlob(repo, blob)
      return
    } catch (error) {
      if (attempt === 10 || !String(error).includes('"BLOB_UNKNOWN"')) throw error
    }
  }
}

describe.skipIf(skip)('garbage collection', () => {
  let own: OwnServer
  let gc: ReturnType<typeof gcApi>

  beforeAll(async () => {
    own = await startOwnServer()
    gc = gcApi(own.server.url, own.admin)
  }, 300_000)
  afterAll(() => own?.dispose())

  it('after pushes of shared and unique layers and deletes: frees exactly the unreferenced blobs, and everything listed stays pullable', async () => {
    const client = registryClient(own.server.url, own.admin)
    const project = own.admin.user
    const shared = randomBlob(40_000)
    const withShared = (): Image => {
      const image = ociImage({ layers: 1, layerSize: 30_000 })
      const manifest = JSON.parse(image.manifest.content.toString())
      manifest.layers.unshift({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: shared.digest, size: shared.size })
      const content = Buffer.from(JSON.stringify(manifest))
      return { ...image, blobs: [...image.blobs, shared], manifest: { ...image.manifest, content, digest: `sha256:${createHash('sha256').update(content).digest('hex')}` } }
    }
    const a = withShared()
    const b = withShared()
    const c = ociImage({ layers: 2 })
    expect((await client.pushImage(`${project}/one`, a, 'a')).status).toBe(201)
    expect((await client.pushImage(`${project}/two`, b, 'b')).status).toBe(201)
    expect((await client.pushImage(`${project}/one`, c, 'c')).status).toBe(201)
    const stray = randomBlob(12_345)
    expect((await client.pushBlob(`${project}/one`, stray)).status).toBe(201)
    expect((await client.deleteManifest(`${project}/one`, a.manifest.digest)).status).toBe(202)

    // What nothing references any more: a's config and unique layer, and the stray blob (the shared layer stays for b).
    const expectedGone: Blob[] = [a.config, a.layers[0], stray]
    const before = await blobsOnDisk(own.server.dataDir)
    const dry = await gc.run({ dryRun: true, deleteUntagged: false, gracePeriodSeconds: 0 })
    expect(dry).toMatchObject({ status: 'succeeded', blobsDeleted: expectedGone.length, bytesFreed: expectedGone.reduce((sum, blob) => sum + blob.size, 0) })
    expect(await blobsOnDisk(own.server.dataDir)).toEqual(before)

    // Within the default grace period (2 h) everything just pushed is kept.
    expect(await gc.run({})).toMatchObject({ status: 'succeeded', blobsDeleted: 0, bytesFreed: 0 })

    const run = await gc.run({ dryRun: false, deleteUntagged: false, gracePeriodSeconds: 0 })
    expect(run).toMatchObject({ status: 'succeeded', blobsDeleted: dry.blobsDeleted, bytesFreed: dry.bytesFreed })
    const after = await blobsOnDisk(own.server.dataDir)
    const disappeared = [...before].filter(([digest]) => !after.has(digest))
    expect(disappeared.map(([digest]) => digest).sort()).toEqual(expectedGone.map((blob) => blob.digest).sort())
    expect(disappeared.reduce((sum, [, size]) => sum + size, 0)).toBe(run.bytesFreed)

    const referenced = await everyListedManifestPullable(own.server.url, own.admin)
    expect(referenced.has(shared.digest)).toBe(true)
    expect(await hashesMatch(own.server.dataDir, after.keys())).toEqual([])
    for (const digest of after.keys()) expect(referenced.has(digest), `${digest} is on disk but nothing references it`).toBe(true)

    const log = await gc.api.get(`/api/v1/system/gc/${run.id}/log`, { auth: own.admin })
    expect(log.status).toBe(200)
    expect(log.json().log).toContain(stray.digest)
    const history = await gc.api.get('/api/v1/system/gc?page_size=2', { auth: own.admin })
    expect(history.json<GcRun[]>().map((r) => r.id)).toEqual([run.id, run.id - 1])
    expect(Number(history.header('x-total-count'))).toBe(3)
  }, 120_000)

  it('validates input and is for system administrators only', async () => {
    const bad = await gc.start({ dryRun: 'yes' })
    expect(bad.status, bad.describe()).toBe(400)
    expect((await gc.start({ gracePeriodSeconds: -1 })).status).toBe(400)
    expect((await gc.start({ surprise: true })).status).toBe(400)
    expect((await gc.api.get('/api/v1/system/gc/999999', { auth: own.admin })).status).toBe(404)
    expect((await gc.api.put('/api/v1/system/gc/schedule', { schedule: 'sometimes' }, { auth: own.admin })).status).toBe(400)
    const scheduled = await gc.api.put('/api/v1/system/gc/schedule', { schedule: '0 3 * * *', deleteUntagged: true }, { auth: own.admin })
    expect(scheduled.status, scheduled.describe()).toBe(200)
    expect(scheduled.json()).toMatchObject({ schedule: '0 3 * * *', enabled: true, deleteUntagged: true, gracePeriodSeconds: 7200 })
    expect((await gc.api.delete('/api/v1/system/gc/schedule', { auth: own.admin })).status).toBe(204)
    expect((await gc.api.get('/api/v1/system/gc/schedule', { auth: own.admin })).json()).toMatchObject({ schedule: null })

    const user = await gc.api.signup('gcuser')
    expect((await gc.api.post('/api/v1/system/gc', {}, { auth: user })).status).toBe(403)
    expect((await gc.api.get('/api/v1/system/gc', { auth: user })).status).toBe(403)
    expect((await gc.api.post('/api/v1/system/gc', {})).status).toBe(401)
  }, 60_000)

  it('a manifest push racing the sweep of its blob either keeps the blob or gets MANIFEST_BLOB_UNKNOWN, never a manifest without its blob', async () => {
    const client = registryClient(own.server.url, own.admin)
    const repo = `${own.admin.user}/race`
    const outcomes = { kept: 0, refused: 0 }
    for (let round = 0; round < 12; round++) {
      const image = ociImage({ layers: 1, layerSize: 2000 })
      for (const blob of image.blobs) expect((await client.pushBlob(repo, blob)).status).toBe(201)
      // Let the collection get going, then push the manifest while it sweeps.
      const collecting = gc.start({ gracePeriodSeconds: 0 })
      await new Promise((r) => setTimeout(r, round * 15))
      const pushed = await client.putManifest(repo, `r${round}`, image.manifest)
      const started = await collecting
      if (started.status === 202) await gc.finished(started.json<GcRun>().id)
      if (pushed.status === 201) {
        outcomes.kept++
        for (const blob of image.blobs) {
          const got = await client.getBlob(repo, blob.digest)
          expect(got.status, `round ${round}: a stored manifest's blob ${blob.digest}`).toBe(200)
        }
      } else {
        outcomes.refused++
        expect(pushed.status).toBe(400)
        expect(pushed.json().errors[0].code).toBe('MANIFEST_BLOB_UNKNOWN')
        expect((await client.getManifest(repo, `r${round}`)).status).toBe(404)
      }
    }
    expect(outcomes.kept + outcomes.refused).toBe(12)
    await everyListedManifestPullable(own.server.url, own.admin)
  }, 180_000)
})

describe.skipIf(skip || !onPostgres)('garbage collection on two processes sharing PostgreSQL', () => {
  let db: TestDatabase
  let dataDir: string
  let servers: RunningServer[] = []
  let admin: ApiCredentials

  beforeAll(async () => {
    db = await createTestDatabase()
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'registry-gc-two-'))
    const first = await startRegistryServer({ databaseUrl: db.url, dataDir })
    const second = await startRegistryServer({ databaseUrl: db.url, dataDir, env: { ADMIN_PASSWORD: first.adminPassword } })
    servers = [first, second]
    admin = { user: first.adminUser, password: first.adminPassword }
  }, 300_000)
  afterAll(async () => {
    for (const s of servers) await s.dispose()
    await db?.drop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('runs one collection at a time: the other process answers 409, and runs never overlap', async () => {
    const client = registryClient(servers[0].url, admin)
    for (let i = 0; i < 30; i++) await client.pushBlob(`${admin.user}/two`, randomBlob(1000))
    const apis = servers.map((s) => gcApi(s.url, admin))
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => apis[i % 2].start({ gracePeriodSeconds: 0 })))
    const statuses = answers.map((a) => a.status)
    expect(
      statuses.every((s) => s === 202 || s === 409),
      String(statuses),
    ).toBe(true)
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThan(0)
    for (const answer of answers.filter((a) => a.status === 409)) expect(answer.json().errors[0].code).toBe('CONFLICT')
    const runs: GcRun[] = []
    for (const answer of answers.filter((a) => a.status === 202)) runs.push(await apis[0].finished(answer.json<GcRun>().id))
    const spans = runs.map((r) => [Date.parse(r.startedAt), Date.parse(r.finishedAt!)] as const).sort((x, y) => x[0] - y[0])
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1])
    expect(runs.reduce((sum, r) => sum + r.blobsDeleted, 0)).toBe(30)
  }, 120_000)

  it('8 concurrent pushers, deleters and pullers while GC runs repeatedly on both processes: everything listed stays pullable and intact, bytes freed add up', async () => {
    const project = admin.user
    const base = randomBlob(20_000)
    const sizes = new Map<string, number>(await blobsOnDisk(dataDir))
    const runIds: number[] = []
    let freed = 0
    let collecting = true
    const collector = async (server: RunningServer) => {
      const api = gcApi(server.url, admin)
      while (collecting) {
        // A grace period of a second: pushes finish within it, the blobs of deleted images outlive it.
        const started = await api.start({ gracePeriodSeconds: 1, deleteUntagged: true })
        if (started.status === 202) {
          const run = await api.finished(started.json<GcRun>().id)
          expect(run.status).toBe('succeeded')
          runIds.push(run.id)
          freed += run.bytesFreed
        } else expect(started.status, started.describe()).toBe(409)
        await new Promise((r) => setTimeout(r, 50))
      }
    }
    const worker = async (w: number) => {
      const server = servers[w % 2]
      const client = registryClient(server.url, admin)
      const repo = `${project}/load-${w % 3}`
      let deletedImage: Image | undefined
      for (let i = 0; i < 6; i++) {
        const image = ociImage({ layers: 1, layerSize: 3000 })
        const manifest = JSON.parse(image.manifest.content.toString())
        manifest.layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: base.digest, size: base.size })
        const content = Buffer.from(JSON.stringify(manifest))
        // Every fourth push brings back the image this worker deleted before, whose blobs may be swept meanwhile.
        const pushedImage: Image =
          i % 4 === 3 && deletedImage
            ? deletedImage
            : { ...image, blobs: [...image.blobs, base], manifest: { ...image.manifest, content, digest: `sha256:${createHash('sha256').update(content).digest('hex')}` } }
        for (const blob of pushedImage.blobs) sizes.set(blob.digest, blob.size)
        // A client whose blobs were swept before its manifest came pushes them again (what docker does on MANIFEST_BLOB_UNKNOWN).
        let status = 0
        for (let attempt = 0; attempt < 10 && status !== 201; attempt++) {
          for (const blob of pushedImage.blobs) await pushBlobAgainIfSwept(client, repo, blob)
          const res = await client.putManifest(repo, `w${w}-${i}`, pushedImage.manifest)
          status = res.status
          if (status !== 201) expect(res.json().errors[0].code).toBe('MANIFEST_BLOB_UNKNOWN')
        }
        expect(status).toBe(201)
        const pulled = await client.getManifest(repo, `w${w}-${i}`)
        if (pulled.status === 200) {
          for (const blob of pushedImage.blobs) {
            const got = await client.getBlob(repo, blob.digest)
            // A concurrent deleter may have removed the artifact; its blobs may then be swept.
            if (got.status === 200) expect(`sha256:${createHash('sha256').update(got.body).digest('hex')}`).toBe(blob.digest)
          }
        }
        if (i % 2 === 1) {
          expect([202, 404]).toContain((await client.deleteManifest(repo, pushedImage.manifest.digest)).status)
          deletedImage = pushedImage
        }
      }
    }
    const collectors = [collector(servers[0]), collector(servers[1])]
    try {
      await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)))
    } finally {
      collecting = false
      await Promise.allSettled(collectors)
    }
    await Promise.all(collectors)
    // A last collection once everything is quiet: then what nothing references is gone.
    const last = await gcApi(servers[0].url, admin).run({ gracePeriodSeconds: 0, deleteUntagged: true })
    runIds.push(last.id)
    freed += last.bytesFreed
    expect(runIds.length).toBeGreaterThan(2)

    const referenced = await everyListedManifestPullable(servers[1].url, admin)
    const after = await blobsOnDisk(dataDir)
    expect(await hashesMatch(dataDir, after.keys())).toEqual([])
    for (const digest of after.keys()) expect(referenced.has(digest), `${digest} is on disk but nothing references it`).toBe(true)

    // The runs' logs name every blob they deleted: their sizes add up to the bytes freed, and every
    // blob that is no longer on disk is among them (nothing else deletes blob files).
    const deleted: string[] = []
    for (const id of runIds) {
      const log = (await apiClient(servers[0].url).get(`/api/v1/system/gc/${id}/log`, { auth: admin })).json<{ log: string }>().log
      for (const match of log.matchAll(/deleted \d+ blobs \(\d+ bytes\): (.*)$/gm)) deleted.push(...match[1].split(', '))
    }
    expect(deleted.reduce((sum, digest) => sum + (sizes.get(digest) ?? Number.NaN), 0)).toBe(freed)
    const deletedSet = new Set(deleted)
    for (const digest of sizes.keys()) if (!after.has(digest)) expect(deletedSet.has(digest), `${digest} vanished without a collection deleting it`).toBe(true)
  }, 300_000)
})
