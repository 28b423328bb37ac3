'use client'
// The history of garbage collection runs, newest first, refreshed while one runs: what each removed
// (or, for a dry run, would remove), and its log on demand; a running one can be cancelled.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Fragment, useState } from 'react'
import type { GcRun, GcStatus } from '@/lib/gc/schema'
import { api, apiList, errorMessage } from '../api'
import { DataTable, EmptyNote, PageFooter, QueryList } from '../data-table'
import { formatBytes, formatCount } from '../format'
import { Panel } from '../panel'
import { ErrorMessage, focusRing } from '../ui'
import { TimeAgo } from '../widgets'
import { GC_RUNS_KEY } from './keys'
import { RunLog } from './run-log'

const PAGE_SIZE = 10

const STATUS_STYLES: Record<GcStatus, string> = {
  running: 'bg-sky-100 text-sky-800',
  succeeded: 'bg-emerald-100 text-emerald-800',
  failed: 'bg-red-100 text-red-800',
  cancelled: 'bg-slate-200 text-slate-700',
}

function StatusBadge({ run }: { run: GcRun }) {
  const label = run.status === 'running' && run.cancelRequested ? 'cancelling' : run.status
  return <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_STYLES[run.status]}`}>{label}</span>
}

function duration(run: GcRun): string {
  if (!run.finishedAt) return '—'
  const ms = new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime()
  return ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`
}

const smallButton = `rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-100 ${focusRing}`

export function GcHistory() {
  const queryClient = useQueryClient()
  const [page, setPage] = useState(1)
  const [open, setOpen] = useState<number | null>(null)
  const runs = useQuery({
    queryKey: [...GC_RUNS_KEY, page],
    queryFn: () => apiList<GcRun>(`/api/v1/system/gc?page=${page}&page_size=${PAGE_SIZE}`),
    refetchInterval: (query) => (query.state.data?.items.some((run) => run.status === 'running') ? 1000 : false),
  })
  const cancel = useMutation({
    mutationFn: (id: number) => api<GcRun>(`/api/v1/system/gc/${id}/cancel`, { method: 'POST' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: GC_RUNS_KEY }),
  })
  return (
    <Panel title="History" headingId="gc-history-heading" roomy>
      {cancel.isError && (
        <div className="px-5 pt-3">
          <ErrorMessage>{errorMessage(cancel.error)}</ErrorMessage>
        </div>
      )}
      <QueryList
        query={runs}
        loadingLabel="Loading garbage collection runs"
        errorTestId="gc-history-error"
        empty={<EmptyNote testId="gc-history-empty">No garbage collection has run yet.</EmptyNote>}
      >
        {(data) => (
          <>
            <DataTable
              testId="gc-history"
              labelledBy="gc-history-heading"
              columns={[
                { label: 'Run' },
                { label: 'Started' },
                { label: 'Status' },
                { label: 'Blobs' },
                { label: 'Freed' },
                { label: 'Artifacts' },
                { label: 'Duration' },
                { label: 'Actions', hidden: true },
              ]}
            >
              {data.items.map((run) => (
                <Fragment key={run.id}>
                  <tr data-testid={`gc-run-${run.id}`} className="align-middle">
                    <td className="px-4 py-2">
                      <div className="font-medium text-slate-900">#{run.id}</div>
                      <div className="text-xs text-slate-500">
                        {run.dryRun ? 'Dry run' : 'Run'} · {run.trigger === 'schedule' ? 'scheduled' : run.requestedBy}
                        {run.deleteUntagged ? ' · untagged' : ''}
                      </div>
                    </td>
                    <td className="px-4 py-2 text-slate-600">
                      <TimeAgo value={run.startedAt} />
                    </td>
                    <td className="px-4 py-2" data-testid="gc-run-status">
                      <StatusBadge run={run} />
                      {run.error && <div className="mt-1 max-w-[16rem] text-xs text-red-700">{run.error}</div>}
                    </td>
                    <td className="px-4 py-2 tabular-nums" data-testid="gc-run-blobs">
                      {formatCount(run.blobsDeleted)}
                    </td>
                    <td className="px-4 py-2 tabular-nums" data-testid="gc-run-bytes">
                      {formatBytes(run.bytesFreed)}
                      {run.dryRun && <span className="text-xs text-slate-500"> (would be)</span>}
                    </td>
                    <td className="px-4 py-2 tabular-nums">{formatCount(run.artifactsDeleted)}</td>
                    <td className="px-4 py-2 text-slate-600">{duration(run)}</td>
                    <td className="px-4 py-2">
                      <div className="flex justify-end gap-1.5">
                        {run.status === 'running' && !run.cancelRequested && (
                          <button type="button" className={smallButton} disabled={cancel.isPending} onClick={() => cancel.mutate(run.id)} aria-label={`Cancel run ${run.id}`}>
                            Cancel
                          </button>
                        )}
                        <button
                          type="button"
                          className={smallButton}
                          aria-expanded={open === run.id}
                          aria-controls={`gc-log-${run.id}`}
                          onClick={() => setOpen(open === run.id ? null : run.id)}
                          aria-label={`${open === run.id ? 'Hide' : 'Show'} the log of run ${run.id}`}
                        >
                          {open === run.id ? 'Hide log' : 'Log'}
                        </button>
                      </div>
                    </td>
                  </tr>
                  {open === run.id && (
                    <tr>
                      <td colSpan={8} id={`gc-log-${run.id}`} className="bg-slate-50 px-4 py-3">
                        <RunLog id={run.id} running={run.status === 'running'} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </DataTable>
            <PageFooter page={page} total={data.total} pageSize={PAGE_SIZE} onChange={setPage} noun="runs" />
          </>
        )}
      </QueryList>
    </Panel>
  )
}
