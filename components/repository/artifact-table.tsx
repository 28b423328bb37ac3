'use client'
// The repository's artifacts as a table. It fits 1440 px with every column; narrower screens drop the
// secondary columns (the artifact page has them all).
import type { ArtifactView as Artifact } from '@/lib/artifacts/schema'
import { tableScrollClass } from '../ui'
import { ArtifactRow } from './artifact-row'
import { SECONDARY, STICKY_ACTIONS } from './columns'
import type { Deletion } from './use-delete-artifact'

const HEADS = [
  { label: 'Digest', className: '' },
  { label: 'Tags', className: '' },
  { label: 'Kind', className: SECONDARY },
  { label: 'Platforms', className: 'hidden sm:table-cell' },
  { label: 'Size', className: `${SECONDARY} text-right` },
  { label: 'Pushed', className: SECONDARY },
  { label: 'Pulls', className: SECONDARY },
]

export function ArtifactTable({
  artifacts,
  project,
  repository,
  pullBase,
  canDelete,
  onDelete,
}: {
  artifacts: Artifact[]
  project: string
  repository: string
  pullBase: string
  canDelete: boolean
  onDelete: (what: Deletion) => void
}) {
  return (
    <div className={tableScrollClass}>
      <table className="w-full text-left text-sm" data-testid="artifact-table">
        <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            {HEADS.map((head) => (
              <th key={head.label} scope="col" className={`${head.className} whitespace-nowrap px-3 py-2 font-medium`}>
                {head.label}
              </th>
            ))}
            <th scope="col" className={`${STICKY_ACTIONS} whitespace-nowrap bg-slate-50 px-3 py-2 text-right font-medium`}>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {artifacts.map((artifact) => (
            <ArtifactRow key={artifact.digest} artifact={artifact} project={project} repository={repository} pullBase={pullBase} canDelete={canDelete} onDelete={onDelete} />
          ))}
        </tbody>
      </table>
    </div>
  )
}
