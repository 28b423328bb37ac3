'use client'
// Pages of a list, and the placeholder shown while a list loads.
import { countOf, pluralNoun } from '../format'
import { Button } from '../ui'

/** Pages of a list; `noun` is what the list holds, in the singular ("repository"). */
export function Pagination({ page, total, pageSize, onChange, noun }: { page: number; total: number; pageSize: number; onChange: (page: number) => void; noun: string }) {
  const pages = Math.max(1, Math.ceil(total / pageSize))
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1
  const last = Math.min(total, page * pageSize)
  return (
    <nav aria-label={`${pluralNoun(noun)} pages`} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3 text-sm text-slate-600">
      <span>
        {first}–{last} of {countOf(total, noun)}
      </span>
      <span className="flex items-center gap-2">
        <Button variant="secondary" disabled={page <= 1} onClick={() => onChange(page - 1)}>
          Previous
        </Button>
        <span aria-live="polite">
          Page {page} of {pages}
        </span>
        <Button variant="secondary" disabled={page >= pages} onClick={() => onChange(page + 1)}>
          Next
        </Button>
      </span>
    </nav>
  )
}

/** A placeholder row block with fixed height while data loads (avoids layout shift). */
export function LoadingRows({ rows = 3, label = 'Loading…' }: { rows?: number; label?: string }) {
  return (
    <div role="status" aria-label={label} className="space-y-2 p-4">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="h-8 animate-pulse rounded bg-slate-100" />
      ))}
      <span className="sr-only">{label}</span>
    </div>
  )
}
