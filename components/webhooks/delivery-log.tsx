'use client'
// A webhook policy's deliveries: status filter, server paging, auto-refresh while pending,
// expandable rows with every attempt and the request body, redeliver.
import { useId, useRef, useState } from 'react'
import { errorMessage } from '../api'
import { Button, ErrorMessage, focusRing } from '../ui'
import { LoadingRows, Pagination } from '../widgets'
import { DeliveryRow, stickyActions } from './delivery-row'
import { LOG_PAGE_SIZE, STATUS_FILTERS, useDeliveries, useRedeliver, type StatusFilter } from './use-deliveries'
import { useVisibleWidth } from './use-visible-width'

const HEADS = ['Time', 'Event', 'Resource', 'Status', 'Attempts', 'Response']

/** The deliveries of one policy; `base` is the policy's API path. */
export function DeliveryLog({ base, policyName }: { base: string; policyName: string }) {
  const [status, setStatus] = useState<StatusFilter>('all')
  const [page, setPage] = useState(1)
  const [expanded, setExpanded] = useState<string | null>(null)
  const deliveries = useDeliveries(base, status, page)
  const { redeliver, error: redeliverError } = useRedeliver(base)
  const headingId = useId()
  // An open row's details stay as wide as the visible part of the table (sticky at its left), so on a
  // phone they need no sideways scrolling even when the table does.
  const scroller = useRef<HTMLDivElement>(null)
  const visibleWidth = useVisibleWidth(scroller, Boolean(deliveries.data?.items.length))

  return (
    <section aria-labelledby={headingId} className="min-w-0 rounded-lg border border-slate-200 bg-slate-50/60" data-testid="delivery-log">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-3 py-2">
        <h4 id={headingId} className="text-sm font-semibold text-slate-900">
          Deliveries <span className="sr-only">of {policyName}</span>
        </h4>
        <div className="flex flex-wrap items-center gap-2">
          <Button variant="ghost" className="px-2 py-1 text-xs" aria-label={`Refresh deliveries of ${policyName}`} onClick={() => void deliveries.refetch()}>
            Refresh
          </Button>
          <div role="group" aria-label="Filter deliveries by status" className="inline-flex flex-wrap rounded-md border border-slate-300 bg-white p-0.5">
            {STATUS_FILTERS.map((filter) => (
              <button
                key={filter.id}
                type="button"
                aria-pressed={status === filter.id}
                onClick={() => {
                  setStatus(filter.id)
                  setPage(1)
                }}
                className={`rounded px-2.5 py-1 text-xs font-medium ${focusRing} ${status === filter.id ? 'bg-slate-900 text-white' : 'text-slate-700 hover:bg-slate-100'}`}
              >
                {filter.label}
              </button>
            ))}
          </div>
        </div>
      </div>
      {redeliverError && (
        <div className="px-3 pt-2">
          <ErrorMessage testId="redeliver-error">{redeliverError}</ErrorMessage>
        </div>
      )}
      {deliveries.isPending ? (
        <LoadingRows rows={2} label="Loading deliveries" />
      ) : deliveries.isError ? (
        <div className="p-3">
          <ErrorMessage>{errorMessage(deliveries.error)}</ErrorMessage>
        </div>
      ) : deliveries.data.items.length === 0 ? (
        <p className="px-3 py-6 text-center text-sm text-slate-600" data-testid="deliveries-empty">
          {status === 'all' ? 'Nothing sent yet. Matching events and test events appear here.' : `No ${status} deliveries.`}
        </p>
      ) : (
        <>
          {/* relative: the sr-only header texts are absolutely positioned and would otherwise escape the scroller. */}
          <div ref={scroller} className="relative overflow-x-auto">
            <table className="w-full text-left text-sm" data-testid="delivery-table">
              <thead className="bg-slate-100/80 text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">
                    <span className="sr-only">Details</span>
                  </th>
                  {HEADS.map((head) => (
                    <th key={head} scope="col" className={`px-3 py-2 font-medium ${head === 'Attempts' ? 'text-right' : ''}`}>
                      {head}
                    </th>
                  ))}
                  <th scope="col" className={`${stickyActions} bg-slate-100`}>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200 bg-white">
                {deliveries.data.items.map((delivery) => (
                  <DeliveryRow
                    key={delivery.id}
                    delivery={delivery}
                    base={base}
                    open={expanded === delivery.id}
                    onToggle={() => setExpanded(expanded === delivery.id ? null : delivery.id)}
                    redeliver={redeliver}
                    visibleWidth={visibleWidth}
                  />
                ))}
              </tbody>
            </table>
          </div>
          {deliveries.data.total > LOG_PAGE_SIZE && (
            <div className="border-t border-slate-200">
              <Pagination page={page} total={deliveries.data.total} pageSize={LOG_PAGE_SIZE} onChange={setPage} noun="delivery" />
            </div>
          )}
        </>
      )}
    </section>
  )
}
