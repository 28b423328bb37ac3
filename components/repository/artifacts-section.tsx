'use client'
// The repository's artifacts: filters, the table a page at a time, what to do when there are none,
// and confirmed deletion of a tag or a whole artifact.
import { errorMessage } from '../api'
import { ErrorMessage, SuccessMessage } from '../ui'
import { LoadingRows, Pagination, PushCommands } from '../widgets'
import { ArtifactFilters } from './artifact-filters'
import { ArtifactTable } from './artifact-table'
import { DeleteArtifactDialog } from './delete-artifact-dialog'
import { useArtifactList, type TaggedFilter } from './use-artifact-list'
import { useDeleteArtifact } from './use-delete-artifact'

/** Why a filtered list is empty. */
function noneMatch(tagged: TaggedFilter, tagFilter: string): string {
  if (tagged === 'false' && !tagFilter) return 'No untagged artifacts: every artifact in this repository has a tag.'
  if (tagged === 'true' && !tagFilter) return 'No tagged artifacts.'
  return `No ${tagged === 'false' ? 'untagged ' : ''}artifact has a tag matching “${tagFilter}”.`
}

export function ArtifactsSection({
  project,
  repository,
  pullBase,
  mayPush,
  mayDelete,
}: {
  project: string
  repository: string
  pullBase: string
  mayPush: boolean
  mayDelete: boolean
}) {
  const list = useArtifactList(project, repository)
  const { artifacts, tagFilter, tagged } = list
  const deletion = useDeleteArtifact(project, repository)
  return (
    <section aria-labelledby="artifacts-heading" className="mt-6 rounded-xl border border-slate-200 bg-white shadow-sm">
      <div className="flex flex-wrap items-end justify-between gap-3 border-b border-slate-200 px-4 py-3">
        <h2 id="artifacts-heading" className="text-lg font-semibold">
          Artifacts
        </h2>
        <ArtifactFilters list={list} />
      </div>
      <div className="space-y-2 px-4 pt-3 empty:hidden">
        <SuccessMessage>{deletion.message}</SuccessMessage>
      </div>
      {artifacts.isPending ? (
        <LoadingRows label="Loading artifacts" />
      ) : artifacts.isError ? (
        <div className="p-4">
          <ErrorMessage testId="artifacts-error">{errorMessage(artifacts.error)}</ErrorMessage>
        </div>
      ) : artifacts.data.items.length > 0 ? (
        <>
          <ArtifactTable artifacts={artifacts.data.items} project={project} repository={repository} pullBase={pullBase} canDelete={mayDelete} onDelete={deletion.ask} />
          <Pagination page={list.page} total={artifacts.data.total} pageSize={list.pageSize} onChange={list.setPage} noun="artifact" />
        </>
      ) : tagFilter || tagged ? (
        <p className="p-4 text-sm text-slate-600" data-testid="artifacts-none-match">
          {noneMatch(tagged, tagFilter)}
        </p>
      ) : (
        <div className="space-y-3 p-4" data-testid="artifacts-empty">
          <p className="text-sm text-slate-700">No artifacts yet.{mayPush && ' Push one:'}</p>
          {mayPush && <PushCommands project={project} repo={repository} tag="latest" />}
        </div>
      )}
      <DeleteArtifactDialog
        full={`${project}/${repository}`}
        pending={deletion.pending}
        action={deletion.remove}
        onCancel={deletion.cancel}
        onConfirm={(what) => deletion.remove.mutate(what)}
      />
    </section>
  )
}
