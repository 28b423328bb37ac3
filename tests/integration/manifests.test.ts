// Pushing, pulling and deleting manifests of every kind, and manifest validation (spec: Push, Pull, Content Management).
import { beforeAll, describe, expect, it } from 'vitest'
import { expectApiVersion, expectBody, expectOciError, expectStatus } from '../support/assertions'
import { registryUnderTest } from '../support/context'
import {
  EMPTY_JSON_BLOB,
  MT,
  descriptor,
  dockerImage,
  dockerManifestList,
  imageConfig,
  manifestOf,
  ociArtifact,
  ociImage,
  ociIndex,
  ociManifest,
  randomBlob,
  randomUuid,
  rawManifest,
  rawRequest,
  sha256,
  type Manifest,
} from '../support/oci'

const reg = registryUnderTest()
const client = reg.client()
const ours = reg.flavour === 'ours'

/** PUT answered 201 with Location (which serves the same bytes) and Docker-Content-Digest. */
async function expectManifestCreated(repo: string, reference: string, m: Manifest) {
  const r = await client.putManifest(repo, reference, m)
  expectStatus(r, 201)
  expectApiVersion(r)
  expect(r.header('docker-content-digest'), r.describe()).toBe(m.digest)
  const location = r.header('location')
  expect(location, `Location on ${r.describe()}`).toBeTruthy()
  const viaLocation = await client.get(location!, { headers: { accept: [MT.ociManifest, MT.ociIndex, MT.dockerManifest, MT.dockerList].join(', ') } })
  expectStatus(viaLocation, 200)
  expectBody(viaLocation, m.content)
  return r
}

/** GET and HEAD by `reference` serve the manifest byte for byte with the right headers. */
async function expectManifestServed(repo: string, reference: string, m: Manifest) {
  const get = await client.getManifest(repo, reference)
  expectStatus(get, 200)
  expectApiVersion(get)
  expectBody(get, m.content)
  expect(get.header('content-type'), get.describe()).toBe(m.mediaType)
  expect(get.header('docker-content-digest'), get.describe()).toBe(m.digest)
  expect(get.header('content-length'), get.describe()).toBe(String(m.size))
  const head = await client.headManifest(repo, reference)
  expectStatus(head, 200)
  expect(head.header('content-type'), head.describe()).toBe(m.mediaType)
  expect(head.header('docker-content-digest'), head.describe()).toBe(m.digest)
  expect(head.header('content-length'), head.describe()).toBe(String(m.size))
  expect(head.body.length).toBe(0)
}

describe('OCI image manifest', () => {
  const repo = reg.repo('man-oci')
  const img = ociImage({ layers: 2 })

  beforeAll(async () => {
    await client.pushBlobs(repo, img.blobs)
  })

  it('PUT by tag answers 201 + Location + Docker-Content-Digest', async () => {
    await expectManifestCreated(repo, 'v1', img.manifest)
  })

  it('GET/HEAD by tag and by digest serve the exact bytes with Content-Type, Content-Length, Docker-Content-Digest', async () => {
    await expectManifestServed(repo, 'v1', img.manifest)
    await expectManifestServed(repo, img.manifest.digest, img.manifest)
  })

  it('the same manifest can carry several tags; re-pushing is idempotent', async () => {
    for (const tag of ['v1', 'v1.0', 'latest', 'Release_2']) await expectManifestCreated(repo, tag, img.manifest)
    await expectManifestServed(repo, 'Release_2', img.manifest)
  })

  it('PUT by digest answers 201 and creates no tag', async () => {
    const other = ociImage()
    await client.pushBlobs(repo, other.blobs)
    await expectManifestCreated(repo, other.manifest.digest, other.manifest)
    await expectManifestServed(repo, other.manifest.digest, other.manifest)
    const tags = (await client.tags(repo)).json().tags as string[]
    expect(tags).not.toContain(other.manifest.digest)
  })

  it('moving a tag to another manifest serves the new one under the tag, the old one by digest', async () => {
    const next = ociImage()
    await client.pushBlobs(repo, next.blobs)
    await expectManifestCreated(repo, 'moving', img.manifest)
    await expectManifestCreated(repo, 'moving', next.manifest)
    await expectManifestServed(repo, 'moving', next.manifest)
    await expectManifestServed(repo, img.manifest.digest, img.manifest)
  })

  it('stores the bytes exactly: unusual formatting, unknown fields, a descriptor with data and extra fields', async () => {
    const cfg = imageConfig()
    const layer = randomBlob(100)
    await client.pushBlobs(repo, [cfg, layer])
    const json = {
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      config: { ...descriptor(MT.ociConfig, cfg), data: cfg.content.toString('base64'), newUnspecifiedField: 'aGVsbG8gd29ybGQ=' },
      layers: [descriptor(MT.ociLayerGzip, layer)],
      'org.example.unknown': { nested: [1, 2, 3] },
    }
    const m = rawManifest('\n\t' + JSON.stringify(json, null, '\t') + '\n\n', MT.ociManifest, json)
    await expectManifestCreated(repo, 'odd', m)
    await expectManifestServed(repo, 'odd', m)
  })

  it('accepts a manifest without the optional mediaType field (Content-Type gives the type)', async () => {
    const cfg = imageConfig()
    const layer = randomBlob(64)
    await client.pushBlobs(repo, [cfg, layer])
    const m = ociManifest({ config: descriptor(MT.ociConfig, cfg), layers: [descriptor(MT.ociLayerGzip, layer)], omitMediaType: true })
    await expectManifestCreated(repo, 'no-media-type', m)
    await expectManifestServed(repo, 'no-media-type', m)
  })

  it('accepts a manifest with no layers', async () => {
    const cfg = imageConfig()
    await client.pushBlob(repo, cfg)
    const m = ociManifest({ config: descriptor(MT.ociConfig, cfg), layers: [] })
    await expectManifestCreated(repo, 'emptylayer', m)
    await expectManifestServed(repo, 'emptylayer', m)
  })

  it('accepts a Content-Type with parameters (parameters are ignored)', async () => {
    const other = ociImage()
    await client.pushBlobs(repo, other.blobs)
    const r = await client.putManifest(repo, 'with-params', other.manifest, { headers: { 'content-type': `${MT.ociManifest}; charset=utf-8` } })
    expectStatus(r, 201)
    const get = await client.getManifest(repo, 'with-params')
    expectStatus(get, 200)
    expectBody(get, other.manifest.content)
  })
})

describe('OCI image index', () => {
  const repo = reg.repo('man-index')

  it('PUT children by digest, then the index by tag; GET/HEAD serve it', async () => {
    const amd = ociImage({ platform: { architecture: 'amd64', os: 'linux' } })
    const arm = ociImage({ platform: { architecture: 'arm64', os: 'linux' } })
    await client.pushImage(repo, amd)
    await client.pushImage(repo, arm)
    const index = ociIndex({
      manifests: [
        amd.manifest.descriptor({ platform: { architecture: 'amd64', os: 'linux' } }),
        arm.manifest.descriptor({ platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } }),
      ],
      annotations: { 'org.opencontainers.image.title': 'multi' },
    })
    await expectManifestCreated(repo, 'multi', index)
    await expectManifestServed(repo, 'multi', index)
    await expectManifestServed(repo, index.digest, index)
    await expectManifestServed(repo, amd.manifest.digest, amd.manifest)
  })

  it('accepts an empty index', async () => {
    const index = ociIndex({ manifests: [] })
    await expectManifestCreated(repo, 'empty-index', index)
    await expectManifestServed(repo, 'empty-index', index)
  })

  it('accepts an index of indexes', async () => {
    const img = ociImage()
    await client.pushImage(repo, img)
    const inner = ociIndex({ manifests: [img.manifest.descriptor({ platform: { architecture: 'amd64', os: 'linux' } })] })
    await expectManifestCreated(repo, inner.digest, inner)
    const outer = ociIndex({ manifests: [inner.descriptor()] })
    await expectManifestCreated(repo, 'index-of-index', outer)
    await expectManifestServed(repo, 'index-of-index', outer)
  })

  it('an index referencing a manifest the repository does not have answers 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const img = ociImage()
    await client.pushImage(repo, img)
    const missing = ociImage() // never pushed
    const index = ociIndex({ manifests: [img.manifest.descriptor(), missing.manifest.descriptor()] })
    const r = await client.putManifest(repo, 'sparse-index', index)
    expectOciError(r, 400, 'MANIFEST_BLOB_UNKNOWN')
    expectStatus(await client.headManifest(repo, 'sparse-index'), 404)
    expectStatus(await client.headManifest(repo, index.digest), 404)
  })

  it.skipIf(!ours)('an index entry pointing at a layer blob (not a manifest) answers 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const img = ociImage()
    await client.pushImage(repo, img)
    const index = ociIndex({ manifests: [{ mediaType: MT.ociManifest, digest: img.layers[0].digest, size: img.layers[0].size }] })
    expectOciError(await client.putManifest(repo, 'blob-as-child', index), 400, 'MANIFEST_BLOB_UNKNOWN')
  })

  it('an index referencing a manifest of another repository answers 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const elsewhere = reg.repo('man-index-elsewhere')
    const img = ociImage()
    await client.pushImage(elsewhere, img)
    const index = ociIndex({ manifests: [img.manifest.descriptor()] })
    expectOciError(await client.putManifest(repo, 'foreign-child', index), 400, 'MANIFEST_BLOB_UNKNOWN')
  })
})

describe('Docker schema 2 manifest and manifest list', () => {
  const repo = reg.repo('man-docker')

  it('Docker image manifest: PUT by tag, GET/HEAD by tag and digest', async () => {
    const img = dockerImage({ layers: 2 })
    await client.pushBlobs(repo, img.blobs)
    await expectManifestCreated(repo, 'v2s2', img.manifest)
    await expectManifestServed(repo, 'v2s2', img.manifest)
    await expectManifestServed(repo, img.manifest.digest, img.manifest)
  })

  it('Docker manifest list: PUT children by digest and the list by tag, GET/HEAD it', async () => {
    const amd = dockerImage({ platform: { architecture: 'amd64', os: 'linux' } })
    const arm = dockerImage({ platform: { architecture: 'arm64', os: 'linux' } })
    await client.pushImage(repo, amd)
    await client.pushImage(repo, arm)
    const list = dockerManifestList([
      amd.manifest.descriptor({ platform: { architecture: 'amd64', os: 'linux' } }),
      arm.manifest.descriptor({ platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } }),
    ])
    await expectManifestCreated(repo, 'list', list)
    await expectManifestServed(repo, 'list', list)
    await expectManifestServed(repo, list.digest, list)
  })

  it('a manifest list referencing an unknown manifest answers 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const img = dockerImage()
    const list = dockerManifestList([img.manifest.descriptor({ platform: { architecture: 'amd64', os: 'linux' } })])
    expectOciError(await client.putManifest(repo, 'bad-list', list), 400, 'MANIFEST_BLOB_UNKNOWN')
  })
})

describe('artifacts (artifactType, subject)', () => {
  const repo = reg.repo('man-artifact')

  it('an artifact manifest with artifactType and an empty config is accepted and served', async () => {
    const art = ociArtifact({ artifactType: 'application/vnd.example.sbom.v1' })
    await client.pushBlobs(repo, art.blobs)
    await expectManifestCreated(repo, 'sbom', art.manifest)
    await expectManifestServed(repo, 'sbom', art.manifest)
  })

  it.skipIf(!ours)('PUT of a manifest with subject answers 201 with OCI-Subject: <subject digest>', async () => {
    const img = ociImage()
    await client.pushImage(repo, img, 'subject')
    const art = ociArtifact({ artifactType: 'application/vnd.example.sig.v1', subject: img.manifest.descriptor() })
    await client.pushBlobs(repo, art.blobs)
    const r = await expectManifestCreated(repo, art.manifest.digest, art.manifest)
    expect(r.header('oci-subject'), r.describe()).toBe(img.manifest.digest)
    await expectManifestServed(repo, art.manifest.digest, art.manifest)
  })

  it.skipIf(!ours)('a manifest whose subject does not exist (yet) is accepted, with OCI-Subject', async () => {
    const absent = ociImage() // never pushed
    const art = ociArtifact({ artifactType: 'application/vnd.example.sig.v1', subject: absent.manifest.descriptor() })
    await client.pushBlobs(repo, art.blobs)
    const r = await expectManifestCreated(repo, art.manifest.digest, art.manifest)
    expect(r.header('oci-subject'), r.describe()).toBe(absent.manifest.digest)
  })

  it('a manifest without subject gets no OCI-Subject header', async () => {
    const img = ociImage()
    await client.pushBlobs(repo, img.blobs)
    const r = await client.putManifest(repo, 'plain', img.manifest)
    expectStatus(r, 201)
    expect(r.header('oci-subject')).toBeNull()
  })
})

describe('manifest validation', () => {
  const repo = reg.repo('man-invalid')

  beforeAll(async () => {
    await client.pushBlob(repo, EMPTY_JSON_BLOB)
  })

  it('a layer that was never pushed: 400 MANIFEST_BLOB_UNKNOWN, nothing stored', async () => {
    const img = ociImage({ layers: 2 })
    await client.pushBlobs(repo, [img.config, img.layers[0]])
    const r = await client.putManifest(repo, 'missing-layer', img.manifest)
    expectOciError(r, 400, 'MANIFEST_BLOB_UNKNOWN')
    expectOciError(await client.getManifest(repo, 'missing-layer'), 404, 'MANIFEST_UNKNOWN')
    expectStatus(await client.headManifest(repo, img.manifest.digest), 404)
  })

  it('a config that was never pushed: 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const img = ociImage()
    await client.pushBlobs(repo, img.layers)
    expectOciError(await client.putManifest(repo, 'missing-config', img.manifest), 400, 'MANIFEST_BLOB_UNKNOWN')
  })

  it('a blob present only in another repository counts as missing: 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const elsewhere = reg.repo('man-invalid-elsewhere')
    const img = ociImage()
    await client.pushBlobs(elsewhere, img.blobs)
    expectOciError(await client.putManifest(repo, 'foreign-blobs', img.manifest), 400, 'MANIFEST_BLOB_UNKNOWN')
  })

  it('invalid JSON: 400 MANIFEST_INVALID', async () => {
    const m = rawManifest('{"schemaVersion": 2, "mediaType": "' + MT.ociManifest + '", ', MT.ociManifest)
    expectOciError(await client.putManifest(repo, 'broken', m), 400, 'MANIFEST_INVALID')
    expectOciError(await client.putManifest(repo, 'blablabla', rawManifest('blablabla', MT.ociManifest)), 400, 'MANIFEST_INVALID')
  })

  it('a body whose mediaType differs from Content-Type: 400 MANIFEST_INVALID', async () => {
    const img = ociImage()
    await client.pushBlobs(repo, img.blobs)
    const r = await client.putManifest(repo, 'mismatch', img.manifest, { headers: { 'content-type': MT.dockerManifest } })
    expectOciError(r, 400, 'MANIFEST_INVALID')
    const idx = ociIndex({ manifests: [] })
    const r2 = await client.putManifest(repo, 'mismatch2', idx, { headers: { 'content-type': MT.ociManifest } })
    expectOciError(r2, 400, 'MANIFEST_INVALID')
  })

  it('an index carrying layers or config (ambiguous document): 400 MANIFEST_INVALID', async () => {
    const img = ociImage()
    await client.pushImage(repo, img)
    const withLayers = ociIndex({ manifests: [img.manifest.descriptor()], extra: { layers: [descriptor(MT.ociLayerGzip, img.layers[0])] } })
    expectOciError(await client.putManifest(repo, 'idx-layers', withLayers), 400, 'MANIFEST_INVALID')
    const withConfig = ociIndex({ manifests: [img.manifest.descriptor()], extra: { config: descriptor(MT.ociConfig, img.config) } })
    expectOciError(await client.putManifest(repo, 'idx-config', withConfig), 400, 'MANIFEST_INVALID')
  })

  it('an image manifest carrying manifests (ambiguous document): 400 MANIFEST_INVALID', async () => {
    const img = ociImage()
    await client.pushImage(repo, img)
    const m = ociManifest({
      config: descriptor(MT.ociConfig, img.config),
      layers: img.layers.map((l) => descriptor(MT.ociLayerGzip, l)),
      extra: { manifests: [img.manifest.descriptor()] },
    })
    expectOciError(await client.putManifest(repo, 'man-manifests', m), 400, 'MANIFEST_INVALID')
  })

  // distribution 2.8 answers 500 here
  it.skipIf(!ours)('schemaVersion other than 2: 400 MANIFEST_INVALID', async () => {
    const img = ociImage()
    await client.pushBlobs(repo, img.blobs)
    const m = manifestOf({ ...img.manifest.json, schemaVersion: 3 }, MT.ociManifest)
    expectOciError(await client.putManifest(repo, 'schema3', m), 400, 'MANIFEST_INVALID')
  })

  it.skipIf(!ours)('a manifest missing required fields (config, layers) or with a malformed descriptor: 400 MANIFEST_INVALID', async () => {
    const cfg = imageConfig()
    await client.pushBlob(repo, cfg)
    const noLayers = manifestOf({ schemaVersion: 2, mediaType: MT.ociManifest, config: descriptor(MT.ociConfig, cfg) }, MT.ociManifest)
    expectOciError(await client.putManifest(repo, 'no-layers-field', noLayers), 400, 'MANIFEST_INVALID')
    const noConfig = manifestOf({ schemaVersion: 2, mediaType: MT.ociManifest, layers: [] }, MT.ociManifest)
    expectOciError(await client.putManifest(repo, 'no-config', noConfig), 400, 'MANIFEST_INVALID')
    const badDigest = manifestOf({ schemaVersion: 2, mediaType: MT.ociManifest, config: { mediaType: MT.ociConfig, digest: 'sha256:zzz', size: 2 }, layers: [] }, MT.ociManifest)
    expectOciError(await client.putManifest(repo, 'bad-descriptor', badDigest), 400, ['MANIFEST_INVALID', 'DIGEST_INVALID'])
  })

  it('PUT by digest with a digest that does not match the body: 400 DIGEST_INVALID', async () => {
    const img = ociImage()
    await client.pushBlobs(repo, img.blobs)
    const wrong = sha256(img.manifest.content.toString() + '  ')
    const r = await client.putManifest(repo, wrong, img.manifest)
    expectOciError(r, 400, 'DIGEST_INVALID')
    expectStatus(await client.headManifest(repo, wrong), 404)
    // conformance "bad digest image": body with trailing whitespace pushed under the original digest
    const padded = rawManifest(Buffer.concat([img.manifest.content, Buffer.from('  ')]), MT.ociManifest)
    expectOciError(await client.putManifest(repo, img.manifest.digest, padded), 400, 'DIGEST_INVALID')
  })

  // distribution 2.8 answers 500 here
  it.skipIf(!ours)('PUT by a malformed digest reference: 400', async () => {
    const img = ociImage()
    await client.pushBlobs(repo, img.blobs)
    const r = await client.putManifest(repo, 'sha256:baddigeststring', img.manifest)
    expectOciError(r, 400)
    const r2 = await client.putManifest(repo, 'sha256:totallywrong', rawManifest('blablabla', MT.ociManifest))
    expectOciError(r2, 400)
  })

  it.skipIf(!ours)('PUT by an invalid tag: 400 MANIFEST_INVALID', async () => {
    const img = ociImage()
    await client.pushBlobs(repo, img.blobs)
    for (const tag of ['-leading-dash', '.leading-dot', 'a'.repeat(129)]) {
      expectOciError(await client.putManifest(repo, tag, img.manifest), 400, 'MANIFEST_INVALID')
    }
    expectStatus(await client.headManifest(repo, img.manifest.digest), 404)
  })

  it('accepts a tag of the maximum length (128 characters)', async () => {
    const img = ociImage()
    await client.pushBlobs(repo, img.blobs)
    const tag = '_' + 'A'.repeat(60) + '.' + 'z9-'.repeat(22)
    expect(tag.length).toBe(128)
    await expectManifestCreated(repo, tag, img.manifest)
    await expectManifestServed(repo, tag, img.manifest)
  })

  // distribution 2.8 has no manifest size limit
  it.skipIf(!ours)('a manifest larger than 4 MiB: 413', async () => {
    const cfg = imageConfig()
    await client.pushBlob(repo, cfg)
    const annotations: Record<string, string> = {}
    for (let i = 0; i < 430; i++) annotations[`large-annotation-${i}`] = 'A'.repeat(10_000)
    const m = ociManifest({ config: descriptor(MT.ociConfig, cfg), layers: [], annotations })
    expect(m.size).toBeGreaterThan(4 * 1024 * 1024)
    // Sent like an ordinary client (no Expect: 100-continue), five times: the 413 must reach the client
    // every time, i.e. the server must not reset the connection while the body is still arriving.
    const outcomes: string[] = []
    for (let i = 0; i < 5; i++) {
      try {
        const r = await rawRequest(`${reg.url}/v2/${repo}/manifests/too-large`, {
          method: 'PUT',
          headers: { 'content-type': MT.ociManifest },
          body: m.content,
          credentials: reg.credentials,
        })
        outcomes.push(String(r.status))
        if (r.status === 413) {
          expect(r.headers['docker-distribution-api-version']).toBe('registry/2.0')
          if (/json/.test(r.headers['content-type'] ?? '')) expect(Array.isArray(JSON.parse(r.body.toString()).errors)).toBe(true)
        }
      } catch (err) {
        outcomes.push(`no response: ${(err as Error).message}`)
      }
    }
    expect(outcomes, `PUT of a ${m.size}-byte manifest, 5 attempts`).toEqual(['413', '413', '413', '413', '413'])
    expectStatus(await client.headManifest(repo, 'too-large'), 404)
  })

  it('a manifest of almost 4 MiB is accepted (clients and registries SHOULD support 4 MiB)', async () => {
    const cfg = imageConfig()
    await client.pushBlob(repo, cfg)
    const annotations: Record<string, string> = {}
    for (let i = 0; i < 390; i++) annotations[`large-annotation-${i}`] = 'A'.repeat(10_000)
    const m = ociManifest({ config: descriptor(MT.ociConfig, cfg), layers: [], annotations })
    expect(m.size).toBeLessThan(4 * 1024 * 1024)
    await expectManifestCreated(repo, 'large-manifest', m)
    await expectManifestServed(repo, 'large-manifest', m)
  })
})

describe('GET/HEAD of manifests that do not exist', () => {
  const repo = reg.repo('man-missing')

  beforeAll(async () => {
    await client.pushImage(repo, ociImage(), 'exists')
  })

  it('unknown tag: GET 404 MANIFEST_UNKNOWN, HEAD 404', async () => {
    expectOciError(await client.getManifest(repo, 'missing-' + randomUuid().slice(0, 8)), 404, 'MANIFEST_UNKNOWN')
    expectStatus(await client.headManifest(repo, 'missing-tag'), 404)
  })

  it('unknown digest: GET 404 MANIFEST_UNKNOWN, HEAD 404', async () => {
    const d = sha256(randomUuid())
    expectOciError(await client.getManifest(repo, d), 404, 'MANIFEST_UNKNOWN')
    expectStatus(await client.headManifest(repo, d), 404)
  })

  // distribution 2.8 answers 500 to these two
  it.skipIf(!ours)('a blob digest is not a manifest: GET by a layer digest answers 404 MANIFEST_UNKNOWN', async () => {
    const blob = randomBlob(10)
    await client.pushBlob(repo, blob)
    expectOciError(await client.getManifest(repo, blob.digest), 404, 'MANIFEST_UNKNOWN')
  })

  it('GET/HEAD by an invalid reference (.INVALID_MANIFEST_NAME, as the conformance suite does) answers 404', async () => {
    const get = await client.getManifest(repo, '.INVALID_MANIFEST_NAME')
    expectStatus(get, 404)
    expectApiVersion(get)
    expectStatus(await client.headManifest(repo, '.INVALID_MANIFEST_NAME'), 404)
  })

  it.skipIf(!ours)('GET by a malformed digest (sha256:totallywrong) answers 400 or 404 with an OCI error body', async () => {
    expectOciError(await client.getManifest(repo, 'sha256:totallywrong'), [400, 404])
  })

  it('unknown repository: GET 404 (NAME_UNKNOWN or MANIFEST_UNKNOWN)', async () => {
    expectOciError(await client.getManifest(reg.repo('never-pushed'), 'latest'), 404, ['NAME_UNKNOWN', 'MANIFEST_UNKNOWN'])
  })
})

describe('DELETE /v2/<name>/manifests/<reference>', () => {
  const repo = reg.repo('man-delete')

  it.skipIf(!ours)('DELETE by tag answers 202 and removes only the tag; the manifest stays reachable by digest', async () => {
    const img = ociImage()
    await client.pushImage(repo, img, 'a')
    expectStatus(await client.putManifest(repo, 'b', img.manifest), 201)
    const del = await client.deleteManifest(repo, 'a')
    expectStatus(del, 202)
    expectApiVersion(del)
    expectOciError(await client.getManifest(repo, 'a'), 404, 'MANIFEST_UNKNOWN')
    expectStatus(await client.headManifest(repo, 'a'), 404)
    await expectManifestServed(repo, img.manifest.digest, img.manifest)
    await expectManifestServed(repo, 'b', img.manifest)
    const tags = (await client.tags(repo)).json().tags as string[]
    expect(tags).not.toContain('a')
    expect(tags).toContain('b')
    // deleting it again: the tag is unknown
    expectOciError(await client.deleteManifest(repo, 'a'), 404, 'MANIFEST_UNKNOWN')
  })

  // distribution 2.8 refuses tag deletion with 400 DIGEST_INVALID instead of UNSUPPORTED
  it.skipIf(!ours)('DELETE by tag answers 202, or 400/405 where tag deletion is unsupported', async () => {
    const img = ociImage()
    await client.pushImage(repo, img, 'maybe')
    const del = await client.deleteManifest(repo, 'maybe')
    expectStatus(del, 202, 400, 405)
    if (del.status === 202) {
      expectStatus(await client.headManifest(repo, 'maybe'), 404)
      expectStatus(await client.headManifest(repo, img.manifest.digest), 200)
    } else if (del.status === 400) expectOciError(del, 400, 'UNSUPPORTED')
  })

  it('DELETE by digest answers 202 and removes the manifest and every tag pointing to it', async () => {
    const img = ociImage()
    await client.pushImage(repo, img, 't1')
    expectStatus(await client.putManifest(repo, 't2', img.manifest), 201)
    const keep = ociImage()
    await client.pushImage(repo, keep, 'keep')
    const del = await client.deleteManifest(repo, img.manifest.digest)
    expectStatus(del, 202)
    expectApiVersion(del)
    expectOciError(await client.getManifest(repo, img.manifest.digest), 404, 'MANIFEST_UNKNOWN')
    expectStatus(await client.headManifest(repo, img.manifest.digest), 404)
    expectOciError(await client.getManifest(repo, 't1'), 404, 'MANIFEST_UNKNOWN')
    expectOciError(await client.getManifest(repo, 't2'), 404, 'MANIFEST_UNKNOWN')
    const tags = (await client.tags(repo)).json().tags as string[]
    expect(tags).not.toContain('t1')
    expect(tags).not.toContain('t2')
    expect(tags).toContain('keep')
    await expectManifestServed(repo, 'keep', keep.manifest)
    // its blobs are still there until deleted explicitly
    expectStatus(await client.headBlob(repo, img.config.digest), 200)
  })

  it('DELETE of an unknown digest answers 404 MANIFEST_UNKNOWN', async () => {
    await client.pushImage(repo, ociImage(), 'exists')
    expectOciError(await client.deleteManifest(repo, sha256(randomUuid())), 404, 'MANIFEST_UNKNOWN')
  })

  it('a deleted manifest can be pushed again', async () => {
    const img = ociImage()
    await client.pushImage(repo, img, 'again')
    expectStatus(await client.deleteManifest(repo, img.manifest.digest), 202)
    await expectManifestCreated(repo, 'again', img.manifest)
    await expectManifestServed(repo, 'again', img.manifest)
  })

  it('deleting a child of an index does not break the index document', async () => {
    const child = ociImage()
    await client.pushImage(repo, child)
    const index = ociIndex({ manifests: [child.manifest.descriptor({ platform: { architecture: 'amd64', os: 'linux' } })] })
    await expectManifestCreated(repo, 'parent', index)
    const del = await client.deleteManifest(repo, child.manifest.digest)
    expectStatus(del, 202, 400, 409)
    await expectManifestServed(repo, 'parent', index)
  })

  /** An amd64 + arm64 index tagged `tag`, its children pushed by digest only. */
  async function pushMultiArch(tag: string) {
    const amd = ociImage({ platform: { architecture: 'amd64', os: 'linux' } })
    const arm = ociImage({ platform: { architecture: 'arm64', os: 'linux' } })
    await client.pushImage(repo, amd)
    await client.pushImage(repo, arm)
    const index = ociIndex({
      manifests: [amd.manifest.descriptor({ platform: { architecture: 'amd64', os: 'linux' } }), arm.manifest.descriptor({ platform: { architecture: 'arm64', os: 'linux' } })],
    })
    await expectManifestCreated(repo, tag, index)
    return { amd, arm, index }
  }

  it.skipIf(!ours)('DELETE of a manifest an index references answers 409 DENIED naming the index; both stay', async () => {
    const { arm, index } = await pushMultiArch('refused')
    const del = await client.deleteManifest(repo, arm.manifest.digest)
    expectOciError(del, 409, 'DENIED')
    expectApiVersion(del)
    const [error] = (del.json() as { errors: { message: string; detail: { referencedBy: string[] } }[] }).errors
    expect(error.message).toContain(index.digest)
    expect(error.detail.referencedBy).toEqual([index.digest])
    await expectManifestServed(repo, arm.manifest.digest, arm.manifest)
    await expectManifestServed(repo, 'refused', index)
  })

  it.skipIf(!ours)('DELETE of an index deletes its untagged children, keeps a tagged one', async () => {
    const { amd, arm, index } = await pushMultiArch('cascade')
    expectStatus(await client.putManifest(repo, 'amd-kept', amd.manifest), 201)
    expectStatus(await client.deleteManifest(repo, index.digest), 202)
    expectOciError(await client.getManifest(repo, index.digest), 404, 'MANIFEST_UNKNOWN')
    expectOciError(await client.getManifest(repo, arm.manifest.digest), 404, 'MANIFEST_UNKNOWN')
    await expectManifestServed(repo, amd.manifest.digest, amd.manifest)
    // once the index is gone its former child is an ordinary manifest again
    expectStatus(await client.deleteManifest(repo, amd.manifest.digest), 202)
  })

  it.skipIf(!ours)('a child delete racing the index push: the index is never left with a missing child', async () => {
    for (let round = 0; round < 5; round++) {
      const child = ociImage()
      await client.pushImage(repo, child)
      const index = ociIndex({ manifests: [child.manifest.descriptor({ platform: { architecture: 'amd64', os: 'linux' } })] })
      const [put, del] = await Promise.all([client.putManifest(repo, `race-${round}`, index), client.deleteManifest(repo, child.manifest.digest)])
      const indexThere = (await client.headManifest(repo, index.digest)).status === 200
      const childThere = (await client.headManifest(repo, child.manifest.digest)).status === 200
      if (put.status === 201) {
        expectOciError(del, 409, 'DENIED')
        expect([indexThere, childThere]).toEqual([true, true])
      } else {
        expectOciError(put, 400, 'MANIFEST_BLOB_UNKNOWN')
        expectStatus(del, 202)
        expect([indexThere, childThere]).toEqual([false, false])
      }
    }
  })
})
