'use client'
// An artifact's tags in the repository's list: a chip per tag with its pull command and (for those who
// may) a delete button, and a link to the rest when the list embeds only some.
import Link from 'next/link'
import type { ArtifactView as Artifact } from '@/lib/artifacts/schema'
import { formatCount, shortDigest } from '../format'
import { focusRing } from '../ui'
import { CopyButton } from '../widgets'
import type { Deletion } from './use-delete-artifact'
import { ImmutableLock } from '../tag-rules/immutable-lock'

export function TagChips({
  artifact,
  href,
  pullBase,
  canDelete,
  onDelete,
}: {
  artifact: Artifact
  href: string
  pullBase: string
  canDelete: boolean
  onDelete: (what: Deletion) => void
}) {
  if (artifact.tagCount === 0) return <span className="text-slate-400">untagged</span>
  return (
    <ul className="flex max-w-[16rem] flex-wrap items-center gap-1.5">
      {artifact.tags.map((tag) => (
        <li
          key={tag.name}
          className="inline-flex max-w-full items-center gap-1 rounded-full bg-sky-50 py-0.5 pl-2.5 pr-1 text-xs text-sky-900 ring-1 ring-sky-200"
          data-testid="tag-chip"
        >
          {tag.immutable && <ImmutableLock tag={tag.name} />}
          <span className="break-all font-mono">{tag.name}</span>
          <CopyButton text={`docker pull ${pullBase}:${tag.name}`} label={`Copy pull command for ${tag.name}`} compact />
          {canDelete && !tag.immutable && (
            <button
              type="button"
              aria-label={`Delete tag ${tag.name}`}
              title={`Delete tag ${tag.name}`}
              onClick={() => onDelete({ kind: 'tag', artifact, tag })}
              className={`rounded-full px-1.5 text-sky-800 hover:bg-red-100 hover:text-red-800 ${focusRing}`}
            >
              <span aria-hidden>×</span>
            </button>
          )}
        </li>
      ))}
      {artifact.tagCount > artifact.tags.length && (
        <li>
          <Link href={`${href}#tags-heading`} className={`whitespace-nowrap rounded text-xs font-medium text-sky-700 hover:underline ${focusRing}`} data-testid="more-tags">
            +{formatCount(artifact.tagCount - artifact.tags.length)} more<span className="sr-only"> tags of {shortDigest(artifact.digest)}</span>
          </Link>
        </li>
      )}
    </ul>
  )
}
