'use client'
// The confirmation for deleting a tag or an artifact from the repository's list: it names what goes and what stays.
import { formatCount, shortDigest } from '../format'
import { ConfirmDialog, type ConfirmAction } from '../widgets'
import { tagNames, type Deletion } from './use-delete-artifact'

export function DeleteArtifactDialog({
  full,
  pending,
  action,
  onCancel,
  onConfirm,
}: {
  full: string
  pending: Deletion | null
  action: ConfirmAction
  onCancel: () => void
  onConfirm: (what: Deletion) => void
}) {
  return (
    <ConfirmDialog
      open={pending !== null}
      title={pending?.kind === 'tag' ? `Delete tag ${pending.tag.name}?` : `Delete artifact ${shortDigest(pending?.artifact.digest)}?`}
      confirmLabel={pending?.kind === 'tag' ? 'Delete tag' : 'Delete artifact'}
      action={action}
      onCancel={onCancel}
      onConfirm={() => pending && onConfirm(pending)}
    >
      {pending?.kind === 'tag' ? (
        <p>
          The tag{' '}
          <strong className="font-mono">
            {full}:{pending.tag.name}
          </strong>{' '}
          goes. The artifact <span className="font-mono">{shortDigest(pending.artifact.digest)}</span> stays
          {pending.artifact.tagCount > 1 ? ` with its other tags (${tagNames(pending.artifact, pending.tag.name)})` : ', untagged'}.
        </p>
      ) : pending ? (
        <div className="space-y-2">
          <p>
            The artifact <strong className="break-all font-mono">{pending.artifact.digest}</strong> goes
            {pending.artifact.tagCount ? (
              <>
                {' '}
                with {pending.artifact.tagCount === 1 ? 'its tag' : `all ${formatCount(pending.artifact.tagCount)} of its tags`}:{' '}
                <strong className="font-mono">{tagNames(pending.artifact)}</strong>
              </>
            ) : (
              ' (it has no tags)'
            )}
            .
          </p>
          {pending.artifact.children.length > 0 && <p>Its platform manifests go with it, except those that have a tag or belong to another index.</p>}
          <p>Anyone pulling it by tag or digest will get “manifest unknown”.</p>
        </div>
      ) : null}
    </ConfirmDialog>
  )
}
