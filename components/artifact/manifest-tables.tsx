// What an artifact's manifest points at, as tables: an index's platform manifests, an image's layers,
// and the artifacts that refer to this one (signatures, SBOMs …).
import Link from 'next/link'
import type { ArtifactDetail } from '@/lib/artifacts/schema'
import { artifactPath, formatBytes, formatPlatform, shortDigest } from '../format'
import { focusRing } from '../ui'
import { Section, Table } from './section'

type Props = { artifact: ArtifactDetail; project: string; repository: string }

const digestLink = `rounded font-mono text-sky-700 hover:underline ${focusRing}`

export function IndexChildren({ artifact, project, repository }: Props) {
  if (artifact.children.length === 0) return null
  return (
    <Section title="Platforms in this index" id="children-heading">
      <Table head={['Platform', 'Digest', 'Size']}>
        {artifact.children.map((child) => (
          <tr key={child.digest}>
            <td className="px-3 py-2 font-mono text-xs">{formatPlatform(child.platform)}</td>
            <td className="px-3 py-2">
              {child.present ? (
                <Link href={artifactPath(project, repository, child.digest)} title={child.digest} className={digestLink}>
                  {shortDigest(child.digest)}
                </Link>
              ) : (
                <span title={child.digest} className="font-mono text-slate-500">
                  {shortDigest(child.digest)} <span className="font-sans text-xs">(missing from this repository)</span>
                </span>
              )}
            </td>
            <td className="px-3 py-2 text-right tabular-nums">{formatBytes(child.size)}</td>
          </tr>
        ))}
      </Table>
    </Section>
  )
}

export function Layers({ artifact }: { artifact: ArtifactDetail }) {
  if (artifact.layers.length === 0) return null
  return (
    <Section title={`Layers (${artifact.layers.length})`} id="layers-heading">
      <Table head={['#', 'Digest', 'Media type', 'Size']}>
        {artifact.layers.map((layer, i) => (
          <tr key={`${layer.digest}-${i}`}>
            <td className="px-3 py-2 tabular-nums text-slate-500">{i + 1}</td>
            <td className="px-3 py-2 font-mono text-xs" title={layer.digest}>
              {shortDigest(layer.digest)}
            </td>
            <td className="break-all px-3 py-2 font-mono text-xs text-slate-600">{layer.mediaType}</td>
            <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums" title={`${layer.size.toLocaleString('en-US')} bytes`}>
              {formatBytes(layer.size)}
            </td>
          </tr>
        ))}
      </Table>
    </Section>
  )
}

export function Referrers({ artifact, project, repository }: Props) {
  return (
    <Section title="Referrers" id="referrers-heading">
      {artifact.referrers.length === 0 ? (
        <p className="text-sm text-slate-500">No signatures, SBOMs or other artifacts refer to this one.</p>
      ) : (
        <Table head={['Digest', 'Artifact type']}>
          {artifact.referrers.map((referrer) => (
            <tr key={referrer.digest}>
              <td className="px-3 py-2">
                <Link href={artifactPath(project, repository, referrer.digest)} className={digestLink}>
                  {shortDigest(referrer.digest)}
                </Link>
              </td>
              <td className="break-all px-3 py-2 font-mono text-xs">{referrer.artifactType ?? '—'}</td>
            </tr>
          ))}
        </Table>
      )}
    </Section>
  )
}
