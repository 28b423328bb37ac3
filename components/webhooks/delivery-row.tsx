'use client'
// One delivery in the log: time, event, resource, status, attempts, response and Redeliver; when open,
// the row below it holds its details.
import type { WebhookDelivery as Delivery } from '@/lib/webhooks/schema'
import { shortDigest } from '../format'
import { Button, RepositoryName, focusRing } from '../ui'
import { TimeAgo } from '../widgets'
import { DeliveryDetails } from './delivery-details'
import { EVENT_LABELS, StatusBadge, statusCodeClass } from './parts'
import type { Redeliver } from './use-deliveries'

// The actions column stays pinned to the right edge of the scrolling table, so Redeliver is visible
// however wide the other columns are (a shadow marks the columns scrolling beneath it).
export const stickyActions = 'sticky right-0 whitespace-nowrap px-3 py-2 text-right shadow-[-6px_0_6px_-6px_rgba(15,23,42,0.25)]'

function resourceText(delivery: Delivery): string {
  if (delivery.tags.length > 0) return `:${delivery.tags.join(', ')}`
  return delivery.digest ? `@${shortDigest(delivery.digest)}` : ''
}

export function DeliveryRow({
  delivery,
  base,
  open,
  onToggle,
  redeliver,
  visibleWidth,
}: {
  delivery: Delivery
  base: string
  open: boolean
  onToggle: () => void
  redeliver: Redeliver
  visibleWidth: number | null
}) {
  const detailId = `delivery-${delivery.id}`
  return (
    <>
      <tr className="align-top" data-testid="delivery-row" data-delivery-id={delivery.id} data-status={delivery.status}>
        <td className="px-3 py-2">
          <button
            type="button"
            aria-expanded={open}
            aria-controls={detailId}
            aria-label={`${open ? 'Hide' : 'Show'} attempts of delivery ${delivery.id}`}
            onClick={onToggle}
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
