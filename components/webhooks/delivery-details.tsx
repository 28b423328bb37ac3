'use client'
// An open delivery's details: its id, digest and finish time, every attempt, and the request body.
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import type { WebhookDelivery as Delivery, WebhookDeliveryDetail as DeliveryDetail } from '@/lib/webhooks/schema'
import { api, errorMessage } from '../api'
import { ErrorMessage } from '../ui'
import { CopyButton, LoadingRows, TimeAgo } from '../widgets'
import { AttemptItem } from './attempt-item'
import { prettyJson } from './parts'

export function DeliveryDetails({ base, delivery }: { base: string; delivery: Delivery }) {
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
              <AttemptItem key={attempt.number} attempt={attempt} />
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
