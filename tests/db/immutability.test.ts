// Tag immutability at the registry index, the one place /v2, the REST API, the dashboard and
// retention all write through: PGlite always, PostgreSQL when TEST_POSTGRES_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash, randomUUID } from 'node:crypto'
import { migrateDeploy } from '../../lib/db/migrate'
import { createPrisma, type PrismaClient } from '../../lib/db/prisma'
import { PrismaRegistryIndex } from '../../lib/registry/prisma-index'
import { RegistryError, type ManifestRecord } from '../../registry-core/src'
import { BACKENDS, openBackend, type Backend } from './backends'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const digestOf = (data: string | Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`

/** An image manifest with one (linked) config blob, unique per call. */
async function image(index: PrismaRegistryIndex, repository: string): Promise<ManifestRecord> {
  const config = digestOf(randomUUID())
  await index.linkBlob(repository, config, 10)
  const content = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { digest: config, size: 10 }, layers: [], n: randomUUID() }))
  return {
    digest: digestOf(content),
    mediaType: OCI_MANIFEST,
    content,
    references: [{ kind: 'blob', digest: config, size: 10, mediaType: 'application/vnd.oci.image.config.v1+json' }],
  }
}

function indexOf(children: ManifestRecord[]): ManifestRecord {
  const content = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: children.map((c) => ({ digest: c.digest })), n: randomUUID() }))
  return {
    digest: digestOf(content),
    mediaType: OCI_INDEX,
    content,
    references: children.map((c) => ({ kind: 'manifest' as const, digest: c.digest, size: c.content.length, mediaType: OCI_MANIFEST })),
  }
}

async function denied(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(RegistryError)
  expect((error as RegistryError).code).toBe('DENIED')
  return error as RegistryError
}

describe.each(BACKENDS)('tag immutability in the registry index on %s', (backendName) => {
  let backend: Backend
  let prisma: PrismaClient
  let index: PrismaRegistryIndex
  let ruleId: number

  beforeAll(async () => {
    backend = await openBackend(backendName)
    await migrateDeploy(backend.url, { log: () => {}, keepPgliteOpen: true })
    prisma = createPrisma(backend.url)
    index = new PrismaRegistryIndex(prisma)
    const project = await prisma.project.create({ data: { name: 'imm' } })
    await prisma.project.create({ data: { name: 'free' } })
    ruleId = (await prisma.immutableRule.create({ data: { projectId: project.id, repositories: 'locked/**', tags: 'v*' } })).id
    await prisma.immutableRule.create({ data: { projectId: project.id, repositories: '**', tags: 'off-*', enabled: false } })
  })
  afterAll(async () => {
    await prisma?.$disconnect()
    await backend?.cleanup()
  })

  it('lets a new protected tag be pushed, and the same digest again, but never re-points it', async () => {
    const repo = 'imm/locked/app'
    const first = await image(index, repo)
    expect(await index.putManifest(repo, first, 'v1')).toEqual({ ok: true })
    expect(await index.putManifest(repo, first, 'v1')).toEqual({ ok: true })
    const second = await image(index, repo)
    const error = await denied(index.putManifest(repo, second, 'v1'))
    expect(error.message).toBe(`tag v1 is immutable (rule ${ruleId}: repositories "locked/**", tags "v*")`)
    expect((await index.getManifest(repo, { tag: 'v1' }))?.digest).toBe(first.digest)
    // nothing of the refused push was written
    expect(await index.getManifest(repo, { digest: second.digest })).toBeNull()
    // unprotected tags, other repositories, other projects and disabled rules move freely
    expect(await index.putManifest(repo, first, 'latest')).toEqual({ ok: true })
    expect(await index.putManifest(repo, second, 'latest')).toEqual({ ok: true })
    expect(await index.putManifest(repo, second, 'off-1')).toEqual({ ok: true })
    expect(await index.putManifest(repo, first, 'off-1')).toEqual({ ok: true })
    for (const other of ['imm/open/app', 'free/locked/app']) {
      const a = await image(index, other)
      const b = await image(index, other)
      expect(await index.putManifest(other, a, 'v1')).toEqual({ ok: true })
      expect(await index.putManifest(other, b, 'v1')).toEqual({ ok: true })
    }
  })

  it('refuses deleting a protected tag and deleting its artifact by digest', async () => {
    const repo = 'imm/locked/del'
    const m = await image(index, repo)
    await index.putManifest(repo, m, 'v2')
    await index.putManifest(repo, m, 'latest')
    await denied(index.deleteTag(repo, 'v2'))
    await denied(index.deleteManifest(repo, m.digest))
    expect((await index.getManifest(repo, { tag: 'v2' }))?.digest).toBe(m.digest)
    expect((await index.getManifest(repo, { tag: 'latest' }))?.digest).toBe(m.digest)
    // its unprotected tag can go; a missing tag is still just missing
    expect(await index.deleteTag(repo, 'latest')).toEqual({ digest: m.digest })
    expect(await index.deleteTag(repo, 'v404')).toBeNull()
  })

  it('refuses deleting an index whose tag is protected, keeping its children', async () => {
    const repo = 'imm/locked/multi'
    const child = await image(index, repo)
    await index.putManifest(repo, child)
    const parent = indexOf([child])
    await index.putManifest(repo, parent, 'v3')
    await denied(index.deleteManifest(repo, parent.digest))
    expect(await index.getManifest(repo, { digest: child.digest })).not.toBeNull()
  })

  it('a disabled rule protects nothing; enabled again, it does', async () => {
    const repo = 'imm/locked/toggle'
    const m = await image(index, repo)
    await index.putManifest(repo, m, 'v9')
    await prisma.immutableRule.update({ where: { id: ruleId }, data: { enabled: false } })
    expect(await index.deleteTag(repo, 'v9')).toEqual({ digest: m.digest })
    await prisma.immutableRule.update({ where: { id: ruleId }, data: { enabled: true } })
    await index.putManifest(repo, m, 'v9')
    await denied(index.deleteTag(repo, 'v9'))
  })
})
