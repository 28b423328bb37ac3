'use client'
// The artifact's tags, a page at a time, each with its pull command and, for those who may, a confirmed delete.
import { errorMessage } from '../api'
import { shortDigest } from '../format'
import { Button, ErrorMessage, SuccessMessage } from '../ui'
import { CommandLine, ConfirmDialog, LoadingRows, Pagination, TimeAgo } from '../widgets'
import { TAGS_PAGE_SIZE, useArtifactTags, useDeleteTag } from './use-artifact-tags'
import { ImmutableLock } from '../tag-rules/immutable-lock'

export function ArtifactTags({ project, repository, digest, pullBase, canDelete }: { project: string; repository: string; digest: string; pullBase: string; canDelete: boolean }) {
  const { tags, page, setPage } = useArtifactTags(project, repository, digest)
  const deletion = useDeleteTag(project, repository, digest)
  if (tags.isPending) return <LoadingRows rows={2} label="Loading tags" />
  if (tags.isError) return <ErrorMessage testId="tags-error">{errorMessage(tags.error)}</ErrorMessage>
  if (tags.data.total === 0)
    return (
      <>
        <SuccessMessage>{deletion.deleted}</SuccessMessage>
        <p className="text-sm text-slate-500">This artifact has no tags.</p>
      </>
    )
  const { pending, remove } = deletion
  return (
    <>
      <SuccessMessage>{deletion.deleted}</SuccessMessage>
      <ul className="space-y-2" data-testid="artifact-tags">
        {tags.data.items.map((tag) => (
          <li key={tag.name} className="flex flex-wrap items-center gap-2 text-sm">
            <span className="inline-flex items-center gap-1 break-all rounded-full bg-sky-50 px-2.5 py-0.5 font-mono text-xs text-sky-900 ring-1 ring-sky-200">
              {tag.immutable && <ImmutableLock tag={tag.name} />}
              {tag.name}
            </span>
            <span className="text-xs text-slate-500">
              pushed <TimeAgo value={tag.pushedAt} />
              {tag.checkedUpstreamAt && (
                <>
                  , checked upstream <TimeAgo value={tag.checkedUpstreamAt} />
                </>
              )}
            </span>
            {canDelete && !tag.immutable && (
              <Button variant="ghost" className="ml-auto px-2 py-0.5 text-xs text-red-700" aria-label={`Delete tag ${tag.name}`} onClick={() => deletion.ask(tag.name)}>
                Delete
              </Button>
            )}
            <div className="w-full">
              <CommandLine command={`docker pull ${pullBase}:${tag.name}`} label={`Copy pull command for ${tag.name}`} />
            </div>
          </li>
        ))}
      </ul>
      {tags.data.total > TAGS_PAGE_SIZE && (
        <div className="-mx-4">
          <Pagination page={page} total={tags.data.total} pageSize={TAGS_PAGE_SIZE} onChange={setPage} noun="tag" />
        </div>
      )}
      <ConfirmDialog
        open={pending !== null}
        title={`Delete tag ${pending ?? ''}?`}
        confirmLabel="Delete tag"
        action={remove}
        onCancel={deletion.cancel}
        onConfirm={() => pending && remove.mutate(pending)}
      >
        <p>
          The tag <strong className="font-mono">{pending}</strong> goes; anyone pulling it will get “manifest unknown”. The artifact{' '}
          <span className="font-mono">{shortDigest(digest)}</span> stays{tags.data.total > 1 ? ' with its other tags' : ', untagged'}.
        </p>
      </ConfirmDialog>
    </>
  )
}
