'use client'
// A webhook policy's deliveries: status filter, server paging, auto-refresh while pending,
// expandable rows with every attempt and the request body, redeliver.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useId, useRef, useState, type ReactNode } from 'react'
import { api, apiList, errorMessage } from '../api'
import type { WebhookDelivery as Delivery, WebhookDeliveryDetail as DeliveryDetail } from '@/lib/webhooks/schema'
import { shortDigest } from '../format'
import { Button, ErrorMessage, RepositoryName, focusRing } from '../ui'
import { CopyButton, LoadingRows, Pagination, TimeAgo } from '../widgets'
import { EVENT_LABELS, StatusBadge, prettyJson, statusCodeClass } from './parts'

const LOG_PAGE_SIZE = 10
// The actions column stays pinned to the right edge of the scrolling table, so Redeliver is visible
// however wide the other columns are (a shadow marks the columns scrolling beneath it).
const stickyActions = 'sticky right-0 whitespace-nowrap px-3 py-2 text-right shadow-[-6px_0_6px_-6px_rgba(15,23,42,0.25)]'
const STATUS_FILTERS = [
  { id: 'all', label: 'All' },
  { id: 'pending', label: 'Pending' },
  { id: 'delivered', label: 'Delivered' },
  { id: 'failed', label: 'Failed' },
] as const
type StatusFilter = (typeof STATUS_FILTERS)[number]['id']

function resourceText(delivery: Delivery): string {
  if (delivery.tags.length > 0) return `:${delivery.tags.join(', ')}`
  return delivery.digest ? `@${shortDigest(delivery.digest)}` : ''
}

/** The deliveries of one policy; `base` is the policy's API path. */
export function DeliveryLog({ base, policyName }: { base: string; policyName: string }) {
  const queryClient = useQueryClient()
  const [status, setStatus] = useState<StatusFilter>('all')
  const [page, setPage] = useState(1)
  const [expanded, setExpanded] = useState<string | null>(null)
  const [redeliverError, setRedeliverError] = useState<string | null>(null)
  const deliveries = useQuery({
    queryKey: ['webhook-deliveries', base, status, page],
    queryFn: () => {
      const params = new URLSearchParams({ page: String(page), page_size: String(LOG_PAGE_SIZE) })
      if (status !== 'all') params.set('status', status)
      return apiList<Delivery>(`${base}/deliveries?${params}`)
    },
    placeholderData: keepPreviousData,
    // Refresh every 2 s only while something on screen is still pending.
    refetchInterval: (query) => (query.state.data?.items.some((d) => d.status === 'pending') ? 2000 : false),
  })
  // The policy list shows each policy's last delivery: refresh it whenever the log has news.
  const logUpdatedAt = deliveries.dataUpdatedAt
  useEffect(() => {
    if (logUpdatedAt) void queryClient.invalidateQueries({ queryKey: ['webhooks'] })
  }, [logUpdatedAt, queryClient])
  const redeliver = useMutation({
    mutationFn: async (delivery: Delivery) => (await api<Delivery>(`${base}/deliveries/${delivery.id}/redeliver`, { method: 'POST' })).data,
    onMutate: () => setRedeliverError(null),
    onError: (error) => setRedeliverError(errorMessage(error)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['webhook-deliveries', base] }),
  })
  const headingId = useId()
  // An open row's details stay as wide as the visible part of the table (sticky at its left), so on a
  // phone they need no sideways scrolling even when the table does.
  const scroller = useRef<HTMLDivElement>(null)
  const [visibleWidth, setVisibleWidth] = useState<number | null>(null)
  const hasRows = Boolean(deliveries.data?.items.length)
  useEffect(() => {
    const element = scroller.current
    if (!element) return
    const observer = new ResizeObserver(() => setVisibleWidth(element.clientWidth))
    observer.observe(element)
    return () => observer.disconnect()
  }, [hasRows])

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
                  <th scope="col" className="px-3 py-2 font-medium">
                    Time
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Event
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Resource
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Status
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Attempts
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Response
                  </th>
                  <th scope="col" className={`${stickyActions} bg-slate-100`}>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200 bg-white">
                {deliveries.data.items.map((delivery) => {
                  const open = expanded === delivery.id
                  const detailId = `delivery-${delivery.id}`
                  return (
                    <DeliveryRows key={delivery.id} delivery={delivery} open={open} detailId={detailId} base={base} visibleWidth={visibleWidth}>
                      <td className="px-3 py-2">
                        <button
                          type="button"
                          aria-expanded={open}
                          aria-controls={detailId}
                          aria-label={`${open ? 'Hide' : 'Show'} attempts of delivery ${delivery.id}`}
                          onClick={() => setExpanded(open ? null : delivery.id)}
                          className={`inline-flex h-7 w-7 items-center justify-center rounded text-slate-600 hover:bg-slate-100 ${focusRing}`}
                        >
                          <span aria-hidden="true" className={`inline-block transition-transform ${open ? 'rotate-90' : ''}`}>
                            ▸
                          </span>
                        </button>
                      </td>
                      <td className="px-3 py-2 text-slate-700">
                        <TimeAgo value={delivery.createdAt} />
                      </td>
                      <td className="whitespace-nowrap px-3 py-2">{EVENT_LABELS[delivery.eventType] ?? delivery.eventType}</td>
                      <td className="px-3 py-2">
                        <span className="font-mono text-xs" title={delivery.digest ?? undefined}>
                          <RepositoryName name={delivery.repository} />
                          <span className="whitespace-nowrap text-slate-500">{resourceText(delivery)}</span>
                        </span>
                      </td>
                      <td className="px-3 py-2">
                        <StatusBadge status={delivery.status} />
                        {delivery.status === 'pending' && delivery.nextAttemptAt && delivery.attempts > 0 && (
                          <span className="ml-1 whitespace-nowrap text-xs text-slate-500">
                            retry <TimeAgo value={delivery.nextAttemptAt} />
                          </span>
                        )}
                      </td>
                      <td className="px-3 py-2 text-right tabular-nums">{delivery.attempts}</td>
                      <td className="px-3 py-2">
                        {delivery.lastStatusCode !== null ? (
                          <span className={`font-mono text-xs font-semibold ${statusCodeClass(delivery.lastStatusCode)}`} data-testid="delivery-code">
                            {delivery.lastStatusCode}
                          </span>
                        ) : delivery.lastError ? null : (
                          <span className="text-slate-400">—</span>
                        )}
                        {delivery.lastError && (
                          <span className="ml-1 block max-w-[16rem] truncate text-xs text-red-700" title={delivery.lastError}>
                            {delivery.lastError}
                          </span>
                        )}
                      </td>
                      <td className={`${stickyActions} bg-white`}>
                        {delivery.status !== 'pending' && (
                          <Button
                            variant="secondary"
                            className="px-2 py-1 text-xs"
                            aria-label={`Redeliver ${delivery.id}`}
                            disabled={redeliver.isPending && redeliver.variables?.id === delivery.id}
                            onClick={() => redeliver.mutate(delivery)}
                          >
                            Redeliver
                          </Button>
                        )}
                      </td>
                    </DeliveryRows>
                  )
                })}
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

/** One delivery's row and, when open, the row below it with its attempts. */
function DeliveryRows({
  delivery,
  open,
  detailId,
  base,
  visibleWidth,
  children,
}: {
  delivery: Delivery
  open: boolean
  detailId: string
  base: string
  visibleWidth: number | null
  children: ReactNode
}) {
  return (
    <>
      <tr className="align-top" data-testid="delivery-row" data-delivery-id={delivery.id} data-status={delivery.status}>
        {children}
      </tr>
      {open && (
        <tr id={detailId} className="bg-slate-50">
          <td colSpan={8} className="py-3">
            <div className="sticky left-0 px-3" style={visibleWidth ? { width: visibleWidth } : undefined}>
              <DeliveryDetails base={base} delivery={delivery} />
            </div>
          </td>
        </tr>
      )}
    </>
  )
}

function DeliveryDetails({ base, delivery }: { base: string; delivery: Delivery }) {
  // Keyed by status and attempt count, so a new attempt seen by the (polling) list refetches this too.
  const detail = useQuery({
    queryKey: ['webhook-delivery', base, delivery.id, delivery.status, delivery.attempts],
    queryFn: async () => (await api<DeliveryDetail>(`${base}/deliveries/${delivery.id}`)).data,
    placeholderData: keepPreviousData,
  })
  if (detail.isPending) return <LoadingRows rows={2} label="Loading attempts" />
  if (detail.isError) return <ErrorMessage>{errorMessage(detail.error)}</ErrorMessage>
  const data = detail.data
  const payload = prettyJson(data.payload)
  return (
    <div className="max-w-[60rem] space-y-4 text-sm" data-testid="delivery-detail">
      <dl className="grid gap-x-6 gap-y-1 sm:grid-cols-[auto_1fr]">
        <dt className="text-slate-500">Delivery id</dt>
        <dd className="flex min-w-0 items-center gap-2">
          <code className="break-all font-mono text-xs">{data.id}</code>
          <CopyButton text={data.id} label="Copy delivery id" compact />
        </dd>
        {data.digest && (
          <>
            <dt className="text-slate-500">Digest</dt>
            <dd className="break-all font-mono text-xs">{data.digest}</dd>
          </>
        )}
        {data.finishedAt && (
          <>
            <dt className="text-slate-500">Finished</dt>
            <dd>
              <TimeAgo value={data.finishedAt} />
            </dd>
          </>
        )}
      </dl>
      <div>
        <h5 className="font-semibold text-slate-900">Attempts ({data.attemptLog.length})</h5>
        {data.attemptLog.length === 0 ? (
          <p className="mt-1 text-slate-600">{data.status === 'pending' ? 'Not sent yet: the first attempt is due now.' : 'No attempts recorded.'}</p>
        ) : (
          <ol className="mt-2 space-y-3">
            {data.attemptLog.map((attempt) => (
              <li key={attempt.number} className="rounded-md border border-slate-200 bg-white p-3" data-testid="delivery-attempt">
                <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1">
                  <span className="font-medium">Attempt {attempt.number}</span>
                  <span className="text-slate-600">
                    <TimeAgo value={attempt.startedAt} />
                  </span>
                  <span className={`font-mono text-xs font-semibold ${statusCodeClass(attempt.statusCode)}`} data-testid="attempt-status">
                    {attempt.statusCode !== null ? `HTTP ${attempt.statusCode}` : 'No response'}
                  </span>
                  <span className="text-slate-600 tabular-nums" title="Latency">
                    {attempt.latencyMs} ms
                  </span>
                </div>
                {attempt.error && <p className="mt-1 break-words text-red-700">{attempt.error}</p>}
                <details className="mt-2">
                  <summary className={`cursor-pointer rounded text-xs font-medium text-slate-700 ${focusRing}`}>Request headers</summary>
                  <HeaderList headers={attempt.requestHeaders} />
                </details>
                {attempt.responseHeaders && (
                  <details className="mt-1">
                    <summary className={`cursor-pointer rounded text-xs font-medium text-slate-700 ${focusRing}`}>Response headers</summary>
                    <HeaderList headers={attempt.responseHeaders} />
                  </details>
                )}
                {attempt.responseSnippet !== null && attempt.responseSnippet !== '' && (
                  <div className="mt-2">
                    <p className="text-xs font-medium text-slate-700">Response</p>
                    <pre className="mt-1 max-h-40 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-100 p-2 font-mono text-xs">{attempt.responseSnippet}</pre>
                  </div>
                )}
              </li>
            ))}
          </ol>
        )}
      </div>
      <div>
        <div className="flex flex-wrap items-center gap-2">
          <h5 className="font-semibold text-slate-900">Request body</h5>
          <span className="font-mono text-xs text-slate-500">{data.contentType}</span>
          <CopyButton text={data.payload} label="Copy request body" />
        </div>
        <pre className="mt-1 max-h-80 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-900 p-3 font-mono text-xs text-slate-100" data-testid="delivery-payload">
          {payload}
        </pre>
      </div>
    </div>
  )
}

function HeaderList({ headers }: { headers: Record<string, string> }) {
  return (
    <dl className="mt-1 grid gap-x-3 rounded bg-slate-50 p-2 font-mono text-xs sm:grid-cols-[auto_1fr]">
      {Object.entries(headers).map(([name, value]) => (
        <div key={name} className="contents">
          <dt className="text-slate-500">{name}</dt>
          <dd className="break-all text-slate-800">{value}</dd>
        </div>
      ))}
    </dl>
  )
}
