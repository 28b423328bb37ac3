'use client'
// One artifact in the repository's table. An index is one row; its platform manifests fold under it
// (expandable) and cannot be deleted on their own.
import Link from 'next/link'
import { Fragment, useState } from 'react'
import type { ArtifactView as Artifact } from '@/lib/artifacts/schema'
import { artifactPath, countOf, formatBytes, formatCount, formatPlatform, KIND_LABELS, shortDigest } from '../format'
import { Button, focusRing } from '../ui'
import { CopyButton, TimeAgo } from '../widgets'
import { ChildRow } from './child-row'
import { SECONDARY, STICKY_ACTIONS } from './columns'
import { TagChips } from './tag-chips'
import type { Deletion } from './use-delete-artifact'

export function ArtifactRow({
  artifact,
  project,
  repository,
  pullBase,
  canDelete,
  onDelete,
}: {
  artifact: Artifact
  project: string
  repository: string
  pullBase: string
  canDelete: boolean
  onDelete: (what: Deletion) => void
}) {
  const href = artifactPath(project, repository, artifact.digest)
  const [expanded, setExpanded] = useState(false)
  const childrenId = `children-${artifact.digest.replace(/[^a-z0-9]/gi, '')}`
  return (
    <Fragment>
      <tr className="align-top" data-testid="artifact-row" data-digest={artifact.digest}>
        <td className="px-3 py-2.5">
          <div className="flex items-center gap-1.5">
            {artifact.children.length > 0 && (
              <button
                type="button"
                aria-expanded={expanded}
                aria-controls={expanded ? childrenId : undefined}
                aria-label={`${expanded ? 'Hide' : 'Show'} the ${artifact.children.length} manifests of index ${shortDigest(artifact.digest)}`}
                onClick={() => setExpanded(!expanded)}
                className={`rounded px-1 text-slate-600 hover:bg-slate-100 ${focusRing}`}
                data-testid="toggle-children"
              >
                <span aria-hidden className={`inline-block transition-transform ${expanded ? 'rotate-90' : ''}`}>
                  ▸
                </span>
              </button>
            )}
            <Link href={href} title={artifact.digest} className={`whitespace-nowrap rounded font-mono text-sky-700 hover:underline ${focusRing}`}>
              {shortDigest(artifact.digest)}
            </Link>
            <CopyButton text={`docker pull ${pullBase}@${artifact.digest}`} label={`Copy pull command for ${shortDigest(artifact.digest)}`} />
          </div>
        </td>
        <td className="px-3 py-2.5">
          <TagChips artifact={artifact} href={href} pullBase={pullBase} canDelete={canDelete} onDelete={onDelete} />
        </td>
        <td className={`${SECONDARY} px-3 py-2.5`}>
          <span title={artifact.artifactType ?? artifact.mediaType}>{KIND_LABELS[artifact.kind] ?? artifact.kind}</span>
          {artifact.referrers.length > 0 && <span className="ml-1 text-xs text-slate-500">+{countOf(artifact.referrers.length, 'referrer')}</span>}
        </td>
        <td className="hidden max-w-[14rem] px-3 py-2.5 font-mono text-xs sm:table-cell">{artifact.platforms.length ? artifact.platforms.map(formatPlatform).join(', ') : '—'}</td>
        <td className={`${SECONDARY} whitespace-nowrap px-3 py-2.5 text-right tabular-nums`} title={`${artifact.size.toLocaleString('en-US')} bytes`}>
          {formatBytes(artifact.size)}
        </td>
        <td className={`${SECONDARY} whitespace-nowrap px-3 py-2.5`}>
          <TimeAgo value={artifact.pushedAt} />
        </td>
        <td className={`${SECONDARY} whitespace-nowrap px-3 py-2.5`}>
          <span className="tabular-nums">{formatCount(artifact.pullCount)}</span>
          <span className="block text-xs text-slate-500">
            last <TimeAgo value={artifact.lastPulledAt} />
          </span>
        </td>
        <td className={`${STICKY_ACTIONS} bg-white px-3 py-2.5 text-right`}>
          {canDelete && (
            <Button
              variant="ghost"
              className="px-2 py-1 text-red-700"
              aria-label={`Delete artifact ${shortDigest(artifact.digest)}`}
              onClick={() => onDelete({ kind: 'artifact', artifact })}
            >
              Delete
            </Button>
          )}
        </td>
      </tr>
      {expanded &&
        artifact.children.map((child, i) => (
          <ChildRow key={child.digest} child={child} id={i === 0 ? childrenId : undefined} href={artifactPath(project, repository, child.digest)} pullBase={pullBase} />
        ))}
    </Fragment>
  )
}
