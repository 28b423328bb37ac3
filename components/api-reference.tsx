'use client'
// The API reference: /api/v1/openapi.json rendered for people. Operations grouped by tag, with a
// filter and a table of contents; each operation is an ./api-reference/operation-card.
import { useQuery } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { api, errorMessage } from './api'
import { OperationCard } from './api-reference/operation-card'
import { groupByTag, slug, type OpenApiDocument } from './api-reference/openapi'
import { countOf } from './format'
import { ErrorMessage, focusRing, inputClass } from './ui'
import { LoadingRows } from './widgets'

export function ApiReference() {
  const doc = useQuery({ queryKey: ['openapi'], queryFn: async () => (await api<OpenApiDocument>('/api/v1/openapi.json')).data, staleTime: 5 * 60_000 })
  const [filter, setFilter] = useState('')
  const groups = useMemo(() => groupByTag(doc.data), [doc.data])

  const needle = filter.trim().toLowerCase()
  const visible = groups
    .map(([tag, entries]) => [tag, needle ? entries.filter((e) => `${e.method} ${e.path} ${e.op.summary ?? ''} ${tag}`.toLowerCase().includes(needle)) : entries] as const)
    .filter(([, entries]) => entries.length > 0)
  const count = groups.reduce((n, [, entries]) => n + entries.length, 0)

  return (
    <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6 sm:py-10">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">API reference</h1>
          <p className="mt-2 max-w-3xl text-slate-600">
            {doc.data?.info.description ?? 'The management API under /api/v1. Authenticate with HTTP Basic (password, access token or robot secret) or the browser session.'}
          </p>
        </div>
        <a href="/api/v1/openapi.json" className={`rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-100 ${focusRing}`}>
          OpenAPI JSON
        </a>
      </div>
      {doc.isPending ? (
        <div className="mt-8">
          <LoadingRows rows={8} label="Loading the API reference" />
        </div>
      ) : doc.isError ? (
        <div className="mt-8">
          <ErrorMessage>{errorMessage(doc.error)}</ErrorMessage>
        </div>
      ) : (
        <div className="mt-8 grid items-start gap-8 lg:grid-cols-[13rem_1fr]">
          <nav aria-label="API sections" className="lg:sticky lg:top-4">
            <label htmlFor="api-filter" className="block text-sm font-medium text-slate-700">
              Filter operations
            </label>
            <input id="api-filter" type="search" placeholder="e.g. tags, delete" value={filter} onChange={(event) => setFilter(event.target.value)} className={inputClass} />
            <p className="mt-2 text-xs text-slate-500">
              OpenAPI {doc.data.openapi} · {countOf(count, 'operation')}
            </p>
            <ul className="mt-3 flex flex-wrap gap-1 lg:block lg:space-y-0.5">
              {visible.map(([tag, entries]) => (
                <li key={tag}>
                  <a
                    href={`#tag-${slug(tag)}`}
                    className={`flex items-center justify-between gap-2 rounded-md px-2 py-1 text-sm capitalize text-slate-700 hover:bg-slate-200/70 ${focusRing}`}
                  >
                    {tag}
                    <span className="rounded-full bg-slate-200 px-1.5 text-xs text-slate-600">{entries.length}</span>
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div className="min-w-0 space-y-10">
            {visible.length === 0 && <p className="text-sm text-slate-500">No operation matches “{filter}”.</p>}
            {visible.map(([tag, entries]) => (
              <section key={tag} id={`tag-${slug(tag)}`} aria-labelledby={`tag-heading-${slug(tag)}`} className="scroll-mt-4">
                <h2 id={`tag-heading-${slug(tag)}`} className="text-xl font-semibold capitalize text-slate-900">
                  {tag}
                </h2>
                <div className="mt-3 space-y-3">
                  {entries.map((entry) => (
                    <OperationCard key={`${entry.method} ${entry.path}`} entry={entry} />
                  ))}
                </div>
              </section>
            ))}
          </div>
        </div>
      )}
    </main>
  )
}
