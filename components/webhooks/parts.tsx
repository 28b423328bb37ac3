'use client'
// Small pieces the webhook manager, form and delivery log share: event and format labels, chips,
// the on/off switch, the delivery status badge, and formatting helpers.
import type { ReactNode } from 'react'
import { WEBHOOK_EVENT_LABELS } from '@/lib/webhooks/event-types'
import type { DeliveryStatus } from '@/lib/webhooks/schema'
import { focusRing } from '../ui'

// ---------------------------------------------------------------- labels

// Delivery rows show the raw name of an event type this dashboard does not know yet.
export const EVENT_LABELS: Record<string, string> = WEBHOOK_EVENT_LABELS

export const FORMATS = [
  { id: 'default', label: 'Harbor Default JSON' },
  { id: 'cloudevents', label: 'CloudEvents 1.0' },
] as const
export type Format = (typeof FORMATS)[number]['id']
export const FORMAT_LABELS: Record<string, string> = Object.fromEntries(FORMATS.map((f) => [f.id, f.label]))

// ---------------------------------------------------------------- small pieces

export function Chip({ children, tone = 'slate', title }: { children: ReactNode; tone?: 'slate' | 'sky' | 'violet' | 'amber'; title?: string }) {
  const tones = {
    slate: 'bg-slate-100 text-slate-700',
    sky: 'bg-sky-50 text-sky-800 ring-1 ring-inset ring-sky-200',
    violet: 'bg-violet-50 text-violet-800 ring-1 ring-inset ring-violet-200',
    amber: 'bg-amber-50 text-amber-900 ring-1 ring-inset ring-amber-200',
  }
  return (
    <span title={title} className={`inline-flex max-w-full items-center break-all rounded-full px-2 py-0.5 text-xs font-medium ${tones[tone]}`}>
      {children}
    </span>
  )
}

/** An on/off switch; its accessible name is `label`, and the visible text says the state. */
export function Switch({ checked, label, disabled, onChange }: { checked: boolean; label: string; disabled?: boolean; onChange: (next: boolean) => void }) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      disabled={disabled}
      onClick={() => onChange(!checked)}
      className={`inline-flex shrink-0 items-center gap-2 rounded-full text-sm font-medium text-slate-700 disabled:opacity-60 ${focusRing}`}
    >
      <span className={`relative inline-flex h-6 w-11 items-center rounded-full transition-colors ${checked ? 'bg-sky-700' : 'bg-slate-300'}`}>
        <span aria-hidden="true" className={`inline-block h-5 w-5 rounded-full bg-white shadow transition-transform ${checked ? 'translate-x-5' : 'translate-x-0.5'}`} />
      </span>
      <span aria-hidden="true" className="w-16 text-left">
        {checked ? 'Enabled' : 'Disabled'}
      </span>
    </button>
  )
}

export function StatusBadge({ status }: { status: DeliveryStatus }) {
  const styles: Record<DeliveryStatus, string> = {
    pending: 'bg-amber-100 text-amber-900',
    delivered: 'bg-emerald-100 text-emerald-800',
    failed: 'bg-red-100 text-red-800',
  }
  const labels: Record<DeliveryStatus, string> = { pending: 'Pending', delivered: 'Delivered', failed: 'Failed' }
  return (
    <span data-testid="delivery-status" className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ${styles[status]}`}>
      {status === 'pending' && <span aria-hidden="true" className="h-1.5 w-1.5 animate-pulse rounded-full bg-amber-600" />}
      {labels[status]}
    </span>
  )
}

/** 32 random bytes as 64 hex characters, from the browser's CSPRNG. */
export function randomSecret(): string {
  const bytes = new Uint8Array(32)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}

export function statusCodeClass(code: number | null): string {
  if (code === null) return 'text-slate-500'
  return code >= 200 && code < 300 ? 'text-emerald-700' : 'text-red-700'
}
