// Storage quota accounting and enforcement (issue #13) against real databases: PGlite always,
// PostgreSQL when TEST_POSTGRES_URL is set (where the concurrent pushes really race).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash, randomUUID } from 'node:crypto'
import { migrateDeploy } from '../../lib/db/migrate'
import { createPrisma, type PrismaClient } from '../../lib/db/prisma'
import { PrismaRegistryIndex } from '../../lib/registry/prisma-index'
import { recountUsage } from '../../lib/quota'
import { RegistryError, type ManifestRecord, type ManifestReference } from '../../registry-core/src/index'
import { BACKENDS, openBackend, type Backend } from './backends'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const digestOf = (data: string | Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`
const uniqueDigest = () => digestOf(randomUUID())

function manifestOf(refs: ManifestReference[]): ManifestRecord {
  const content = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, layers: refs, n: randomUUID() }))
  return { digest: digestOf(content), mediaType: OCI_MANIFEST, content, references: refs }
}

describe.each(BACKENDS)('storage quotas on %s', (backendName) => {
  let backend: Backend
  let prisma: PrismaClient
  let index: PrismaRegistryIndex

  beforeAll(async () => {
    backend = await openBackend(backendName)
    await migrateDeploy(backend.url, { log: () => {}, keepPgliteOpen: true })
    prisma = createPrisma(backend.url)
    index = new PrismaRegistryIndex(prisma)
  })
  afterAll(async () => {
    await prisma?.$disconnect()
    await backend?.cleanup()
  })

  async function project(storageLimit = -1): Promise<{ id: number; name: string }> {
    const name = `q${randomUUID().slice(0, 8)}`
    const created = await prisma.project.create({ data: { name } })
    if (storageLimit !== -1) await prisma.projectQuota.update({ where: { projectId: created.id }, data: { storageLimit } })
    return { id: created.id, name }
  }
  const usedOf = async (projectId: number) => Number((await prisma.projectQuota.findUniqueOrThrow({ where: { projectId } })).storageUsed)

  async function pushImage(repo: string, sizes: number[]): Promise<{ manifest: ManifestRecord; refs: ManifestReference[] }> {
    const refs: ManifestReference[] = []
    for (const size of sizes) {
      const digest = uniqueDigest()
      await index.linkBlob(repo, digest, size)
      refs.push({ kind: 'blob', digest, size, mediaType: 'application/octet-stream' })
    }
    const manifest = manifestOf(refs)
    expect(await index.putManifest(repo, manifest, 'latest')).toEqual({ ok: true })
    return { manifest, refs }
  }

  it('every new project gets a quota row, unlimited unless the defaultStorageLimit setting says otherwise', async () => {
    const plain = await project()
    expect(await prisma.projectQuota.findUnique({ where: { projectId: plain.id } })).toMatchObject({ storageLimit: -1n, storageUsed: 0n })
    await prisma.setting.create({ data: { key: 'defaultStorageLimit', value: 5000 } })
    try {
      const limited = await project()
      expect(await prisma.projectQuota.findUnique({ where: { projectId: limited.id } })).toMatchObject({ storageLimit: 5000n })
    } finally {
      await prisma.setting.delete({ where: { key: 'defaultStorageLimit' } })
    }
  })

  it('counts a blob shared by repositories of one project once, and frees it with the last link', async () => {
    const p = await project()
    const other = await project()
    const digest = uniqueDigest()
    await index.linkBlob(`${p.name}/a`, digest, 1000)
    expect(await usedOf(p.id)).toBe(1000)
    await index.linkBlob(`${p.name}/a`, digest, 1000) // again: nothing new
    await index.linkBlob(`${p.name}/b`, digest, 1000) // a mount inside the project
    expect(await usedOf(p.id)).toBe(1000)
    await index.linkBlob(`${other.name}/c`, digest, 1000) // a mount into another project counts there
    expect(await usedOf(other.id)).toBe(1000)
    expect(await index.unlinkBlob(`${p.name}/a`, digest)).toBe(true)
    expect(await usedOf(p.id)).toBe(1000)
    expect(await index.unlinkBlob(`${p.name}/b`, digest)).toBe(true)
    expect(await usedOf(p.id)).toBe(0)
    expect(await usedOf(other.id)).toBe(1000)
  })

  it('deletes a project whose repositories share blobs and manifests, and leaves other projects counted', async () => {
    const p = await project()
    const other = await project()
    const shared = await pushImage(`${p.name}/a`, [300, 400])
    for (const ref of shared.refs) {
      await index.linkBlob(`${p.name}/b`, ref.digest, ref.size)
      await index.linkBlob(`${other.name}/c`, ref.digest, ref.size)
    }
    expect(await index.putManifest(`${p.name}/b`, shared.manifest, 'copy')).toEqual({ ok: true })
    // Before the fix: "Foreign key constraint violated on ProjectBlob_projectId_fkey" (the cascade
    // updated a shared digest's row twice after the project row was gone).
    await prisma.project.delete({ where: { id: p.id } })
    expect(await prisma.projectBlob.count({ where: { projectId: p.id } })).toBe(0)
    expect(await usedOf(other.id)).toBe(700)
  })

  it('counts manifests, and frees what an artifact delete and a repository delete remove', async () => {
    const p = await project()
    const { manifest } = await pushImage(`${p.name}/app`, [100, 200])
    expect(await usedOf(p.id)).toBe(300 + manifest.content.length)
    // The same image in a second repository of the project adds nothing.
    await index.linkBlob(`${p.name}/copy`, manifest.references[0].digest, 100)
    await index.linkBlob(`${p.name}/copy`, manifest.references[1].digest, 200)
    expect(await index.putManifest(`${p.name}/copy`, manifest, 'v1')).toEqual({ ok: true })
    expect(await usedOf(p.id)).toBe(300 + manifest.content.length)
    expect(await index.deleteManifest(`${p.name}/app`, manifest.digest)).toMatchObject({ ok: true })
    expect(await usedOf(p.id)).toBe(300 + manifest.content.length)
    expect(await index.deleteManifest(`${p.name}/copy`, manifest.digest)).toMatchObject({ ok: true })
    expect(await usedOf(p.id)).toBe(300) // the layers stay linked until unlinked or collected
    await prisma.repository.deleteMany({ where: { name: { in: [`${p.name}/app`, `${p.name}/copy`] } } })
    expect(await usedOf(p.id)).toBe(0)
    expect(await recountUsage(prisma, p.id)).toBe(0)
  })

  it('refuses a blob or manifest that would pass the limit with DENIED, and writes nothing', async () => {
    const p = await project(1000)
    const repo = `${p.name}/app`
    const fits = uniqueDigest()
    await index.linkBlob(repo, fits, 900)
    const over = uniqueDigest()
    const denied = await index.linkBlob(repo, over, 200).then(
      () => null,
      (error: unknown) => error,
    )
    expect(denied).toBeInstanceOf(RegistryError)
    expect((denied as RegistryError).code).toBe('DENIED')
    expect((denied as RegistryError).message).toBe(`quota exceeded: ${p.name} uses 900 B of 1000 B (adding 200 B would pass it)`)
    expect(await index.findBlob(repo, over)).toBeNull()
    expect(await usedOf(p.id)).toBe(900)

    // A failed push: the completed upload is refused and the session stays open, as it was.
    const session = { id: randomUUID(), repository: repo, size: 0, startedAt: new Date() }
    expect(await index.openUpload(session)).toBe(true)
    await expect(index.completeUpload(session, over, 200)).rejects.toMatchObject({ code: 'DENIED' })
    expect(await index.getUpload(repo, session.id)).toMatchObject({ state: 'open' })

    // The manifest's own bytes count: 900 + a manifest of more than 100 bytes does not fit.
    const manifest = manifestOf([{ kind: 'blob', digest: fits, size: 900, mediaType: 'application/octet-stream' }])
    await expect(index.putManifest(repo, manifest, 'latest')).rejects.toMatchObject({ code: 'DENIED' })
    expect(await index.getManifest(repo, { tag: 'latest' })).toBeNull()
    expect(await usedOf(p.id)).toBe(900)
    expect(await recountUsage(prisma, p.id)).toBe(900)
  })

  it('records QUOTA_WARNING when the usage crosses the warning percentage and QUOTA_EXCEED on a refusal', async () => {
    const p = await project(1000)
    await prisma.webhookPolicy.create({ data: { projectId: p.id, name: 'quota', eventTypes: ['QUOTA_WARNING', 'QUOTA_EXCEED'], targetUrl: 'http://127.0.0.1:9/' } })
    const repo = `${p.name}/app`
    await index.linkBlob(repo, uniqueDigest(), 800) // 80%: below 85
    expect(await prisma.webhookEvent.count({ where: { projectId: p.id } })).toBe(0)
    const crossing = uniqueDigest()
    await index.linkBlob(repo, crossing, 100) // 90%
    await index.linkBlob(repo, uniqueDigest(), 50) // still above: no second warning
    await expect(index.linkBlob(repo, uniqueDigest(), 100)).rejects.toMatchObject({ code: 'DENIED' })
    const events = await prisma.webhookEvent.findMany({ where: { projectId: p.id }, orderBy: { occurredAt: 'asc' } })
    expect(events.map((e) => [e.type, e.repository])).toEqual([
      ['QUOTA_WARNING', repo],
      ['QUOTA_EXCEED', repo],
    ])
    expect(events[0]).toMatchObject({ digest: crossing, quota: { used: 900, limit: 1000, needed: 100 } })
    expect(events[1]).toMatchObject({ quota: { used: 950, limit: 1000, needed: 100 } })
  })

  it('lets concurrent pushes racing for the last bytes never pass the limit together', async () => {
    const p = await project(10_000)
    const attempts = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => index.linkBlob(`${p.name}/r${i % 5}`, uniqueDigest(), 1000)))
    const linked = attempts.filter((a) => a.status === 'fulfilled').length
    const denied = attempts.filter((a) => a.status === 'rejected' && (a.reason as RegistryError).code === 'DENIED').length
    expect({ linked, denied }).toEqual({ linked: 10, denied: 20 })
    expect(await usedOf(p.id)).toBe(10_000)
    expect(await recountUsage(prisma, p.id)).toBe(10_000)
  })

  it('keeps the usage equal to a full recount after a mixed workload', async () => {
    const p = await project(60_000)
    const repos = ['a', 'b', 'c/d'].map((r) => `${p.name}/${r}`)
    const images: { repo: string; manifest: ManifestRecord }[] = []
    let seed = 7
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n
    for (let round = 0; round < 40; round++) {
      const repo = repos[random(repos.length)]
      const action = random(5)
      try {
        if (action <= 1) images.push({ repo, ...(await pushImage(repo, [500 + random(3000), 100 + random(500)])) })
        else if (action === 2 && images.length) {
          // A mount of an image into another repository of the project.
          const { manifest } = images[random(images.length)]
          for (const ref of manifest.references) await index.linkBlob(repo, ref.digest, ref.size)
          await index.putManifest(repo, manifest, `m${round}`)
          images.push({ repo, manifest })
        } else if (action === 3 && images.length) {
          const [gone] = images.splice(random(images.length), 1)
          await index.deleteManifest(gone.repo, gone.manifest.digest)
        } else {
          // A failed push: blobs uploaded, the manifest never comes, the blobs are unlinked later (GC's work).
          const digest = uniqueDigest()
          await index.linkBlob(repo, digest, 700)
          await index.unlinkBlob(repo, digest)
        }
      } catch (error) {
        expect(error).toMatchObject({ code: 'DENIED' })
      }
      expect(await usedOf(p.id)).toBe(await recountUsage(prisma, p.id))
    }
    await prisma.repository.delete({ where: { name: repos[0] } })
    expect(await usedOf(p.id)).toBe(await recountUsage(prisma, p.id))
    expect(await usedOf(p.id)).toBeLessThanOrEqual(60_000)
  })
})
