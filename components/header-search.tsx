'use client'
// The global search box in the header: projects and repositories the caller may read, as links.
import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { useEffect, useId, useRef, useState } from 'react'
import { api, errorMessage } from './api'
import { excerpt, repositoryPath } from './format'

interface SearchResult {
  projects?: { name: string; public?: boolean }[]
  repositories?: { name: string; projectName?: string; project?: string; description?: string | null }[]
}

function split(repository: { name: string; projectName?: string; project?: string }): { project: string; repository: string } {
  const project = repository.projectName ?? repository.project ?? repository.name.split('/')[0]
  const rest = repository.name.startsWith(`${project}/`) ? repository.name.slice(project.length + 1) : repository.name
  return { project, repository: rest }
}

export function HeaderSearch() {
  const id = useId()
  const [text, setText] = useState('')
  const [q, setQ] = useState('')
  const [open, setOpen] = useState(false)
  const box = useRef<HTMLDivElement>(null)
  const pathname = usePathname()
  useEffect(() => {
    const timer = setTimeout(() => setQ(text.trim()), 200)
    return () => clearTimeout(timer)
  }, [text])
  useEffect(() => {
    setOpen(false)
    setText('')
  }, [pathname])
  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      if (box.current && !box.current.contains(event.target as Node)) setOpen(false)
    }
    document.addEventListener('mousedown', onClick)
    return () => document.removeEventListener('mousedown', onClick)
  }, [])
  const results = useQuery({
    queryKey: ['search', q],
    queryFn: async () => (await api<SearchResult>(`/api/v1/search?${new URLSearchParams({ q })}`)).data,
    enabled: q.length > 0,
  })
  const projects = results.data?.projects ?? []
  const repositories = results.data?.repositories ?? []
  const show = open && q.length > 0

  return (
    <div
      ref={box}
      role="search"
      className="relative order-last w-full sm:order-none sm:w-64"
      onKeyDown={(event) => {
        if (event.key === 'Escape') setOpen(false)
      }}
    >
      <label htmlFor={`${id}-q`} className="sr-only">
        Search projects and repositories
      </label>
      <input
        id={`${id}-q`}
        type="search"
        placeholder="Search projects and repositories"
        autoComplete="off"
        value={text}
        aria-controls={`${id}-results`}
        aria-expanded={show}
        onChange={(event) => {
          setText(event.target.value)
          setOpen(true)
        }}
        onFocus={() => setOpen(true)}
        className="w-full rounded-md border border-slate-600 bg-slate-800 px-3 py-1.5 text-sm text-white placeholder:text-slate-400 focus:border-sky-400 focus:outline-none focus:ring-2 focus:ring-sky-400/40"
      />
      {show && (
        <div
          id={`${id}-results`}
          data-testid="search-results"
          className="absolute right-0 z-20 mt-1 max-h-96 w-full min-w-72 overflow-y-auto rounded-lg border border-slate-200 bg-white py-2 text-sm text-slate-900 shadow-lg"
        >
          {results.isPending ? (
            <p className="px-3 py-2 text-slate-500">Searching…</p>
          ) : results.isError ? (
            <p className="px-3 py-2 text-red-700">{errorMessage(results.error)}</p>
          ) : projects.length === 0 && repositories.length === 0 ? (
            <p className="px-3 py-2 text-slate-500">Nothing matches “{q}”.</p>
          ) : (
            <>
              {projects.length > 0 && (
                <div>
                  <p className="px-3 pb-1 pt-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Projects</p>
                  <ul aria-label="Projects found">
                    {projects.map((project) => (
                      <li key={project.name}>
                        <Link href={`/projects/${encodeURIComponent(project.name)}`} className="block px-3 py-1.5 font-mono hover:bg-sky-50 focus:bg-sky-50 focus:outline-none">
                          {project.name}
                        </Link>
                      </li>
                    ))}
                  </ul>
                </div>
              )}
              {repositories.length > 0 && (
                <div>
                  <p className="px-3 pb-1 pt-2 text-xs font-semibold uppercase tracking-wide text-slate-500">Repositories</p>
                  <ul aria-label="Repositories found">
                    {repositories.map((repository) => {
                      const parts = split(repository)
                      return (
                        <li key={repository.name}>
                          <Link href={repositoryPath(parts.project, parts.repository)} className="block px-3 py-1.5 hover:bg-sky-50 focus:bg-sky-50 focus:outline-none">
                            <span className="font-mono">
                              {parts.project}/{parts.repository}
                            </span>
                            {repository.description ? <span className="block truncate text-xs text-slate-500">{excerpt(repository.description, 80)}</span> : null}
                          </Link>
                        </li>
                      )
                    })}
                  </ul>
                </div>
              )}
            </>
          )}
        </div>
      )}
    </div>
  )
}
