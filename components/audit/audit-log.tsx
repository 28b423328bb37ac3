'use client'
// An audit log (the system's at /admin/audit, a project's in its Logs tab): newest first, filtered
// and paged by the server. A change of filters starts again at page 1; typing is debounced.
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import type { AuditEntry } from '@/lib/audit'
import { apiList } from '../api'
import { DataTable, EmptyNote, PageFooter, QueryList, type Column } from '../data-table'
import { Panel } from '../panel'
import { useDebounced } from '../use-paged-search'
import { TimeAgo } from '../widgets'
import { AuditFilters, NO_FILTERS, filterQuery, type AuditFilterValues } from './audit-filters'

const PAGE_SIZE = 25

const COLUMNS: Column[] = [{ label: 'Time', className: 'whitespace-nowrap px-4 py-2' }, { label: 'Operator' }, { label: 'Operation' }, { label: 'Resource' }, { label: 'Result' }]

/** The entry as the API sends it (dates as strings). */
type AuditRow = Omit<AuditEntry, 'at'> & { at: string }

/** What an entry's detail adds to its resource, in a few words (pull counts, the tags a delete took). */
function detailNote(entry: AuditRow): string | null {
  const detail = entry.detail as Record<string, unknown> | null
  if (!detail || typeof detail !== 'object') return null
  if (entry.action === 'artifact.pull' && typeof detail.count === 'number') return detail.count === 1 ? null : `${detail.count} pulls`
  if (Array.isArray(detail.tags) && detail.tags.length > 0) return `tags ${detail.tags.join(', ')}`
  return null
}

export function AuditLog({ base, headingId, title = 'Audit log' }: { base: string; headingId: string; title?: string }) {
  const [values, setValues] = useState<AuditFilterValues>(NO_FILTERS)
  const query = filterQuery(useDebounced(values))
  const [paging, setPaging] = useState({ query, page: 1 })
  const page = paging.query === query ? paging.page : 1
  const entries = useQuery({
    queryKey: ['audit', base, query, page],
    queryFn: () => apiList<AuditRow>(`${base}?${query ? `${query}&` : ''}page=${page}&page_size=${PAGE_SIZE}`),
    placeholderData: keepPreviousData,
  })
  const filtered = query !== ''
  return (
    <Panel title={title} headingId={headingId} roomy>
      <AuditFilters values={values} onChange={setValues} />
      <QueryList
        query={entries}
        loadingLabel="Loading audit log"
        errorTestId="audit-error"
        empty={<EmptyNote testId="audit-empty">{filtered ? 'No entries match these filters.' : 'Nothing has been recorded yet.'}</EmptyNote>}
      >
        {({ items, total }) => (
          <>
            <DataTable columns={COLUMNS} testId="audit-table" labelledBy={headingId}>
              {items.map((entry) => {
                const note = detailNote(entry)
                return (
                  <tr key={entry.id} className="align-top">
                    <td className="px-4 py-2.5">
                      <TimeAgo value={entry.at} />
                    </td>
                    <td className="break-all px-4 py-2.5">{entry.actor}</td>
                    <td className="whitespace-nowrap px-4 py-2.5 font-mono text-xs">{entry.action}</td>
                    <td className="min-w-64 px-4 py-2.5">
                      <span className="break-all font-mono text-xs">{entry.resource}</span>
                      {note && <span className="block text-xs text-slate-500">{note}</span>}
                    </td>
                    <td className="whitespace-nowrap px-4 py-2.5">
                      {entry.success ? <span className="text-emerald-700">Succeeded</span> : <span className="font-medium text-red-700">Failed</span>}
                    </td>
                  </tr>
                )
              })}
            </DataTable>
            <PageFooter page={page} total={total} pageSize={PAGE_SIZE} onChange={(next) => setPaging({ query, page: next })} noun="entry" />
          </>
        )}
      </QueryList>
    </Panel>
  )
}
