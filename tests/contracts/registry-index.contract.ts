// The RegistryIndex contract (registry-core/src/ports.ts) as one suite, run against every
// implementation (tests/unit/contracts/registry-indexes.test.ts, tests/db/registry-index-contract.test.ts).
// One index per suite: every test works in repositories of its own, so implementations backed by a
// database need not be recreated per test. Implementation details (SQL races, webhook outbox,
// actor encodings) stay in each implementation's own tests. Not a test file itself.
import { beforeAll, afterAll, describe, expect, it } from 'vitest'
import { createHash, randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { ANONYMOUS, type ManifestRecord, type ManifestReference, type RegistryIndex, type UploadSession } from '../../registry-core/src/ports'

/**
 * What the suite needs from an implementation: repositories in project `public/` may be created and
 * are in everyone's catalog; in `private/`, created but in nobody's anonymous catalog; in `nowhere/`,
 * never created (NAME_UNKNOWN).
 */
export interface RegistryIndexFixture {
  index: RegistryIndex
  cleanup?: () => Promise<void>
}
export const CONTRACT_PROJECTS = { public: 'contract', private: 'contract-private', missing: 'contract-missing' } as const

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip'

const digestOf = (data: string | Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`
const uniqueDigest = () => digestOf(`blob ${randomUUID()}`)
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

/** A repository no other test uses. */
const repoName = (label: string) => `${CONTRACT_PROJECTS.public}/${label}-${randomUUID().slice(0, 8)}`

function image(refs: ManifestReference[], extra: Partial<ManifestRecord> = {}): ManifestRecord {
  const content = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, layers: refs.map((r) => r.digest), note: `ünïcødé ✓ ${randomUUID()}` }, null, 3))
  return { digest: digestOf(content), mediaType: OCI_MANIFEST, content, artifactType: OCI_CONFIG, references: refs, ...extra }
}

function imageIndex(children: ManifestRecord[]): ManifestRecord {
  const content = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: children.map((c) => c.digest), n: randomUUID() }))
  return {
    digest: digestOf(content),
    mediaType: OCI_INDEX,
    content,
    references: children.map((c) => ({ kind: 'manifest' as const, digest: c.digest, size: c.content.length, mediaType: c.mediaType })),
  }
}

export function describeRegistryIndexContract(name: string, open: () => Promise<RegistryIndexFixture>): void {
  describe(`RegistryIndex contract: ${name}`, () => {
    let fixture: RegistryIndexFixture
    let index: RegistryIndex
    beforeAll(async () => {
      fixture = await open()
      index = fixture.index
    })
    afterAll(async () => {
      await fixture?.cleanup?.()
    })

    /** Blobs linked to `repo`, as references. */
    async function linked(repo: string, count = 2): Promise<ManifestReference[]> {
      const refs: ManifestReference[] = []
      for (let i = 0; i < count; i++) {
        const ref: ManifestReference = { kind: 'blob', digest: uniqueDigest(), size: 100 + i, mediaType: OCI_LAYER }
        await index.linkBlob(repo, ref.digest, ref.size)
        refs.push(ref)
      }
      return refs
    }

    async function pushed(repo: string, tag?: string, extra: Partial<ManifestRecord> = {}): Promise<ManifestRecord> {
      const m = image(await linked(repo), extra)
      expect(await index.putManifest(repo, m, tag)).toEqual({ ok: true })
      return m
    }

    describe('blob links', () => {
      it('links, finds and unlinks a blob per repository', async () => {
        const repo = repoName('blobs')
        const other = repoName('blobs-other')
        const d = uniqueDigest()
        expect(await index.findBlob(repo, d)).toBeNull()
        await index.linkBlob(repo, d, 42)
        await index.linkBlob(repo, d, 42) // idempotent
        expect(await index.findBlob(repo, d)).toEqual({ size: 42 })
        expect(await index.findBlob(other, d)).toBeNull()
        await index.linkBlob(other, d, 42)
        expect(await index.unlinkBlob(repo, d)).toBe(true)
        expect(await index.unlinkBlob(repo, d)).toBe(false)
        expect(await index.findBlob(repo, d)).toBeNull()
        expect(await index.findBlob(other, d)).toEqual({ size: 42 })
      })

      it('keeps sizes above 4 GiB exact', async () => {
        const repo = repoName('big')
        const d = uniqueDigest()
        await index.linkBlob(repo, d, 6 * 1024 ** 3 + 7)
        expect(await index.findBlob(repo, d)).toEqual({ size: 6 * 1024 ** 3 + 7 })
      })

      it('linking creates the repository (empty tag list); a repository that may not exist is refused with NAME_UNKNOWN', async () => {
        const repo = repoName('created')
        expect(await index.listTags(repo, { n: 10 })).toBeNull()
        await index.linkBlob(repo, uniqueDigest(), 1)
        expect(await index.listTags(repo, { n: 10 })).toEqual([])
        const ghost = `${CONTRACT_PROJECTS.missing}/app-${randomUUID().slice(0, 8)}`
        const d = uniqueDigest()
        await expect(index.linkBlob(ghost, d, 1)).rejects.toMatchObject({ code: 'NAME_UNKNOWN' })
        expect(await index.findBlob(ghost, d)).toBeNull()
        expect(await index.listTags(ghost, { n: 10 })).toBeNull()
      })
    })

    describe('manifests and tags', () => {
      it('stores a manifest byte for byte and serves it by tag and by digest, in its repository only', async () => {
        const repo = repoName('bytes')
        const m = await pushed(repo, 'v1')
        for (const ref of [{ tag: 'v1' }, { digest: m.digest }]) {
          const got = await index.getManifest(repo, ref)
          expect(got).toMatchObject({ digest: m.digest, mediaType: OCI_MANIFEST })
          expect(got?.content.equals(m.content)).toBe(true)
        }
        expect(await index.getManifest(repo, { tag: 'v2' })).toBeNull()
        expect(await index.getManifest(repo, { digest: uniqueDigest() })).toBeNull()
        expect(await index.getManifest(repoName('elsewhere'), { digest: m.digest })).toBeNull()
      })

      it('writes nothing when a referenced blob or child manifest is missing, and names the missing digests', async () => {
        const repo = repoName('missing')
        const [present] = await linked(repo, 1)
        const absent: ManifestReference = { kind: 'blob', digest: uniqueDigest(), size: 5, mediaType: OCI_LAYER }
        const m = image([present!, absent])
        expect(await index.putManifest(repo, m, 'v1')).toEqual({ ok: false, missing: [absent.digest] })
        expect(await index.getManifest(repo, { digest: m.digest })).toBeNull()
        expect(await index.listTags(repo, { n: 10 })).toEqual([])
        const fresh = repoName('missing-new')
        expect(await index.putManifest(fresh, image([absent]), 'v1')).toEqual({ ok: false, missing: [absent.digest] })
        expect(await index.listTags(fresh, { n: 10 })).toBeNull()
      })

      it('records a cached manifest (proxy-cache) whose references are missing, references included', async () => {
        const repo = repoName('cached')
        const layer: ManifestReference = { kind: 'blob', digest: uniqueDigest(), size: 5, mediaType: OCI_LAYER }
        const child = image([layer])
        expect(await index.putManifest(repo, child, undefined, ANONYMOUS, { cached: true })).toEqual({ ok: true })
        const idx = imageIndex([child, image([])])
        expect(await index.putManifest(repo, idx, 'multi', ANONYMOUS, { cached: true })).toEqual({ ok: true })
        expect(await index.getManifest(repo, { tag: 'multi' })).toMatchObject({ digest: idx.digest, mediaType: OCI_INDEX })
        expect(await index.getManifest(repo, { digest: child.digest })).toMatchObject({ digest: child.digest })
        // The references were recorded: the index still protects its cached child.
        expect(await index.deleteManifest(repo, child.digest)).toEqual({ ok: false, referencedBy: [idx.digest] })
        await expect(index.putManifest(`${CONTRACT_PROJECTS.missing}/app-${randomUUID().slice(0, 8)}`, child, 'v1', ANONYMOUS, { cached: true })).rejects.toMatchObject({
          code: 'NAME_UNKNOWN',
        })
      })

      it('tagCheckedAt/markTagChecked (when offered) keep when a tag was last confirmed upstream, and forget it with the tag', async (ctx) => {
        if (!index.tagCheckedAt || !index.markTagChecked) return ctx.skip()
        const repo = repoName('checked')
        await pushed(repo, 'v1')
        expect(await index.tagCheckedAt(repo, 'v1')).toBeNull()
        const at = new Date(Date.now() - 5_000)
        await index.markTagChecked(repo, 'v1', at)
        expect((await index.tagCheckedAt(repo, 'v1'))?.getTime()).toBe(at.getTime())
        const later = new Date()
        await index.markTagChecked(repo, 'v1', later)
        expect((await index.tagCheckedAt(repo, 'v1'))?.getTime()).toBe(later.getTime())
        // Only existing tags are marked.
        await index.markTagChecked(repo, 'nope', at)
        expect(await index.tagCheckedAt(repo, 'nope')).toBeNull()
        expect(await index.tagCheckedAt(repoName('none'), 'v1')).toBeNull()
        // A deleted tag pushed again has never been checked.
        await index.deleteTag(repo, 'v1')
        expect(await index.tagCheckedAt(repo, 'v1')).toBeNull()
        await pushed(repo, 'v1')
        expect(await index.tagCheckedAt(repo, 'v1')).toBeNull()
      })

      it("requires an index's child manifests to be manifests of the same repository", async () => {
        const repo = repoName('children')
        const other = repoName('children-other')
        const child = await pushed(other)
        const idx = imageIndex([child])
        expect(await index.putManifest(repo, idx, 'multi')).toEqual({ ok: false, missing: [child.digest] })
        expect(await index.putManifest(repo, child)).toEqual({ ok: false, missing: child.references.map((r) => r.digest) })
        for (const ref of child.references) await index.linkBlob(repo, ref.digest, ref.size)
        expect(await index.putManifest(repo, child)).toEqual({ ok: true })
        expect(await index.putManifest(repo, idx, 'multi')).toEqual({ ok: true })
        expect(await index.getManifest(repo, { tag: 'multi' })).toMatchObject({ digest: idx.digest, mediaType: OCI_INDEX })
      })

      it('a manifest with nothing missing into a repository that may not exist is refused with NAME_UNKNOWN', async () => {
        const ghost = `${CONTRACT_PROJECTS.missing}/app-${randomUUID().slice(0, 8)}`
        await expect(index.putManifest(ghost, image([]), 'v1')).rejects.toMatchObject({ code: 'NAME_UNKNOWN' })
        expect(await index.listTags(ghost, { n: 10 })).toBeNull()
      })

      it('is idempotent by digest, moves tags, and deletes tags without the manifest', async () => {
        const repo = repoName('tags')
        const a = await pushed(repo, 'latest')
        expect(await index.putManifest(repo, a, 'v1')).toEqual({ ok: true })
        expect(await index.putManifest(repo, a)).toEqual({ ok: true })
        const b = await pushed(repo, 'latest')
        expect((await index.getManifest(repo, { tag: 'latest' }))?.digest).toBe(b.digest)
        expect((await index.getManifest(repo, { tag: 'v1' }))?.digest).toBe(a.digest)
        expect(await index.deleteTag(repo, 'v1')).toEqual({ digest: a.digest })
        expect(await index.deleteTag(repo, 'v1')).toBeNull()
        expect(await index.deleteTag(repoName('nope'), 'v1')).toBeNull()
        expect(await index.getManifest(repo, { tag: 'v1' })).toBeNull()
        expect(await index.getManifest(repo, { digest: a.digest })).not.toBeNull()
      })

      it('deleting a manifest deletes every tag pointing at it (named, byte-ordered) and nothing else', async () => {
        const repo = repoName('delete')
        const m = await pushed(repo, 'b')
        await index.putManifest(repo, m, 'B')
        await index.putManifest(repo, m, 'a')
        const kept = await pushed(repo, 'kept')
        expect(await index.deleteManifest(repo, m.digest)).toEqual({ ok: true, mediaType: OCI_MANIFEST, tags: ['B', 'a', 'b'], children: [] })
        expect(await index.deleteManifest(repo, m.digest)).toBeNull()
        expect(await index.deleteManifest(repoName('nope'), m.digest)).toBeNull()
        expect(await index.getManifest(repo, { digest: m.digest })).toBeNull()
        expect(await index.getManifest(repo, { tag: 'a' })).toBeNull()
        expect(await index.listTags(repo, { n: 10 })).toEqual(['kept'])
        expect((await index.getManifest(repo, { tag: 'kept' }))?.digest).toBe(kept.digest)
        // The blobs stay linked: unlinking them is a separate decision.
        expect(await index.findBlob(repo, m.references[0]!.digest)).not.toBeNull()
      })
    })

    describe('deleting index children', () => {
      async function pushIndex(repo: string) {
        const amd = await pushed(repo)
        const arm = await pushed(repo)
        const idx = imageIndex([amd, arm])
        expect(await index.putManifest(repo, idx, 'v1')).toEqual({ ok: true })
        return { amd, arm, idx }
      }

      it('refuses to delete a child while an index references it, naming the indexes', async () => {
        const repo = repoName('child')
        const { arm, idx } = await pushIndex(repo)
        const second = imageIndex([arm])
        await index.putManifest(repo, second)
        expect(await index.deleteManifest(repo, arm.digest)).toEqual({ ok: false, referencedBy: [idx.digest, second.digest].sort() })
        expect(await index.getManifest(repo, { digest: arm.digest })).not.toBeNull()
      })

      it('deleting an index deletes the children nothing else needs, and keeps tagged or shared ones', async () => {
        const repo = repoName('cascade')
        const { amd, arm, idx } = await pushIndex(repo)
        const lone = await pushed(repo)
        const other = imageIndex([lone, arm])
        expect(await index.putManifest(repo, other, 'other')).toEqual({ ok: true })
        await index.putManifest(repo, amd, 'amd-only')
        expect(await index.deleteManifest(repo, idx.digest)).toEqual({ ok: true, tags: ['v1'], mediaType: OCI_INDEX, children: [] })
        expect(await index.getManifest(repo, { digest: arm.digest })).not.toBeNull()
        expect(await index.getManifest(repo, { digest: amd.digest })).not.toBeNull()
        expect(await index.deleteManifest(repo, other.digest)).toEqual({
          ok: true,
          tags: ['other'],
          mediaType: OCI_INDEX,
          children: [lone.digest, arm.digest].sort().map((digest) => ({ digest, mediaType: OCI_MANIFEST })),
        })
        expect(await index.getManifest(repo, { digest: arm.digest })).toBeNull()
        expect(await index.getManifest(repo, { digest: lone.digest })).toBeNull()
        expect(await index.getManifest(repo, { tag: 'amd-only' })).not.toBeNull()
      })
    })

    describe('listings', () => {
      it('lists tags in byte-lexical order, at most n + 1 after last; null for an unknown repository', async () => {
        const repo = repoName('list')
        const m = await pushed(repo)
        const tags = ['b', 'B', 'a', 'a-1', 'a_1', 'Z', '1.0', '10', '9']
        for (const t of tags) await index.putManifest(repo, m, t)
        const sorted = [...tags].sort(byteOrder)
        expect(await index.listTags(repo, { n: 100 })).toEqual(sorted)
        expect(await index.listTags(repo, { n: 2 })).toEqual(sorted.slice(0, 3))
        expect(await index.listTags(repo, { n: 2, last: sorted[2] })).toEqual(sorted.slice(3, 6))
        expect(await index.listTags(repo, { n: 100, last: sorted.at(-1) })).toEqual([])
        expect(await index.listTags(repo, { n: 0 })).toEqual(sorted.slice(0, 1))
        expect(await index.listTags(repoName('unknown'), { n: 10 })).toBeNull()
      })

      it('lists repositories in byte-lexical order, at most n + 1 after last', async () => {
        const prefix = `${CONTRACT_PROJECTS.public}/cat-${randomUUID().slice(0, 8)}-`
        const names = ['b', 'a/z', 'a', 'a-b', 'B'].map((n) => prefix + n)
        for (const n of names) await index.linkBlob(n, uniqueDigest(), 1)
        const sorted = [...names].sort(byteOrder)
        const mine = (list: string[]) => list.filter((n) => n.startsWith(prefix))
        expect(mine(await index.listRepositories({ n: 100, last: prefix }, ANONYMOUS))).toEqual(sorted)
        expect(await index.listRepositories({ n: 1, last: prefix }, ANONYMOUS)).toEqual(sorted.slice(0, 2))
        expect(await index.listRepositories({ n: 1, last: sorted[1] }, ANONYMOUS)).toEqual(sorted.slice(2, 4))
        const all = await index.listRepositories({ n: 10_000 }, ANONYMOUS)
        expect([...all].sort(byteOrder)).toEqual(all)
      })

      it('lists in the catalog only what the actor may read', async () => {
        const hidden = `${CONTRACT_PROJECTS.private}/app-${randomUUID().slice(0, 8)}`
        const shown = repoName('shown')
        await index.linkBlob(hidden, uniqueDigest(), 1)
        await index.linkBlob(shown, uniqueDigest(), 1)
        const all = await index.listRepositories({ n: 10_000 }, ANONYMOUS)
        expect(all).toContain(shown)
        expect(all).not.toContain(hidden)
      })

      it('lists referrers of a subject oldest first, optionally of one artifact type, in their repository only', async () => {
        const repo = repoName('referrers')
        const subject = await pushed(repo, 'v1')
        const descriptor = { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.content.length }
        const sbom = await pushed(repo, undefined, { subject: descriptor, artifactType: 'application/spdx+json', annotations: { 'org.example': 'sbom ✓' } })
        const sig = await pushed(repo, undefined, { subject: descriptor, artifactType: 'application/vnd.example.sig' })
        await pushed(repo) // no subject
        expect(await index.listReferrers(repo, subject.digest)).toEqual([
          { mediaType: OCI_MANIFEST, digest: sbom.digest, size: sbom.content.length, artifactType: 'application/spdx+json', annotations: { 'org.example': 'sbom ✓' } },
          { mediaType: OCI_MANIFEST, digest: sig.digest, size: sig.content.length, artifactType: 'application/vnd.example.sig' },
        ])
        expect((await index.listReferrers(repo, subject.digest, 'application/vnd.example.sig')).map((d) => d.digest)).toEqual([sig.digest])
        expect(await index.listReferrers(repo, subject.digest, 'application/none')).toEqual([])
        expect(await index.listReferrers(repoName('other'), subject.digest)).toEqual([])
        // Deleting a referrer removes it from the list.
        await index.deleteManifest(repo, sig.digest)
        expect((await index.listReferrers(repo, subject.digest)).map((d) => d.digest)).toEqual([sbom.digest])
      })
    })

    describe('upload sessions', () => {
      const newSession = (repository: string): UploadSession => ({ id: randomUUID(), repository, size: 0, startedAt: new Date(Date.now() - 1000) })

      it('records a session when asked, reads, updates and forgets it', async () => {
        const repo = repoName('up')
        const s = newSession(repo)
        expect(await index.getUpload(repo, s.id)).toBeNull()
        expect(await index.openUpload(s)).toBe(true)
        expect(await index.getUpload(repo, s.id)).toEqual({ state: 'open', session: s })
        expect(await index.getUpload(repoName('up-other'), s.id)).toBeNull()
        expect(await index.updateUpload(s.id, 6 * 1024 ** 3 + 1)).toBe(true)
        expect(await index.openUpload(s)).toBe(true)
        expect(await index.getUpload(repo, s.id)).toEqual({ state: 'open', session: { ...s, size: 6 * 1024 ** 3 + 1 } })
        await index.deleteUpload(s.id)
        await index.deleteUpload(s.id)
        expect(await index.getUpload(repo, s.id)).toBeNull()
        expect(await index.updateUpload(s.id, 10)).toBe(false)
      })

      it('closeUpload records a session closed, recorded before or not, and only once; a closed session stays closed', async () => {
        const repo = repoName('close')
        const recorded = newSession(repo)
        await index.openUpload(recorded)
        const unrecorded = newSession(repo)
        for (const s of [recorded, unrecorded]) {
          expect(await index.closeUpload(s)).toBe(true)
          expect(await index.getUpload(repo, s.id)).toEqual({ state: 'closed' })
          expect(await index.closeUpload(s)).toBe(false)
          expect(await index.openUpload(s)).toBe(false)
          expect(await index.updateUpload(s.id, 5)).toBe(false)
          expect(await index.getUpload(repo, s.id)).toEqual({ state: 'closed' })
        }
      })

      it('completeUpload links the blob and records the session closed', async () => {
        const repo = repoName('complete')
        const s = newSession(repo)
        await index.openUpload(s)
        await index.updateUpload(s.id, 9)
        const d = uniqueDigest()
        await index.completeUpload({ ...s, size: 9 }, d, 9)
        expect(await index.findBlob(repo, d)).toEqual({ size: 9 })
        expect(await index.getUpload(repo, s.id)).toEqual({ state: 'closed' })
        const unrecorded = newSession(repo)
        await index.completeUpload(unrecorded, d, 9)
        expect(await index.getUpload(repo, unrecorded.id)).toEqual({ state: 'closed' })
      })

      it('completeUpload into a repository that may not exist links nothing and keeps the session', async () => {
        const ghost = `${CONTRACT_PROJECTS.missing}/app-${randomUUID().slice(0, 8)}`
        const s = newSession(ghost)
        await index.openUpload(s)
        const d = uniqueDigest()
        await expect(index.completeUpload(s, d, 3)).rejects.toMatchObject({ code: 'NAME_UNKNOWN' })
        expect(await index.findBlob(ghost, d)).toBeNull()
        expect(await index.getUpload(ghost, s.id)).toEqual({ state: 'open', session: s })
      })

      it('completeEmptyUpload (when offered) closes an unrecorded or empty session only, and says which it was', async (ctx) => {
        if (!index.completeEmptyUpload) return ctx.skip()
        const repo = repoName('empty')
        const unrecorded = newSession(repo)
        const d1 = uniqueDigest()
        expect(await index.completeEmptyUpload(unrecorded, d1, 4)).toEqual({ recorded: false })
        expect(await index.findBlob(repo, d1)).toEqual({ size: 4 })
        expect(await index.getUpload(repo, unrecorded.id)).toEqual({ state: 'closed' })
        expect(await index.completeEmptyUpload(unrecorded, uniqueDigest(), 4)).toBeNull()

        const empty = newSession(repo)
        await index.openUpload(empty)
        expect(await index.completeEmptyUpload(empty, uniqueDigest(), 4)).toEqual({ recorded: true })
        expect(await index.getUpload(repo, empty.id)).toEqual({ state: 'closed' })

        const withBytes = newSession(repo)
        await index.openUpload(withBytes)
        await index.updateUpload(withBytes.id, 3)
        const d2 = uniqueDigest()
        expect(await index.completeEmptyUpload(withBytes, d2, 4)).toBeNull()
        expect(await index.findBlob(repo, d2)).toBeNull()
        expect(await index.getUpload(repo, withBytes.id)).toEqual({ state: 'open', session: { ...withBytes, size: 3 } })

        const ghost = `${CONTRACT_PROJECTS.missing}/app-${randomUUID().slice(0, 8)}`
        const refused = newSession(ghost)
        await expect(index.completeEmptyUpload(refused, uniqueDigest(), 4)).rejects.toMatchObject({ code: 'NAME_UNKNOWN' })
        expect(await index.getUpload(ghost, refused.id)).toBeNull()
      })

      it('lists open sessions untouched since a time, oldest first, and purges closed ones that ended before it', async () => {
        const repo = repoName('stale')
        const older = newSession(repo)
        const newer = newSession(repo)
        const closed = newSession(repo)
        await index.openUpload(older)
        await sleep(5)
        await index.openUpload(newer)
        await index.closeUpload(closed)
        const ours = (list: UploadSession[]) => list.filter((s) => s.repository === repo).map((s) => s.id)
        expect(ours(await index.listStaleUploads(new Date(Date.now() - 60_000), 1000))).toEqual([])
        await sleep(5)
        const future = new Date(Date.now() + 60_000)
        expect(ours(await index.listStaleUploads(future, 10_000))).toEqual([older.id, newer.id])
        await index.purgeClosedUploads(new Date(Date.now() - 60_000))
        expect(await index.getUpload(repo, closed.id)).toEqual({ state: 'closed' })
        expect(await index.purgeClosedUploads(future)).toBeGreaterThanOrEqual(1)
        expect(await index.getUpload(repo, closed.id)).toBeNull()
        expect(await index.getUpload(repo, older.id)).toMatchObject({ state: 'open' })
      })
    })
  })
}
