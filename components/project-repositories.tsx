'use client'
// The repositories of a project: search, a table with counts and last push, and a form to create a
// repository (name + Markdown description) for callers who may push. Empty projects show them the
// exact push commands.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import Link from 'next/link'
import { useEffect, useState, type FormEvent } from 'react'
import type { Repository } from '@/lib/repositories/schema'
import { api, apiList, errorMessage } from './api'
import { excerpt, formatCount, repositoryPath } from './format'
import { allows, type Project } from './projects-view'
import { Button, ErrorMessage, RepositoryName, SuccessMessage, TextField, focusRing, inputClass, tableScrollClass } from './ui'
import { LoadingRows, Pagination, PushCommands, TimeAgo } from './widgets'

export type { Repository }

const PAGE_SIZE = 20

/** The repository name relative to its project (the API may return `project/name`). */
export function shortRepositoryName(project: string, name: string): string {
  return name.startsWith(`${project}/`) ? name.slice(project.length + 1) : name
}

function useDebounced<T>(value: T, ms = 250): T {
  const [debounced, setDebounced] = useState(value)
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms)
    return () => clearTimeout(timer)
  }, [value, ms])
  return debounced
}

export function ProjectRepositories({ project }: { project: Project }) {
  const mayPush = allows(project, 'repository:push')
  const [search, setSearch] = useState('')
  const q = useDebounced(search.trim())
  const [page, setPage] = useState(1)
  useEffect(() => setPage(1), [q])
  // After a repository is deleted from its own page, the project page says so (?deleted=name).
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
  const repositories = useQuery({
    queryKey: ['repositories', project.name, q, page],
    queryFn: () =>
      apiList<Repository>(
        `/api/v1/projects/${encodeURIComponent(project.name)}/repositories?${new URLSearchParams({ page: String(page), page_size: String(PAGE_SIZE), ...(q ? { q } : {}) })}`,
      ),
    placeholderData: keepPreviousData,
  })

  return (
    <div className={`grid items-start gap-6 ${mayPush ? 'lg:grid-cols-[1fr_18rem]' : ''}`}>
      <section aria-labelledby="repositories-heading" className="min-w-0 rounded-xl border border-slate-200 bg-white shadow-sm">
        <div className="flex flex-wrap items-end justify-between gap-3 border-b border-slate-200 px-4 py-3">
          <h2 id="repositories-heading" className="text-lg font-semibold">
            Repositories
          </h2>
          <div className="w-full sm:w-64">
            <label htmlFor="repository-search" className="sr-only">
              Search repositories
            </label>
            <input
              id="repository-search"
              type="search"
              placeholder="Search repositories"
              value={search}
              onChange={(event) => setSearch(event.target.value)}
              className={`${inputClass} mt-0`}
            />
          </div>
        </div>
        {deleted && (
          <div className="px-4 pt-3">
            <SuccessMessage>{`Repository ${project.name}/${deleted} deleted.`}</SuccessMessage>
          </div>
        )}
        {repositories.isPending ? (
          <LoadingRows label="Loading repositories" />
        ) : repositories.isError ? (
          <div className="p-4">
            <ErrorMessage testId="repositories-error">{errorMessage(repositories.error)}</ErrorMessage>
          </div>
        ) : repositories.data.items.length === 0 ? (
          q ? (
            <p className="p-4 text-sm text-slate-600">No repository matches “{q}”.</p>
          ) : (
            <div className="space-y-3 p-4" data-testid="repositories-empty">
              <p className="text-sm text-slate-700">{mayPush ? 'No repositories yet. Push an image to create one:' : 'No repositories yet.'}</p>
              {mayPush && <PushCommands project={project.name} />}
            </div>
          )
        ) : (
          <>
            <div className={tableScrollClass}>
              <table className="w-full text-left text-sm" data-testid="repository-table">
                <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
                  <tr>
                    <th scope="col" className="px-4 py-2 font-medium">
                      Name
                    </th>
                    <th scope="col" className="px-4 py-2 text-right font-medium">
                      Artifacts
                    </th>
                    <th scope="col" className="px-4 py-2 text-right font-medium">
                      Pulls
                    </th>
                    <th scope="col" className="px-4 py-2 font-medium">
                      Last push
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {repositories.data.items.map((repository) => {
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
                        <td className="px-4 py-2.5 text-right tabular-nums">{formatCount(Number(repository.pullCount ?? 0))}</td>
                        <td className="px-4 py-2.5">
                          <TimeAgo value={repository.lastPushedAt} />
                        </td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </div>
            {repositories.data.total > PAGE_SIZE && <Pagination page={page} total={repositories.data.total} pageSize={PAGE_SIZE} onChange={setPage} noun="repository" />}
          </>
        )}
      </section>
      {mayPush && <CreateRepository project={project.name} />}
    </div>
  )
}

function CreateRepository({ project }: { project: string }) {
  const queryClient = useQueryClient()
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [done, setDone] = useState<string | null>(null)
  const create = useMutation({
    mutationFn: async () =>
      (await api<Repository>(`/api/v1/projects/${encodeURIComponent(project)}/repositories`, { method: 'POST', body: { name: name.trim(), description } })).data,
    onSuccess: async (repository) => {
      setDone(shortRepositoryName(project, repository?.name ?? name.trim()))
      setName('')
      setDescription('')
      await queryClient.invalidateQueries({ queryKey: ['repositories', project] })
      await queryClient.invalidateQueries({ queryKey: ['project', project] })
    },
  })
  function submit(event: FormEvent) {
    event.preventDefault()
    setDone(null)
    create.mutate()
  }
  return (
    <section aria-labelledby="create-repository-heading" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="create-repository-heading" className="text-lg font-semibold">
        Create repository
      </h2>
      <form onSubmit={submit} className="mt-3 space-y-3">
        <TextField
          label="Repository name"
          required
          value={name}
          onChange={(event) => setName(event.target.value)}
          autoComplete="off"
          spellCheck={false}
          hint={`Lowercase, e.g. app or team/app. Pushed as ${project}/name.`}
        />
        <div>
          <label htmlFor="repository-description" className="block text-sm font-medium text-slate-700">
            Description
          </label>
          <textarea
            id="repository-description"
            rows={4}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
            className={inputClass}
            aria-describedby="repository-description-hint"
          />
          <p id="repository-description-hint" className="mt-1 text-xs text-slate-500">
            Markdown: headings, lists, `code`, **bold**, links.
          </p>
        </div>
        <ErrorMessage testId="create-repository-error">{create.isError ? errorMessage(create.error) : null}</ErrorMessage>
        <SuccessMessage>{done ? `Repository ${done} created.` : null}</SuccessMessage>
        <Button type="submit" disabled={create.isPending || !name.trim()}>
          {create.isPending ? 'Creating…' : 'Create repository'}
        </Button>
      </form>
    </section>
  )
}
