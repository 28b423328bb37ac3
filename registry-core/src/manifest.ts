// Manifest parsing and validation: turns the bytes of a PUT into a ManifestRecord or a typed error.
import { RegistryError } from './errors'
import { isSupportedDigest } from './grammar'
import { hexDigest, type HashAlgorithm } from './hash'
import type { Descriptor, ManifestRecord, ManifestReference, Platform } from './ports'

export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const

const IMAGE_TYPES = new Set<string>([MediaTypes.ociManifest, MediaTypes.dockerManifest])
const INDEX_TYPES = new Set<string>([MediaTypes.ociIndex, MediaTypes.dockerManifestList])
/** Docker foreign layers live elsewhere (`urls`) and are never uploaded to the registry. */
const FOREIGN_LAYER_TYPES = new Set<string>([
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
])

export function isManifestMediaType(mediaType: string): boolean {
  return IMAGE_TYPES.has(mediaType) || INDEX_TYPES.has(mediaType)
}

export function computeDigest(content: Buffer, algorithm: HashAlgorithm = 'sha256'): string {
  return `${algorithm}:${hexDigest(content, algorithm)}`
}

function invalid(message: string, detail?: unknown): RegistryError {
  return new RegistryError('MANIFEST_INVALID', { message, detail })
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringMap(value: unknown, field: string): Record<string, string> | undefined {
  if (value === undefined) return undefined
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw invalid(`${field} must be a map of strings`)
  }
  return value as Record<string, string>
}

function parsePlatform(value: unknown, field: string): Platform | undefined {
  if (value === undefined) return undefined
  if (!isObject(value) || typeof value.architecture !== 'string' || typeof value.os !== 'string') {
    throw invalid(`${field}.platform must have string architecture and os`)
  }
  const platform: Platform = { architecture: value.architecture, os: value.os }
  if (typeof value.variant === 'string') platform.variant = value.variant
  if (typeof value['os.version'] === 'string') platform['os.version'] = value['os.version']
  if (Array.isArray(value['os.features'])) platform['os.features'] = value['os.features'].map(String)
  return platform
}

export function parseDescriptor(value: unknown, field: string): Descriptor {
  if (!isObject(value)) throw invalid(`${field} must be a descriptor object`)
  const { mediaType, digest, size } = value
  if (typeof mediaType !== 'string' || mediaType === '') throw invalid(`${field}.mediaType is required`)
  if (typeof digest !== 'string' || !isSupportedDigest(digest)) {
    throw invalid(`${field}.digest is not a valid digest`, { digest })
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw invalid(`${field}.size must be a non-negative integer`)
  }
  const descriptor: Descriptor = { mediaType, digest, size }
  if (typeof value.artifactType === 'string') descriptor.artifactType = value.artifactType
  const annotations = stringMap(value.annotations, `${field}.annotations`)
  if (annotations) descriptor.annotations = annotations
  const platform = parsePlatform(value.platform, field)
  if (platform) descriptor.platform = platform
  if (Array.isArray(value.urls)) descriptor.urls = value.urls.map(String)
  return descriptor
}

/**
 * Resolves the manifest's media type from the body's `mediaType` and the request `Content-Type`:
 * when both are present they must agree (a mismatch is how type confusion attacks start).
 */
function resolveMediaType(body: Record<string, unknown>, contentType: string | undefined): string {
  const declared = typeof body.mediaType === 'string' ? body.mediaType : undefined
  const header = contentType?.split(';')[0]?.trim().toLowerCase() || undefined
  if (declared !== undefined && header !== undefined && declared !== header) {
    throw invalid('manifest mediaType does not match the Content-Type header', { mediaType: declared, contentType: header })
  }
  const mediaType = declared ?? header
  if (mediaType !== undefined && mediaType !== 'application/json' && mediaType !== 'application/octet-stream') {
    return mediaType
  }
  // Neither says anything useful: infer it as the OCI image spec allows for documents without mediaType.
  return Array.isArray(body.manifests) ? MediaTypes.ociIndex : MediaTypes.ociManifest
}

/**
 * Validates a manifest body. Checks structure only; whether the referenced content exists in the
 * repository is decided by the index, atomically with recording the manifest.
 */
export function parseManifest(content: Buffer, contentType: string | undefined, digestAlgo: 'sha256' | 'sha512' = 'sha256'): ManifestRecord {
  let body: unknown
  try {
    body = JSON.parse(content.toString('utf8'))
  } catch {
    throw invalid('manifest is not valid JSON')
  }
  if (!isObject(body)) throw invalid('manifest must be a JSON object')
  const mediaType = resolveMediaType(body, contentType)
  if (mediaType === MediaTypes.dockerSchema1 || mediaType === MediaTypes.dockerSchema1Signed) {
    throw new RegistryError('MANIFEST_INVALID', { message: 'Docker schema 1 manifests are not supported; push schema 2 or OCI' })
  }
  if (!isManifestMediaType(mediaType)) {
    throw invalid(`unsupported manifest media type ${mediaType}`, { mediaType })
  }
  if (body.schemaVersion !== 2) throw invalid('schemaVersion must be 2')

  const annotations = stringMap(body.annotations, 'annotations')
  const subject = body.subject === undefined ? undefined : parseDescriptor(body.subject, 'subject')
  const declaredArtifactType = typeof body.artifactType === 'string' ? body.artifactType : undefined
  const references: ManifestReference[] = []
  let artifactType = declaredArtifactType

  if (INDEX_TYPES.has(mediaType)) {
    // CVE-2021-41190: a document that parses as both an index and an image is ambiguous.
    if (body.layers !== undefined || body.config !== undefined) {
      throw invalid('an index must not contain layers or config')
    }
    if (!Array.isArray(body.manifests)) throw invalid('an index must have a manifests array')
    body.manifests.forEach((entry, i) => {
      const descriptor = parseDescriptor(entry, `manifests[${i}]`)
      references.push({ kind: 'manifest', digest: descriptor.digest, size: descriptor.size, mediaType: descriptor.mediaType, platform: descriptor.platform })
    })
  } else {
    if (body.manifests !== undefined) throw invalid('an image manifest must not contain manifests')
    const config = parseDescriptor(body.config, 'config')
    if (!Array.isArray(body.layers)) throw invalid('an image manifest must have a layers array')
    references.push({ kind: 'blob', digest: config.digest, size: config.size, mediaType: config.mediaType })
    body.layers.forEach((entry, i) => {
      const layer = parseDescriptor(entry, `layers[${i}]`)
      if (FOREIGN_LAYER_TYPES.has(layer.mediaType) && layer.urls?.length) return
      references.push({ kind: 'blob', digest: layer.digest, size: layer.size, mediaType: layer.mediaType })
    })
    artifactType ??= mediaType === MediaTypes.ociManifest ? config.mediaType : undefined
  }

  return {
    digest: computeDigest(content, digestAlgo),
    mediaType,
    content,
    artifactType,
    subject,
    annotations,
    references: dedupeReferences(references),
  }
}

/** The same blob may appear twice (e.g. an empty layer); the index stores each reference once. */
function dedupeReferences(references: ManifestReference[]): ManifestReference[] {
  const seen = new Map<string, ManifestReference>()
  for (const reference of references) if (!seen.has(reference.digest)) seen.set(reference.digest, reference)
  return [...seen.values()]
}
