'use client'
// One repository: its Markdown description (editable), its artifacts (components/repository/artifacts-section)
// and deletion of the repository itself (typed confirmation).
import { useState } from 'react'
import { errorMessage, isNotVisible } from './api'
import { formatCount } from './format'
import { Description } from './repository/description'
import { ArtifactsSection } from './repository/artifacts-section'
import { projectCrumbs } from './repository/crumbs'
import { useDeleteRepository, useRepository } from './repository/use-repository'
import { Button, ErrorMessage, RepositoryName } from './ui'
import { useProjectAccess } from './use-project-access'
import { CachedFrom } from './repository/cached-from'
import { Breadcrumb, ConfirmDialog, LoadingRows, TimeAgo, useHost } from './widgets'

export function RepositoryView({ project, repository }: { project: string; repository: string }) {
  const host = useHost()
  const full = `${project}/${repository}`
  const { mayPush, mayDelete } = useProjectAccess(project)
  const repo = useRepository(project, repository)
  const [deleting, setDeleting] = useState(false)
  const removeRepository = useDeleteRepository(project, repository, () => setDeleting(false))

  return (
    <main className="mx-auto max-w-7xl px-4 py-8 sm:px-6 sm:py-10">
      <Breadcrumb items={projectCrumbs(project)} />
      <div className="mt-3 flex flex-wrap items-start justify-between gap-3">
        <h1 className="min-w-0 break-words font-mono text-2xl font-semibold tracking-tight">
          <RepositoryName name={full} />
        </h1>
        {repo.isSuccess && mayDelete && (
          <Button variant="secondary" className="text-red-700" onClick={() => setDeleting(true)}>
            Delete repository…
          </Button>
        )}
      </div>
      <CachedFrom project={project} />
      {repo.isPending ? (
        <LoadingRows label="Loading repository" />
      ) : repo.isError ? (
        <div className="mt-4">
          <ErrorMessage testId="repository-error">{isNotVisible(repo.error) ? `There is no repository ${full} that you can see.` : errorMessage(repo.error)}</ErrorMessage>
        </div>
      ) : (
        <>
          <dl className="mt-2 flex flex-wrap gap-x-6 gap-y-1 text-sm">
            <div className="flex gap-2">
              <dt className="text-slate-500">Artifacts</dt>
              <dd>{formatCount(repo.data.artifactCount)}</dd>
            </div>
            <div className="flex gap-2">
              <dt className="text-slate-500">Pulls</dt>
              <dd>{formatCount(Number(repo.data.pullCount ?? 0))}</dd>
            </div>
            <div className="flex gap-2">
              <dt className="text-slate-500">Last push</dt>
              <dd>
                <TimeAgo value={repo.data.lastPushedAt} />
              </dd>
            </div>
          </dl>
          <Description project={project} repository={repository} description={repo.data.description ?? ''} canEdit={mayPush} />
          <ArtifactsSection project={project} repository={repository} pullBase={`${host}/${full}`} mayPush={mayPush} mayDelete={mayDelete} />
        </>
      )}
      <ConfirmDialog
        open={deleting}
        title={`Delete repository ${full}?`}
        confirmLabel="Delete repository"
        typed={full}
        action={removeRepository}
        onCancel={() => setDeleting(false)}
        onConfirm={() => removeRepository.mutate()}
      >
        <p>
          The repository <strong className="break-all font-mono">{full}</strong> goes with all {repo.data ? formatCount(repo.data.artifactCount) : ''} of its artifacts and their
          tags. Anyone pulling from it will get “name unknown”. This cannot be undone.
        </p>
      </ConfirmDialog>
    </main>
  )
}
