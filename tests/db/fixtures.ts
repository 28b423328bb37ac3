// What the database tests of the event sink and the webhook pipeline share.
import { randomUUID } from 'node:crypto'
import { hexDigest } from '../../registry-core/src/hash'
import type { ManifestRecord } from '../../registry-core/src/ports'

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

/** A logger that drops everything. */
export const silentLogger = { info() {}, warn() {}, error() {}, debug() {}, fatal() {}, trace() {} } as never

/** A new config-less artifact manifest each call: no references, so it needs no blobs. */
export function configLessArtifact(): ManifestRecord {
  const content = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/x.test',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 },
      layers: [],
      n: randomUUID(),
    }),
  )
  return { digest: `sha256:${hexDigest(content)}`, mediaType: OCI_MANIFEST, content, artifactType: 'application/x.test', references: [] }
}
