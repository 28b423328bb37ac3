// PrismaRegistryIndex against real databases: PGlite always, PostgreSQL when TEST_POSTGRES_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash, randomUUID } from 'node:crypto'
import { migrateDeploy } from '../../lib/db/migrate'
import { createPrisma, type PrismaClient } from '../../lib/db/prisma'
import { getOpenPglite, parseDatabaseUrl } from '../../lib/db/database-url'
import { PrismaRegistryIndex } from '../../lib/registry/prisma-index'
import { ANONYMOUS, type ManifestRecord, type ManifestReference, type UploadSession } from '../../registry-core/src/ports'
import { BACKENDS, byteCompare, openBackend, type Backend } from './backends'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip'

const digestOf = (data: string | Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`
let counter = 0
const uniqueDigest = () => digestOf(`blob-${process.pid}-${++counter}-${randomUUID()}`)

function blobRef(digest: string, size: number, mediaType = OCI_LAYER): ManifestReference {
  return { kind: 'blob', digest, size, mediaType }
}

/** A manifest record with real bytes (including non-ASCII, to check byte-exact storage). */
function imageManifest(refs: ManifestReference[], extra: Partial<ManifestRecord> = {}): ManifestRecord {
  const body = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: refs[0] && { mediaType: OCI_CONFIG, digest: refs[0].digest, size: refs[0].size },
    layers: refs.slice(1).map((r) => ({ mediaType: r.mediaType, digest: r.digest, size: r.size })),
    annotations: { note: `ünïcødé ✓ ${randomUUID()}` },
  }
  const content = Buffer.from(JSON.stringify(body, null, 3) + '\n', 'utf8')
  return {
    digest: digestOf(content),
    mediaType: OCI_MANIFEST,
    content,
    artifactType: OCI_CONFIG,
    references: refs,
    ...extra,
  }
}

function indexManifest(children: { digest: string; size: number }[]): ManifestRecord {
  const content = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: children, n: randomUUID() }))
  return {
    digest: digestOf(content),
    mediaType: OCI_INDEX,
    content,
    references: children.map((c, i) => ({
      kind: 'manifest' as const,
      digest: c.digest,
      size: c.size,
      mediaType: OCI_MANIFEST,
      platform: { architecture: i ? 'arm64' : 'amd64', os: 'linux' },
    })),
  }
}

describe.each(BACKENDS)('PrismaRegistryIndex on %s', (backendName) => {
  let backend: Backend
  let prisma: PrismaClient
  let index: PrismaRegistryIndex

  beforeAll(async () => {
    backend = await openBackend(backendName)
    // keepPgliteOpen: the client below reuses the instance the migration opened (one PGlite start).
    await migrateDeploy(backend.url, { log: () => {}, keepPgliteOpen: true })
    const target = parseDatabaseUrl(backend.url)
    if (target.kind === 'pglite') expect(getOpenPglite(target.dataDir)).toBeDefined()
    prisma = createPrisma(backend.url)
    index = new PrismaRegistryIndex(prisma)
    // Repositories live in existing projects (first path component); public so the anonymous catalog lists them.
    await prisma.project.createMany({ data: ['blobs', 'cat', 'del', 'list', 'put', 'race', 'up'].map((name) => ({ name, public: true })) })
  })
  afterAll(async () => {
    await prisma?.$disconnect()
    await backend?.cleanup()
  })

  /** Links fresh blobs to `repo` and returns references to them. */
  async function linkedBlobs(repo: string, sizes: number[]): Promise<ManifestReference[]> {
    const refs: ManifestReference[] = []
    for (const [i, size] of sizes.entries()) {
      const d = uniqueDigest()
      await index.linkBlob(repo, d, size)
      refs.push(blobRef(d, size, i === 0 ? OCI_CONFIG : OCI_LAYER))
    }
    return refs
  }

  describe('blobs', () => {
    it('links, finds, and unlinks a blob per repository', async () => {
      const d = uniqueDigest()
      expect(await index.findBlob('blobs/a', d)).toBeNull()
      await index.linkBlob('blobs/a', d, 1234)
      expect(await index.findBlob('blobs/a', d)).toEqual({ size: 1234 })
      expect(await index.findBlob('blobs/b', d)).toBeNull() // not linked there: must not be served
      await index.linkBlob('blobs/a', d, 1234) // idempotent
      await index.linkBlob('blobs/b', d, 1234) // a mount
      expect(await index.findBlob('blobs/b', d)).toEqual({ size: 1234 })

      expect(await index.unlinkBlob('blobs/a', d)).toBe(true)
      expect(await index.unlinkBlob('blobs/a', d)).toBe(false)
      expect(await index.unlinkBlob('nope/nope', d)).toBe(false)
      expect(await index.findBlob('blobs/a', d)).toBeNull()
      expect(await index.findBlob('blobs/b', d)).toEqual({ size: 1234 })
      // linkBlob created the repositories
      expect(await prisma.repository.count({ where: { name: { in: ['blobs/a', 'blobs/b'] } } })).toBe(2)
    })

    it('keeps sizes above 4 GiB exact', async () => {
      const d = uniqueDigest()
      const big = 5 * 1024 ** 3 + 7
      await index.linkBlob('blobs/big', d, big)
      expect(await index.findBlob('blobs/big', d)).toEqual({ size: big })
    })

    it('survives concurrent linkBlob calls for the same digest and repository', async () => {
      const d = uniqueDigest()
      const repos = ['race/one', 'race/two', 'race/three']
      const calls = Array.from({ length: 24 }, (_, i) => index.linkBlob(repos[i % repos.length], d, 42))
      const results = await Promise.allSettled(calls)
      expect(results.filter((r) => r.status === 'rejected')).toEqual([])
      for (const r of repos) expect(await index.findBlob(r, d)).toEqual({ size: 42 })
      expect(await prisma.blob.count({ where: { digest: d } })).toBe(1)
      expect(await prisma.repositoryBlob.count({ where: { digest: d } })).toBe(3)
      expect(await prisma.repository.count({ where: { name: { in: repos } } })).toBe(3)
    })
  })

  describe('manifests and tags', () => {
    it('writes nothing when a blob or child manifest is missing', async () => {
      const repo = 'put/missing'
      const linked = await linkedBlobs(repo, [10])
      const absent = uniqueDigest()
      const absentChild = uniqueDigest()
      const m = imageManifest([linked[0], blobRef(absent, 99)])
      expect(await index.putManifest(repo, m, 'v1')).toEqual({ ok: false, missing: [absent] })

      const idx = indexManifest([{ digest: absentChild, size: 500 }])
      expect(await index.putManifest(repo, idx, 'v2')).toEqual({ ok: false, missing: [absentChild] })

      // A blob linked to ANOTHER repository does not count.
      const elsewhere = await linkedBlobs('put/elsewhere', [5])
      const m2 = imageManifest([linked[0], elsewhere[0]])
      expect(await index.putManifest(repo, m2, 'v3')).toEqual({ ok: false, missing: [elsewhere[0].digest] })

      expect(await prisma.artifact.count({ where: { repository: { name: repo } } })).toBe(0)
      expect(await index.listTags(repo, { n: 10 })).toEqual([])
      const row = await prisma.repository.findUniqueOrThrow({ where: { name: repo } })
      expect(row.lastPushedAt).toBeNull()

      // An unknown repository is not even created.
      const m3 = imageManifest([blobRef(uniqueDigest(), 1)])
      const r3 = await index.putManifest('put/never-created', m3, 'latest')
      expect(r3.ok).toBe(false)
      expect(await prisma.repository.count({ where: { name: 'put/never-created' } })).toBe(0)
      expect(await index.listTags('put/never-created', { n: 10 })).toBeNull()
    })

    it('stores a manifest byte for byte and serves it by tag and by digest', async () => {
      const repo = 'put/image'
      const refs = await linkedBlobs(repo, [300, 4000, 50_000])
      // The same layer listed twice counts once.
      const m = imageManifest([...refs, refs[2]])
      const before = Date.now()
      expect(await index.putManifest(repo, m, 'latest')).toEqual({ ok: true })

      const byTag = await index.getManifest(repo, { tag: 'latest' })
      const byDigest = await index.getManifest(repo, { digest: m.digest })
      for (const got of [byTag, byDigest]) {
        expect(got).not.toBeNull()
        expect(got!.digest).toBe(m.digest)
        expect(got!.mediaType).toBe(OCI_MANIFEST)
        expect(Buffer.isBuffer(got!.content)).toBe(true)
        expect(got!.content.equals(m.content)).toBe(true)
        expect(digestOf(got!.content)).toBe(m.digest)
      }
      expect(await index.getManifest(repo, { tag: 'other' })).toBeNull()
      expect(await index.getManifest('put/elsewhere', { digest: m.digest })).toBeNull()
      expect(await index.getManifest('no/such', { tag: 'latest' })).toBeNull()
      // The manifest cache's batched re-read: in the order asked, null where nothing matches.
      const many = await index.getManifests(repo, [{ tag: 'other' }, { digest: m.digest }, { tag: 'latest' }, { digest: uniqueDigest() }])
      expect(many.map((x) => x?.digest ?? null)).toEqual([null, m.digest, m.digest, null])
      expect(many[2]!.content.equals(m.content)).toBe(true)
      expect(await index.getManifests('put/elsewhere', [{ tag: 'latest' }])).toEqual([null])

      const a = await prisma.artifact.findFirstOrThrow({
        where: { digest: m.digest, repository: { name: repo } },
        include: { references: { orderBy: { size: 'asc' } }, repository: true },
      })
      expect(a.manifestSize).toBe(m.content.length)
      expect(Number(a.size)).toBe(m.content.length + 300 + 4000 + 50_000)
      expect(a.artifactType).toBe(OCI_CONFIG)
      expect(a.references.map((r) => [r.kind, Number(r.size)])).toEqual([
        ['blob', 300],
        ['blob', 4000],
        ['blob', 50_000],
      ])
      expect(a.repository.lastPushedAt!.getTime()).toBeGreaterThanOrEqual(before - 5_000)
    })

    it("refreshes the repository's lastPushedAt when it is older than a second", async () => {
      const repo = 'put/pushed-at'
      const refs = await linkedBlobs(repo, [10])
      const anHourAgo = new Date(Date.now() - 3600_000)
      await prisma.repository.update({ where: { name: repo }, data: { lastPushedAt: anHourAgo } })
      const before = Date.now()
      expect(await index.putManifest(repo, imageManifest(refs), 'a')).toEqual({ ok: true })
      const row = await prisma.repository.findUniqueOrThrow({ where: { name: repo } })
      expect(row.lastPushedAt!.getTime()).toBeGreaterThanOrEqual(before - 5_000)
    })

    it('is idempotent by digest, moves tags, and deletes tags and manifests', async () => {
      const repo = 'put/tags'
      const refs = await linkedBlobs(repo, [1, 2])
      const m1 = imageManifest(refs)
      const m2 = imageManifest(refs)
      expect(m1.digest).not.toBe(m2.digest)

      expect(await index.putManifest(repo, m1, 'latest')).toEqual({ ok: true })
      expect(await index.putManifest(repo, m1, 'v1')).toEqual({ ok: true })
      expect(await index.putManifest(repo, m1)).toEqual({ ok: true }) // by digest, no tag
      expect(await prisma.artifact.count({ where: { digest: m1.digest } })).toBe(1)
      expect(await prisma.artifactReference.count({ where: { artifact: { digest: m1.digest } } })).toBe(2)
      expect(await index.listTags(repo, { n: 10 })).toEqual(['latest', 'v1'])

      // Move `latest` to m2.
      expect(await index.putManifest(repo, m2, 'latest')).toEqual({ ok: true })
      expect((await index.getManifest(repo, { tag: 'latest' }))!.digest).toBe(m2.digest)
      expect((await index.getManifest(repo, { tag: 'v1' }))!.digest).toBe(m1.digest)
      expect(await prisma.tag.count({ where: { repository: { name: repo }, name: 'latest' } })).toBe(1)

      // deleteTag: the manifest stays.
      expect(await index.deleteTag(repo, 'latest')).toEqual({ digest: m2.digest })
      expect(await index.deleteTag(repo, 'latest')).toBeNull()
      expect(await index.deleteTag('no/such', 'latest')).toBeNull()
      expect(await index.getManifest(repo, { digest: m2.digest })).not.toBeNull()

      // deleteManifest: removes the tags that pointed at it and its references.
      await index.putManifest(repo, m1, 'stable')
      await index.putManifest(repo, m1, 'a-first')
      expect(await index.deleteManifest(repo, m1.digest)).toEqual({
        ok: true,
        tags: ['a-first', 'stable', 'v1'],
        mediaType: OCI_MANIFEST,
        children: [],
      })
      expect(await index.getManifest(repo, { digest: m1.digest })).toBeNull()
      expect(await index.getManifest(repo, { tag: 'v1' })).toBeNull()
      expect(await index.listTags(repo, { n: 10 })).toEqual([])
      expect(await prisma.artifactReference.count({ where: { artifact: { digest: m1.digest } } })).toBe(0)
      expect(await index.deleteManifest(repo, m1.digest)).toBeNull()
      expect(await index.deleteManifest(repo, m2.digest)).toEqual({ ok: true, tags: [], mediaType: OCI_MANIFEST, children: [] })
      // The blobs stay linked.
      expect(await index.findBlob(repo, refs[0].digest)).toEqual({ size: 1 })
    })

    it('requires the child manifests of an index to be in the repository', async () => {
      const repo = 'put/index'
      const amd = imageManifest(await linkedBlobs(repo, [11, 12]))
      const arm = imageManifest(await linkedBlobs(repo, [13, 14]))
      const idx = indexManifest([
        { digest: amd.digest, size: amd.content.length },
        { digest: arm.digest, size: arm.content.length },
      ])
      expect(await index.putManifest(repo, idx, 'multi')).toEqual({
        ok: false,
        missing: [amd.digest, arm.digest],
      })
      await index.putManifest(repo, amd)
      expect(await index.putManifest(repo, idx, 'multi')).toEqual({ ok: false, missing: [arm.digest] })
      await index.putManifest(repo, arm)
      expect(await index.putManifest(repo, idx, 'multi')).toEqual({ ok: true })
      expect((await index.getManifest(repo, { tag: 'multi' }))!.content.equals(idx.content)).toBe(true)
      const refs = await prisma.artifactReference.findMany({
        where: { artifact: { digest: idx.digest } },
        orderBy: { digest: 'asc' },
      })
      expect(refs.map((r) => r.kind)).toEqual(['manifest', 'manifest'])
      expect(refs.map((r) => r.platform)).toEqual(
        expect.arrayContaining([
          { architecture: 'amd64', os: 'linux' },
          { architecture: 'arm64', os: 'linux' },
        ]),
      )
    })

    it('handles concurrent pushes of the same manifest and tag', async () => {
      const repo = 'put/race'
      const m = imageManifest(await linkedBlobs(repo, [7, 8]))
      const results = await Promise.all(Array.from({ length: 8 }, () => index.putManifest(repo, m, 'latest')))
      expect(results).toEqual(Array(8).fill({ ok: true }))
      expect(await prisma.artifact.count({ where: { digest: m.digest } })).toBe(1)
      expect(await index.listTags(repo, { n: 5 })).toEqual(['latest'])
    })
  })

  describe('deleting index children', () => {
    // The refusal and the cascade are in the RegistryIndex contract (tests/contracts); the race is PostgreSQL's.
    it('a child delete racing an index push never leaves an index with a missing child', async () => {
      for (let round = 0; round < 6; round++) {
        const repo = `del/race-${round}`
        const child = imageManifest(await linkedBlobs(repo, [30 + round]))
        await index.putManifest(repo, child)
        const idx = indexManifest([{ digest: child.digest, size: child.content.length }])
        const [put, del] = await Promise.all([index.putManifest(repo, idx, 'v1'), index.deleteManifest(repo, child.digest)])
        const childThere = (await index.getManifest(repo, { digest: child.digest })) !== null
        const indexThere = (await index.getManifest(repo, { digest: idx.digest })) !== null
        if (put.ok) {
          expect(del).toEqual({ ok: false, referencedBy: [idx.digest] })
          expect([indexThere, childThere]).toEqual([true, true])
        } else {
          expect(put).toEqual({ ok: false, missing: [child.digest] })
          expect(del).toMatchObject({ ok: true })
          expect([indexThere, childThere]).toEqual([false, false])
        }
      }
    })
  })

  describe('listings', () => {
    // Names whose byte order differs from en-US (and most locale) order.
    const TAGS = ['a-b', 'aB', 'ab', 'a_b', 'A1', 'B', 'b', '0.1', 'Z9', 'z', 'v1.0', 'v1.0-rc1', 'v1.0_1', 'V2']
    const BYTE_ORDER = [...TAGS].sort(byteCompare)

    it('lists tags in byte-lexical order with n and last', async () => {
      const repo = 'list/tags'
      const m = imageManifest(await linkedBlobs(repo, [1]))
      for (const t of TAGS) expect(await index.putManifest(repo, m, t)).toEqual({ ok: true })

      // Returns up to n + 1 names (the engine uses the extra one for the Link header).
      expect(await index.listTags(repo, { n: 100 })).toEqual(BYTE_ORDER)
      expect(await index.listTags(repo, { n: 3 })).toEqual(BYTE_ORDER.slice(0, 4))
      const paged: string[] = []
      let last: string | undefined
      for (;;) {
        const page = await index.listTags(repo, { n: 4, last })
        expect(page).not.toBeNull()
        paged.push(...page!.slice(0, 4))
        if (page!.length <= 4) break
        last = page![3]
      }
      expect(paged).toEqual(BYTE_ORDER)
      expect(await index.listTags(repo, { n: 10, last: 'a-b' })).toEqual(BYTE_ORDER.slice(BYTE_ORDER.indexOf('a-b') + 1))
      // `last` need not be an existing tag.
      expect(await index.listTags(repo, { n: 2, last: 'a' })).toEqual(BYTE_ORDER.filter((t) => byteCompare(t, 'a') > 0).slice(0, 3))
      expect(await index.listTags(repo, { n: 10, last: 'zzz' })).toEqual([])
      expect(await index.listTags(repo, { n: 0 })).toEqual(BYTE_ORDER.slice(0, 1))
      expect(await index.listTags('list/unknown', { n: 10 })).toBeNull()

      if (backend.nonByteDefaultCollation) {
        // Proof the database default would have got this wrong.
        const rows = await prisma.$queryRawUnsafe<{ x: string }[]>(`SELECT x FROM unnest($1::text[]) x ORDER BY x`, TAGS)
        expect(rows.map((r) => r.x)).not.toEqual(BYTE_ORDER)
      }
    })

    it('lists repositories in byte-lexical order with n and last', async () => {
      const names = ['cat/a-b', 'cat/aB', 'cat/ab', 'cat/a_b', 'cat/A1', 'cat/b', 'cat/B', 'cat/b/c', 'cat/b-c']
      for (const n of names) await index.linkBlob(n, uniqueDigest(), 1)
      const expected = [...names].sort(byteCompare)
      const all = await index.listRepositories({ n: 10_000 }, ANONYMOUS)
      expect(all).toEqual([...all].sort(byteCompare))
      expect(all.filter((n) => n.startsWith('cat/'))).toEqual(expected)
      const afterCat = await index.listRepositories({ n: 3, last: 'cat/' }, ANONYMOUS)
      expect(afterCat).toEqual(expected.slice(0, 4))
      expect(await index.listRepositories({ n: 3, last: expected[3] }, ANONYMOUS)).toEqual(expected.slice(4, 8))
      expect(await index.listRepositories({ n: 5, last: '\u{10FFFF}' }, ANONYMOUS)).toEqual([])
    })

    it('never creates a repository outside an existing project', async () => {
      const d = uniqueDigest()
      await expect(index.linkBlob('ghost/app', d, 1)).rejects.toMatchObject({ code: 'NAME_UNKNOWN' })
      await expect(index.linkBlob('single', d, 1)).rejects.toMatchObject({ code: 'NAME_UNKNOWN' })
      expect(await prisma.repository.count({ where: { name: { in: ['ghost/app', 'single'] } } })).toBe(0)
      expect(await index.findBlob('ghost/app', d)).toBeNull()
      const repo = await prisma.repository.findUniqueOrThrow({ where: { name: 'cat/a-b' }, include: { project: true } })
      expect(repo.project.name).toBe('cat')
    })

    it('filters the catalog by what the actor may read', async () => {
      const priv = await prisma.project.create({ data: { name: `priv${counter}x`, public: false } })
      const other = await prisma.project.create({ data: { name: `other${counter}x`, public: false } })
      await index.linkBlob(`${priv.name}/app`, uniqueDigest(), 1)
      await index.linkBlob(`${other.name}/app`, uniqueDigest(), 1)
      const user = await prisma.user.create({ data: { username: `u${counter}x`, passwordHash: 'x' } })
      await prisma.member.create({ data: { projectId: priv.id, userId: user.id, role: 'limitedGuest' } })
      const robot = await prisma.robot.create({ data: { name: `robot$${other.name}+ci`, projectId: other.id, secretHash: 'x' } })
      await prisma.robotPermission.create({ data: { robotId: robot.id, projectId: other.id, actions: ['push'] } })
      const list = async (id?: string) => (await index.listRepositories({ n: 10_000 }, { id })).filter((n) => !/^(blobs|cat|del|list|put|race|up)\//.test(n))
      expect(await list(undefined)).toEqual([])
      expect(await list(`user:${user.id}`)).toEqual([`${priv.name}/app`])
      expect(await list(`robot:${robot.id}`)).toEqual([`${other.name}/app`])
      expect((await list(`admin:${user.id}`)).sort()).toEqual([`${other.name}/app`, `${priv.name}/app`].sort())
      expect(await list('garbage')).toEqual([])
      // Public projects are visible to everyone.
      expect(await index.listRepositories({ n: 10_000 }, ANONYMOUS)).toContain('cat/a-b')
    })

    it('serves a 10,000-tag listing from the (repositoryId, name) index', async () => {
      const repo = 'list/many'
      const m = imageManifest(await linkedBlobs(repo, [1]))
      await index.putManifest(repo, m, 'seed')
      const a = await prisma.artifact.findFirstOrThrow({ where: { digest: m.digest, repository: { name: repo } } })
      await prisma.$executeRaw`
        INSERT INTO "Tag" ("repositoryId", "name", "artifactId")
        SELECT ${a.repositoryId}, 'v' || lpad(g::text, 5, '0') || CASE WHEN g % 2 = 0 THEN '-rc' ELSE '_b' END, ${a.id}
          FROM generate_series(1, 10000) g`
      await prisma.$executeRawUnsafe('ANALYZE "Tag"')

      const t0 = performance.now()
      const first = await index.listTags(repo, { n: 1000 })
      const mid = await index.listTags(repo, { n: 100, last: 'v05000-rc' })
      const ms = performance.now() - t0
      expect(first).toHaveLength(1001)
      expect(first).toEqual([...first!].sort(byteCompare))
      expect(mid![0]).toBe('v05001_b')
      expect(mid).toHaveLength(101)
      expect(ms).toBeLessThan(5_000)

      // The plan must walk the unique index in order, not sort the repository's tags.
      const plan = (
        await prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
          `EXPLAIN SELECT "name" FROM "Tag" WHERE "repositoryId" = $1 AND "name" COLLATE "C" > $2
            ORDER BY "name" COLLATE "C" LIMIT 101`,
          a.repositoryId,
          'v05000-rc',
        )
      )
        .map((r) => r['QUERY PLAN'])
        .join('\n')
      expect(plan).toMatch(/Index (Only )?Scan using "?Tag_repositoryId_name_key"?/)
      expect(plan).not.toMatch(/Sort/)
      // The catalog: few rows here, so forbid the sequential scan to see that the index can serve it.
      const repoPlan = await prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off')
        const rows = await tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
          `EXPLAIN SELECT "name" FROM "Repository" WHERE "name" COLLATE "C" > $1 ORDER BY "name" COLLATE "C" LIMIT 11`,
          'cat/',
        )
        return rows.map((r) => r['QUERY PLAN']).join('\n')
      })
      expect(repoPlan).toMatch(/Index (Only )?Scan using "?Repository_name_key"?/)
      expect(repoPlan).not.toMatch(/Sort/)
    })

    it('lists referrers, optionally filtered by artifact type', async () => {
      const repo = 'list/referrers'
      const subject = imageManifest(await linkedBlobs(repo, [1]))
      await index.putManifest(repo, subject, 'v1')
      const subjectDesc = { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.content.length }
      const sig = imageManifest(await linkedBlobs(repo, [2]), {
        artifactType: 'application/vnd.example.signature',
        subject: subjectDesc,
        annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
      })
      const sbom = imageManifest(await linkedBlobs(repo, [3]), {
        artifactType: 'application/spdx+json',
        subject: subjectDesc,
      })
      const unrelated = imageManifest(await linkedBlobs(repo, [4]), { artifactType: 'application/spdx+json' })
      for (const m of [sig, sbom, unrelated]) expect(await index.putManifest(repo, m)).toEqual({ ok: true })
      // Same subject in another repository: not listed here.
      const other = imageManifest(await linkedBlobs('list/referrers-other', [5]), {
        artifactType: 'application/spdx+json',
        subject: subjectDesc,
      })
      expect(await index.putManifest('list/referrers-other', other)).toEqual({ ok: true })

      const all = await index.listReferrers(repo, subject.digest)
      expect(all).toEqual([
        {
          mediaType: OCI_MANIFEST,
          digest: sig.digest,
          size: sig.content.length,
          artifactType: 'application/vnd.example.signature',
          annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
        },
        { mediaType: OCI_MANIFEST, digest: sbom.digest, size: sbom.content.length, artifactType: 'application/spdx+json' },
      ])
      expect(await index.listReferrers(repo, subject.digest, 'application/spdx+json')).toEqual([all[1]])
      expect(await index.listReferrers(repo, subject.digest, 'application/none')).toEqual([])
      expect(await index.listReferrers(repo, uniqueDigest())).toEqual([])
      expect(await index.listReferrers('no/such', subject.digest)).toEqual([])
    })
  })

  describe('upload sessions', () => {
    const newSession = (repository: string, startedAt = new Date()): UploadSession => ({ id: randomUUID(), repository, size: 0, startedAt })

    it('records a session when asked, reads, updates and forgets it', async () => {
      const s = newSession('up/a', new Date(Date.now() - 1000))
      expect(await index.getUpload('up/a', s.id)).toBeNull() // nothing recorded before the first bytes
      expect(await index.openUpload(s)).toBe(true)
      expect(await index.getUpload('up/a', s.id)).toEqual({ state: 'open', session: s })
      expect(await index.getUpload('up/b', s.id)).toBeNull() // another repository's session
      expect(await index.getUpload('up/a', 'not-a-uuid')).toBeNull()
      expect(await index.openUpload(s)).toBe(true) // again, while open

      const big = 6 * 1024 ** 3 + 1
      expect(await index.updateUpload(s.id, big)).toBe(true)
      expect(await index.getUpload('up/a', s.id)).toEqual({ state: 'open', session: { ...s, size: big } })
      expect(await index.openUpload(s)).toBe(true)
      expect(await index.getUpload('up/a', s.id)).toMatchObject({ session: { size: big } }) // opening again keeps the bytes

      await index.deleteUpload(s.id)
      await index.deleteUpload(s.id) // idempotent
      expect(await index.getUpload('up/a', s.id)).toBeNull()
      expect(await index.updateUpload(s.id, 10)).toBe(false)
    })

    it('closeUpload records a session closed, recorded before or not, and only once', async () => {
      const unrecorded = newSession('up/cancel')
      expect(await index.closeUpload(unrecorded)).toBe(true)
      expect(await index.getUpload('up/cancel', unrecorded.id)).toEqual({ state: 'closed' })
      expect(await index.closeUpload(unrecorded)).toBe(false)
      expect(await index.openUpload(unrecorded)).toBe(false)
      expect(await index.updateUpload(unrecorded.id, 1)).toBe(false)

      const recorded = newSession('up/cancel')
      expect(await index.openUpload(recorded)).toBe(true)
      expect(await index.updateUpload(recorded.id, 5)).toBe(true)
      expect(await index.closeUpload(recorded)).toBe(true)
      expect(await index.getUpload('up/cancel', recorded.id)).toEqual({ state: 'closed' })
      expect(await index.updateUpload(recorded.id, 6)).toBe(false)
    })

    it('completeUpload links the blob and records the session closed in one step', async () => {
      const recorded = newSession('up/done')
      const d = uniqueDigest()
      await index.openUpload(recorded)
      await index.updateUpload(recorded.id, 4096)
      await index.completeUpload(recorded, d, 4096)
      expect(await index.findBlob('up/done', d)).toEqual({ size: 4096 })
      expect(await index.getUpload('up/done', recorded.id)).toEqual({ state: 'closed' })

      const unrecorded = newSession('up/done')
      const d2 = uniqueDigest()
      await index.completeUpload(unrecorded, d2, 2)
      expect(await index.findBlob('up/done', d2)).toEqual({ size: 2 })
      expect(await index.getUpload('up/done', unrecorded.id)).toEqual({ state: 'closed' })

      // A session closed meanwhile (cancelled by another replica) does not stop the link.
      const cancelled = newSession('up/done')
      await index.closeUpload(cancelled)
      const d3 = uniqueDigest()
      await index.completeUpload(cancelled, d3, 1)
      expect(await index.findBlob('up/done', d3)).toEqual({ size: 1 })
    })

    it('completeUpload into a project that does not exist links nothing and keeps the session', async () => {
      const s = newSession('ghost/repo')
      const d = uniqueDigest()
      await index.openUpload(s)
      await index.updateUpload(s.id, 3)
      await expect(index.completeUpload(s, d, 3)).rejects.toMatchObject({ code: 'NAME_UNKNOWN' })
      expect(await index.findBlob('ghost/repo', d)).toBeNull()
      expect(await index.getUpload('ghost/repo', s.id)).toEqual({ state: 'open', session: { ...s, size: 3 } })
      const unrecorded = newSession('ghost/repo')
      await expect(index.completeUpload(unrecorded, d, 3)).rejects.toMatchObject({ code: 'NAME_UNKNOWN' })
      expect(await index.getUpload('ghost/repo', unrecorded.id)).toBeNull()
      await index.deleteUpload(s.id)
    })

    it('completeEmptyUpload links the blob and closes an unrecorded or empty session, and says which it was', async () => {
      const unrecorded = newSession('up/fast')
      const d = uniqueDigest()
      expect(await index.completeEmptyUpload(unrecorded, d, 7)).toEqual({ recorded: false })
      expect(await index.findBlob('up/fast', d)).toEqual({ size: 7 })
      expect(await index.getUpload('up/fast', unrecorded.id)).toEqual({ state: 'closed' })

      const empty = newSession('up/fast')
      await index.openUpload(empty)
      const d2 = uniqueDigest()
      expect(await index.completeEmptyUpload(empty, d2, 8)).toEqual({ recorded: true })
      expect(await index.findBlob('up/fast', d2)).toEqual({ size: 8 })
      expect(await index.getUpload('up/fast', empty.id)).toEqual({ state: 'closed' })

      // Closed now: null, nothing linked, no blob row.
      const other = uniqueDigest()
      expect(await index.completeEmptyUpload(unrecorded, other, 1)).toBeNull()
      expect(await index.completeEmptyUpload(empty, other, 1)).toBeNull()
      expect(await index.findBlob('up/fast', other)).toBeNull()
      expect(await prisma.blob.findUnique({ where: { digest: other } })).toBeNull()
    })

    it('completeEmptyUpload leaves a session that already holds bytes alone', async () => {
      const s = newSession('up/fast2')
      const d = uniqueDigest()
      await index.openUpload(s)
      expect(await index.updateUpload(s.id, 5)).toBe(true)
      expect(await index.completeEmptyUpload(s, d, 5)).toBeNull()
      expect(await index.findBlob('up/fast2', d)).toBeNull()
      expect(await index.getUpload('up/fast2', s.id)).toEqual({ state: 'open', session: { ...s, size: 5 } })
      await index.deleteUpload(s.id)
    })

    it('completeEmptyUpload into a project that does not exist links nothing and keeps the session as it was', async () => {
      const d = uniqueDigest()
      const unrecorded = newSession('ghost/fast')
      await expect(index.completeEmptyUpload(unrecorded, d, 3)).rejects.toMatchObject({ code: 'NAME_UNKNOWN' })
      expect(await index.getUpload('ghost/fast', unrecorded.id)).toBeNull()
      const recorded = newSession('ghost/fast')
      await index.openUpload(recorded)
      await expect(index.completeEmptyUpload(recorded, d, 3)).rejects.toMatchObject({ code: 'NAME_UNKNOWN' })
      expect(await index.findBlob('ghost/fast', d)).toBeNull()
      expect(await index.getUpload('ghost/fast', recorded.id)).toEqual({ state: 'open', session: recorded })
      await index.deleteUpload(recorded.id)
    })

    it('lists open sessions not touched since a time, oldest first, and forgets closed ones that ended before it', async () => {
      const now = Date.now()
      const sessions = Array.from({ length: 4 }, () => newSession('up/stale', new Date(now - 4 * 3600_000)))
      const ids = sessions.map((s) => s.id)
      for (const s of sessions) await index.openUpload(s)
      // Age three of them.
      await prisma.upload.update({ where: { id: ids[0] }, data: { updatedAt: new Date(now - 3 * 3600_000) } })
      await prisma.upload.update({ where: { id: ids[1] }, data: { updatedAt: new Date(now - 2 * 3600_000) } })
      await prisma.upload.update({ where: { id: ids[2] }, data: { updatedAt: new Date(now - 1 * 3600_000) } })
      const before = new Date(now - 30 * 60_000)
      const stale = await index.listStaleUploads(before, 10)
      expect(stale.map((s) => s.id)).toEqual([ids[0], ids[1], ids[2]])
      expect(stale[0]).toMatchObject({ repository: 'up/stale', size: 0 })
      expect((await index.listStaleUploads(before, 2)).map((s) => s.id)).toEqual([ids[0], ids[1]])
      // Touching a session makes it fresh again.
      expect(await index.updateUpload(ids[0], 5)).toBe(true)
      expect((await index.listStaleUploads(before, 10)).map((s) => s.id)).toEqual([ids[1], ids[2]])

      // Closed sessions are never stale; they are forgotten once they ended before the time.
      const closedLongAgo = newSession('up/stale', new Date(now - 5 * 3600_000))
      const closedJustNow = newSession('up/stale', new Date(now - 5 * 3600_000))
      await index.closeUpload(closedLongAgo)
      await index.closeUpload(closedJustNow)
      await index.closeUpload(sessions[1])
      await prisma.upload.updateMany({ where: { id: { in: [closedLongAgo.id, sessions[1].id] } }, data: { updatedAt: new Date(now - 3600_000) } })
      expect((await index.listStaleUploads(before, 10)).map((s) => s.id)).toEqual([ids[2]])
      expect(await index.purgeClosedUploads(before)).toBe(2)
      expect(await index.getUpload('up/stale', closedLongAgo.id)).toBeNull()
      expect(await index.getUpload('up/stale', sessions[1].id)).toBeNull()
      expect(await index.getUpload('up/stale', closedJustNow.id)).toEqual({ state: 'closed' })
      expect(await index.getUpload('up/stale', ids[2])).toMatchObject({ state: 'open' }) // open ones are the stale purge's
      for (const id of [...ids, closedJustNow.id]) await index.deleteUpload(id)
    })
  })
})
