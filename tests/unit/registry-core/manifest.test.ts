import { describe, expect, it } from 'vitest'
import { computeDigest, MediaTypes, parseManifest } from '../../../registry-core/src/manifest'
import { RegistryError } from '../../../registry-core/src/errors'

const d = (c: string) => `sha256:${c.repeat(64)}`
const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('a'), size: 10 }
const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('b'), size: 20 }

function body(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value))
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return (error as RegistryError).code
  }
  return undefined
}

describe('parseManifest', () => {
  it('reads an OCI image manifest: references, digest of the exact bytes, artifact type from config', () => {
    const content = body({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config, layers: [layer, layer] })
    const record = parseManifest(content, MediaTypes.ociManifest)
    expect(record.digest).toBe(computeDigest(content))
    expect(record.mediaType).toBe(MediaTypes.ociManifest)
    expect(record.artifactType).toBe(config.mediaType)
    expect(record.references.map((r) => [r.kind, r.digest])).toEqual([
      ['blob', d('a')],
      ['blob', d('b')],
    ])
  })

  it('reads an index with platforms and a subject', () => {
    const child = { mediaType: MediaTypes.ociManifest, digest: d('c'), size: 300, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } }
    const content = body({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [child], subject: { ...child, digest: d('e') } })
    const record = parseManifest(content, MediaTypes.ociIndex)
    expect(record.references).toEqual([{ kind: 'manifest', digest: d('c'), size: 300, mediaType: MediaTypes.ociManifest, platform: child.platform }])
    expect(record.subject?.digest).toBe(d('e'))
  })

  it('keeps an explicit artifactType', () => {
    const content = body({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, artifactType: 'application/vnd.example.sbom', config, layers: [] })
    expect(parseManifest(content, undefined).artifactType).toBe('application/vnd.example.sbom')
  })

  it('uses the Content-Type when the body has no mediaType, and infers it when neither says', () => {
    expect(parseManifest(body({ schemaVersion: 2, config, layers: [] }), MediaTypes.dockerManifest).mediaType).toBe(MediaTypes.dockerManifest)
    expect(parseManifest(body({ schemaVersion: 2, manifests: [] }), undefined).mediaType).toBe(MediaTypes.ociIndex)
  })

  it('computes sha512 digests when asked', () => {
    const content = body({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config, layers: [] })
    expect(parseManifest(content, undefined, 'sha512').digest).toMatch(/^sha512:[a-f0-9]{128}$/)
  })

  it('skips foreign layers that live elsewhere', () => {
    const foreign = { mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: d('f'), size: 5, urls: ['https://example.com/l'] }
    const record = parseManifest(body({ schemaVersion: 2, mediaType: MediaTypes.dockerManifest, config, layers: [foreign] }), MediaTypes.dockerManifest)
    expect(record.references.map((r) => r.digest)).toEqual([d('a')])
  })

  it.each([
    ['invalid JSON', Buffer.from('{'), undefined],
    ['a JSON array', body([]), undefined],
    ['Content-Type disagreeing with mediaType', body({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config, layers: [] }), MediaTypes.dockerManifest],
    ['an index with layers (CVE-2021-41190)', body({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [], layers: [] }), undefined],
    ['an index with config', body({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [], config }), undefined],
    ['an image with manifests', body({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config, layers: [], manifests: [] }), undefined],
    ['a missing config', body({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, layers: [] }), undefined],
    ['a bad layer digest', body({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config, layers: [{ ...layer, digest: 'sha256:xyz' }] }), undefined],
    ['a negative size', body({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: { ...config, size: -1 }, layers: [] }), undefined],
    ['schemaVersion 1', body({ schemaVersion: 1, mediaType: MediaTypes.ociManifest, config, layers: [] }), undefined],
    ['Docker schema 1', body({ schemaVersion: 1, name: 'x' }), MediaTypes.dockerSchema1Signed],
    ['an unknown media type', body({ schemaVersion: 2, mediaType: 'text/plain', config, layers: [] }), undefined],
  ])('refuses %s with MANIFEST_INVALID', (_label, content, contentType) => {
    expect(codeOf(() => parseManifest(content, contentType))).toBe('MANIFEST_INVALID')
  })
})
