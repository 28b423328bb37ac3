'use client'
// The lists of the dashboard: what a paged query shows while it loads, fails or comes back empty, the
// table its rows go in, and the paging footer under it.
import type { UseQueryResult } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { errorMessage } from './api'
import { ErrorMessage, tableScrollClass } from './ui'
import { LoadingRows, Pagination } from './widgets'

/** One page of a list and the size of the whole list (what `apiList` returns). */
export interface Page<T> {
  items: T[]
  total: number
}

/**
 * The states of a list query: skeleton rows while loading, the server's error, `empty` when there
 * is nothing, else `children` with the page.
 */
export function QueryList<T>({
  query,
  loadingLabel,
  rows,
  errorTestId,
  errorText = errorMessage,
  empty,
  children,
}: {
  query: UseQueryResult<Page<T>>
  loadingLabel: string
  rows?: number
  errorTestId?: string
  errorText?: (error: unknown) => string
  empty: ReactNode
  children: (page: Page<T>) => ReactNode
}) {
  if (query.isPending) return <LoadingRows rows={rows} label={loadingLabel} />
  if (query.isError)
    return (
      <div className="p-4">
        <ErrorMessage testId={errorTestId}>{errorText(query.error)}</ErrorMessage>
      </div>
    )
  if (query.data.items.length === 0) return empty
  return children(query.data)
}

/** The line a list shows in place of its table when it has no rows. */
export function EmptyNote({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <div className="space-y-3 p-4 text-sm text-slate-600" data-testid={testId}>
      {children}
    </div>
  )
}

/** A column heading; `hidden` keeps it for screen readers only (a column of buttons). */
export interface Column {
  label: string
  hidden?: boolean
  /** Padding and alignment, when not the default `px-4 py-2`. */
  className?: string
}

/** A table that scrolls sideways when too wide; `children` are its body rows. */
export function DataTable({
  columns,
  testId,
  labelledBy,
  className = '',
  children,
}: {
  columns: Column[]
  testId?: string
  labelledBy?: string
  className?: string
  children: ReactNode
}) {
  return (
    <div className={`${tableScrollClass} ${className}`}>
      <table className="w-full text-left text-sm" data-testid={testId} aria-labelledby={labelledBy}>
        <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            {columns.map((column) => (
              <th key={column.label} scope="col" className={`${column.className ?? 'px-4 py-2'} font-medium`}>
                {column.hidden ? <span className="sr-only">{column.label}</span> : column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  )
}

/** The paging footer under a list, when the list has more than one page. */
export function PageFooter({ page, total, pageSize, onChange, noun }: { page: number; total: number; pageSize: number; onChange: (page: number) => void; noun: string }) {
  if (total <= pageSize) return null
  return (
    <div className="border-t border-slate-200">
      <Pagination page={page} total={total} pageSize={pageSize} onChange={onChange} noun={noun} />
    </div>
  )
}
