'use client'
// The repositories of a project: search, a table with counts and last push, and a form to create a
// repository (./repositories/create-repository) for callers who may push. Empty projects show them
// the exact push commands.
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { useEffect, useState } from 'react'
import { REPOSITORY_PAGE_SIZE, repositoriesKey } from './query-keys'
import type { Repository } from '@/lib/repositories/schema'
import { apiList } from './api'
import { DataTable, EmptyNote, PageFooter, QueryList, type Column } from './data-table'
import { excerpt, formatBytes, formatCount, repositoryPath, shortRepositoryName } from './format'
import { Panel, SearchField } from './panel'
import { allows, type Project } from './projects-view'
import { CreateRepository } from './repositories/create-repository'
import { RepositoryName, SuccessMessage, focusRing } from './ui'
import { usePagedSearch } from './use-paged-search'
import { PushCommands, TimeAgo } from './widgets'

export type { Repository }

const COLUMNS: Column[] = [
  { label: 'Name' },
  { label: 'Artifacts', className: 'px-4 py-2 text-right' },
  { label: 'Size', className: 'px-4 py-2 text-right' },
  { label: 'Pulls', className: 'px-4 py-2 text-right' },
  { label: 'Last push' },
]

/** After a repository is deleted from its own page, the project page says so (?deleted=name, then dropped from the address). */
function useDeletedNotice(): string | null {
  const [deleted, setDeleted] = useState<string | null>(null)
  useEffect(() => {
    const params = new URLSearchParams(window.location.search)
    const name = params.get('deleted')
    if (!name) return
    setDeleted(name)
    params.delete('deleted')
    const rest = params.toString()
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${rest ? `?${rest}` : ''}${window.location.hash}`)
  }, [])
  return deleted
}

export function ProjectRepositories({ project }: { project: Project }) {
  const mayPush = allows(project, 'repository:push')
  const { search, setSearch, q, page, setPage } = usePagedSearch()
  const deleted = useDeletedNotice()
  const repositories = useQuery({
    queryKey: repositoriesKey(project.name, q, page),
    queryFn: () =>
      apiList<Repository>(
        `/api/v1/projects/${encodeURIComponent(project.name)}/repositories?${new URLSearchParams({ page: String(page), page_size: String(REPOSITORY_PAGE_SIZE), ...(q ? { q } : {}) })}`,
      ),
    placeholderData: keepPreviousData,
  })
  const empty = q ? (
    <EmptyNote>No repository matches “{q}”.</EmptyNote>
  ) : (
    <EmptyNote testId="repositories-empty">
      <p className="text-slate-700">{mayPush ? 'No repositories yet. Push an image to create one:' : 'No repositories yet.'}</p>
      {mayPush && <PushCommands project={project.name} />}
    </EmptyNote>
  )

  return (
    <div className={`grid items-start gap-6 ${mayPush ? 'lg:grid-cols-[1fr_18rem]' : ''}`}>
      <Panel
        title="Repositories"
        headingId="repositories-heading"
        tools={<SearchField id="repository-search" label="Search repositories" value={search} onChange={setSearch} className="sm:w-64" />}
      >
        {deleted && (
          <div className="px-4 pt-3">
            <SuccessMessage>{`Repository ${project.name}/${deleted} deleted.`}</SuccessMessage>
          </div>
        )}
        <QueryList query={repositories} loadingLabel="Loading repositories" errorTestId="repositories-error" empty={empty}>
          {({ items, total }) => (
            <>
              <DataTable columns={COLUMNS} testId="repository-table">
                {items.map((repository) => {
                  const short = shortRepositoryName(project.name, repository.name)
                  return (
                    <tr key={repository.name} className="align-top">
                      <td className="max-w-md px-4 py-2.5">
                        <Link href={repositoryPath(project.name, short)} className={`break-words rounded font-mono font-medium text-sky-700 hover:underline ${focusRing}`}>
                          <RepositoryName name={short} />
                        </Link>
                        {repository.description ? <p className="mt-0.5 text-xs text-slate-500">{excerpt(repository.description)}</p> : null}
                      </td>
                      <td className="px-4 py-2.5 text-right tabular-nums">{formatCount(repository.artifactCount)}</td>
                      <td className="px-4 py-2.5 text-right tabular-nums whitespace-nowrap">{formatBytes(repository.storageUsed)}</td>
                      <td className="px-4 py-2.5 text-right tabular-nums">{formatCount(Number(repository.pullCount ?? 0))}</td>
                      <td className="px-4 py-2.5">
                        <TimeAgo value={repository.lastPushedAt} />
                      </td>
                    </tr>
                  )
                })}
              </DataTable>
              <PageFooter page={page} total={total} pageSize={REPOSITORY_PAGE_SIZE} onChange={setPage} noun="repository" />
            </>
          )}
        </QueryList>
      </Panel>
      {mayPush && <CreateRepository project={project.name} />}
    </div>
  )
}
