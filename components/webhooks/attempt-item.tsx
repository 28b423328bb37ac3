'use client'
// One attempt at sending a delivery: when, the response status and latency, any error, the request and
// response headers and the start of the response body.
import type { WebhookDeliveryDetail as DeliveryDetail } from '@/lib/webhooks/schema'
import { focusRing } from '../ui'
import { TimeAgo } from '../widgets'
import { statusCodeClass } from './parts'

export function AttemptItem({ attempt }: { attempt: DeliveryDetail['attemptLog'][number] }) {
  return (
    <li className="rounded-md border border-slate-200 bg-white p-3" data-testid="delivery-attempt">
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
