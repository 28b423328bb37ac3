// The referrers API (distribution-spec 1.1): GET /v2/<name>/referrers/<digest>[?artifactType=].
// Mirrors the conformance suite's discovery setup: referrers pushed before and after their subject,
// artifactType from the manifest or from its config media type, an index with a subject, a subject
// that never exists. Distribution 2.8 has no referrers API, so this file runs only against ours.
import { beforeAll, describe, expect, it } from 'vitest'
import { expectApiVersion, expectOciError, expectStatus } from '../support/assertions'
import { registryUnderTest } from '../support/context'
import { EMPTY_JSON_BLOB, MT, blobOf, descriptor, ociImage, ociIndex, ociManifest, randomUuid, sha256, type Manifest } from '../support/oci'

const reg = registryUnderTest()
const client = reg.client()

const TYPE_A = 'application/vnd.nhl.peanut.butter.bagel'
const TYPE_B = 'application/vnd.nba.strawberry.jam.croissant'
const TYPE_INDEX = 'application/vnd.food.stand'
const KEY = 'org.opencontainers.conformance.test'

interface Entry {
  mediaType: string
  digest: string
  size: number
  artifactType?: string
  annotations?: Record<string, string>
}

async function listReferrers(repo: string, digest: string, artifactType?: string) {
  const r = await client.referrers(repo, digest, artifactType ? { artifactType } : {})
  expectStatus(r, 200)
  expectApiVersion(r)
  expect(r.header('content-type'), r.describe()).toBe(MT.ociIndex)
  const body = r.json()
  expect(body.schemaVersion, r.describe()).toBe(2)
  expect(body.mediaType, r.describe()).toBe(MT.ociIndex)
  expect(Array.isArray(body.manifests), r.describe()).toBe(true)
  return { res: r, manifests: body.manifests as Entry[] }
}

function entryFor(m: Manifest, artifactType: string | undefined, annotations: Record<string, string> | undefined): Entry {
  const e: Entry = { mediaType: m.mediaType, digest: m.digest, size: m.size }
  if (artifactType !== undefined) e.artifactType = artifactType
  if (annotations) e.annotations = annotations
  return e
}

describe.skipIf(reg.flavour === 'external')('referrers API', () => {
  const repo = reg.repo('referrers')
  const subject = ociImage()
  const absentSubject = ociImage() // never pushed
  const blobA = blobOf('NHL Peanut Butter on my NHL bagel ' + randomUuid())
  const blobB = blobOf('NBA Strawberry Jam on my NBA croissant ' + randomUuid())

  const subj = subject.manifest.descriptor()
  // artifactType from the config media type (no artifactType field)
  const aConfig = ociManifest({
    config: descriptor(TYPE_A, blobA),
    layers: [descriptor(MT.ociEmpty, EMPTY_JSON_BLOB)],
    subject: subj,
    annotations: { [KEY]: 'test config a' },
  })
  // artifactType field, empty config
  const aLayer = ociManifest({
    artifactType: TYPE_A,
    config: descriptor(MT.ociEmpty, EMPTY_JSON_BLOB),
    layers: [descriptor(TYPE_A, blobA)],
    subject: subj,
    annotations: { [KEY]: 'test layer a' },
  })
  const bConfig = ociManifest({
    config: descriptor(TYPE_B, blobB),
    layers: [descriptor(MT.ociEmpty, EMPTY_JSON_BLOB)],
    subject: subj,
    annotations: { [KEY]: 'test config b' },
  })
  const bLayer = ociManifest({
    artifactType: TYPE_B,
    config: descriptor(MT.ociEmpty, EMPTY_JSON_BLOB),
    layers: [descriptor(TYPE_B, blobB)],
    subject: subj,
    annotations: { [KEY]: 'test layer b' },
  })
  // an index with a subject and an artifactType
  const index = ociIndex({
    artifactType: TYPE_INDEX,
    manifests: [aConfig.descriptor(), aLayer.descriptor()],
    subject: subj,
    annotations: { [KEY]: 'test index' },
  })
  // an index with a subject and no artifactType: its descriptor carries none
  const plainIndex = ociIndex({ manifests: [aConfig.descriptor()], subject: subj, annotations: { [KEY]: 'plain index' } })
  // a referrer of a subject that is never pushed
  const cLayer = ociManifest({
    artifactType: TYPE_B,
    config: descriptor(MT.ociEmpty, EMPTY_JSON_BLOB),
    layers: [descriptor(TYPE_B, blobB)],
    subject: absentSubject.manifest.descriptor(),
  })

  const expected = [
    entryFor(aConfig, TYPE_A, { [KEY]: 'test config a' }),
    entryFor(aLayer, TYPE_A, { [KEY]: 'test layer a' }),
    entryFor(index, TYPE_INDEX, { [KEY]: 'test index' }),
    entryFor(plainIndex, undefined, { [KEY]: 'plain index' }),
    entryFor(bConfig, TYPE_B, { [KEY]: 'test config b' }),
    entryFor(bLayer, TYPE_B, { [KEY]: 'test layer b' }),
  ]

  async function putWithSubject(m: Manifest, subjectDigest: string) {
    const r = await client.putManifest(repo, m.digest, m)
    expectStatus(r, 201)
    expect(r.header('oci-subject'), r.describe()).toBe(subjectDigest)
  }

  beforeAll(async () => {
    await client.pushBlobs(repo, [EMPTY_JSON_BLOB, blobA])
    // referrers pushed before the subject exists
    await putWithSubject(aConfig, subject.manifest.digest)
    await putWithSubject(aLayer, subject.manifest.digest)
    await putWithSubject(index, subject.manifest.digest)
    await putWithSubject(plainIndex, subject.manifest.digest)
    // the subject, then more referrers
    await client.pushImage(repo, subject, 'tagtest0')
    await client.pushBlob(repo, blobB)
    await putWithSubject(bConfig, subject.manifest.digest)
    await putWithSubject(bLayer, subject.manifest.digest)
    await putWithSubject(cLayer, absentSubject.manifest.digest)
  })

  it('an unknown digest answers 200 with an empty image index', async () => {
    const { manifests } = await listReferrers(repo, sha256('hello world ' + randomUuid()))
    expect(manifests).toEqual([])
  })

  it('a repository that does not exist answers 200 with an empty image index', async () => {
    const { manifests } = await listReferrers(reg.repo('no-referrers'), sha256(randomUuid()))
    expect(manifests).toEqual([])
  })

  it('a subject without referrers answers 200 with an empty index', async () => {
    const { manifests } = await listReferrers(repo, aConfig.digest)
    expect(manifests).toEqual([])
  })

  it('lists every referrer with mediaType, digest, size, artifactType (from the config when absent) and annotations', async () => {
    const { res, manifests } = await listReferrers(repo, subject.manifest.digest)
    expect(res.header('oci-filters-applied')).toBeNull()
    const byDigest = new Map(manifests.map((m) => [m.digest, m]))
    expect(manifests.length, JSON.stringify(manifests)).toBe(expected.length)
    for (const e of expected) {
      const got = byDigest.get(e.digest)
      expect(got, `referrer ${e.digest} listed`).toBeDefined()
      expect(got!.mediaType).toBe(e.mediaType)
      expect(got!.size).toBe(e.size)
      if (e.artifactType === undefined) expect(got!.artifactType, 'an index without artifactType gets none').toBeUndefined()
      else expect(got!.artifactType).toBe(e.artifactType)
      expect(got!.annotations).toEqual(e.annotations)
    }
  })

  it('artifactType filter: only matching referrers, with OCI-Filters-Applied: artifactType', async () => {
    const { res, manifests } = await listReferrers(repo, subject.manifest.digest, TYPE_A)
    expect(res.header('oci-filters-applied'), res.describe()).toBe('artifactType')
    expect(manifests.map((m) => m.digest).sort()).toEqual([aConfig.digest, aLayer.digest].sort())
    for (const m of manifests) expect(m.annotations?.[KEY]).toMatch(/^test (config|layer) a$/)
  })

  it('artifactType filter on an index type and on a type nobody has', async () => {
    const idx = await listReferrers(repo, subject.manifest.digest, TYPE_INDEX)
    expect(idx.res.header('oci-filters-applied')).toBe('artifactType')
    expect(idx.manifests.map((m) => m.digest)).toEqual([index.digest])
    const none = await listReferrers(repo, subject.manifest.digest, 'application/vnd.nobody.uses.this')
    expect(none.res.header('oci-filters-applied')).toBe('artifactType')
    expect(none.manifests).toEqual([])
  })

  it('a subject that was never pushed lists its referrer', async () => {
    const { manifests } = await listReferrers(repo, absentSubject.manifest.digest)
    expect(manifests).toEqual([entryFor(cLayer, TYPE_B, undefined)])
  })

  it('referrers are per repository', async () => {
    const other = reg.repo('referrers-other')
    await client.pushImage(other, subject, 'same-subject')
    const { manifests } = await listReferrers(other, subject.manifest.digest)
    expect(manifests).toEqual([])
  })

  it('a deleted referrer disappears from the list; deleting the subject keeps the others listed', async () => {
    const extra = ociManifest({
      artifactType: 'application/vnd.example.temporary',
      config: descriptor(MT.ociEmpty, EMPTY_JSON_BLOB),
      layers: [descriptor(TYPE_A, blobA)],
      subject: subj,
    })
    await putWithSubject(extra, subject.manifest.digest)
    let list = await listReferrers(repo, subject.manifest.digest)
    expect(list.manifests.map((m) => m.digest)).toContain(extra.digest)
    expectStatus(await client.deleteManifest(repo, extra.digest), 202)
    list = await listReferrers(repo, subject.manifest.digest)
    expect(list.manifests.map((m) => m.digest)).not.toContain(extra.digest)
    expect(list.manifests.length).toBe(expected.length)
  })

  it('a referrer pushed by tag is listed too', async () => {
    const tagged = ociManifest({
      artifactType: 'application/vnd.example.tagged',
      config: descriptor(MT.ociEmpty, EMPTY_JSON_BLOB),
      layers: [descriptor(TYPE_A, blobA)],
      subject: subj,
      annotations: { 'org.example.k': 'v' },
    })
    const r = await client.putManifest(repo, 'tagged-artifact', tagged)
    expectStatus(r, 201)
    expect(r.header('oci-subject')).toBe(subject.manifest.digest)
    const { manifests } = await listReferrers(repo, subject.manifest.digest, 'application/vnd.example.tagged')
    expect(manifests).toEqual([entryFor(tagged, 'application/vnd.example.tagged', { 'org.example.k': 'v' })])
  })

  it('an invalid digest answers 400 with an OCI error', async () => {
    const r = await client.get(`/v2/${repo}/referrers/sha256:not-a-digest`)
    expectOciError(r, 400, 'DIGEST_INVALID')
  })
})
