'use client'
// Webhook policies and their delivery logs, once for both scopes: the project page's "Webhooks" tab
// (`/api/v1/projects/{project}/webhooks`) and the system webhooks page (`/api/v1/webhooks`). Every
// piece takes the API base path of its scope; nothing here knows which scope it is in otherwise.
//   WebhookManager  the list of policies with enable switches and actions, the create/edit form
//   WebhookForm     create or edit one policy (Authorization header and secret are write-only)
//   DeliveryLog     a policy's deliveries: status filter, server paging, auto-refresh while pending,
//                   expandable rows with every attempt and the request body, redeliver
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react'
import { api, apiList, ApiError, errorMessage } from './api'
import { SUBSCRIBABLE_EVENT_TYPES, WEBHOOK_EVENT_LABELS, type SubscribableEventType } from '@/lib/webhooks/event-types'
import type { DeliveryStatus, WebhookDelivery as Delivery, WebhookDeliveryDetail as DeliveryDetail, WebhookPolicy } from '@/lib/webhooks/schema'
import { shortDigest } from './format'
import { Button, ErrorMessage, RepositoryName, SelectField, SuccessMessage, TextAreaField, TextField, focusRing, inputClass } from './ui'
import { ConfirmDialog, CopyButton, LoadingRows, Pagination, TimeAgo } from './widgets'

// ---------------------------------------------------------------- API shapes (lib/webhooks/schema.ts)

// Delivery rows show the raw name of an event type this dashboard does not know yet.
const EVENT_LABELS: Record<string, string> = WEBHOOK_EVENT_LABELS

const FORMATS = [
  { id: 'default', label: 'Harbor Default JSON' },
  { id: 'cloudevents', label: 'CloudEvents 1.0' },
] as const
type Format = (typeof FORMATS)[number]['id']
const FORMAT_LABELS: Record<string, string> = Object.fromEntries(FORMATS.map((f) => [f.id, f.label]))

// ---------------------------------------------------------------- small pieces

function Chip({ children, tone = 'slate', title }: { children: ReactNode; tone?: 'slate' | 'sky' | 'violet' | 'amber'; title?: string }) {
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
function Switch({ checked, label, disabled, onChange }: { checked: boolean; label: string; disabled?: boolean; onChange: (next: boolean) => void }) {
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
function randomSecret(): string {
  const bytes = new Uint8Array(32)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}

function statusCodeClass(code: number | null): string {
  if (code === null) return 'text-slate-500'
  return code >= 200 && code < 300 ? 'text-emerald-700' : 'text-red-700'
}

// ---------------------------------------------------------------- the manager

/**
 * The webhooks of one scope. `base` is the API collection (`/api/v1/projects/p/webhooks` or
 * `/api/v1/webhooks`); `repositoryExample` fills the filter's placeholder (`p/app-*`).
 */
export function WebhookManager({
  base,
  title = 'Webhooks',
  repositoryExample = 'project/app-*',
  scopeText,
}: {
  base: string
  title?: string
  repositoryExample?: string
  scopeText: string
}) {
  const queryClient = useQueryClient()
  const listKey = ['webhooks', base]
  const policies = useQuery({ queryKey: listKey, queryFn: () => apiList<WebhookPolicy>(`${base}?page_size=100`) })
  const refresh = () => queryClient.invalidateQueries({ queryKey: listKey })
  const [editing, setEditing] = useState<WebhookPolicy | 'new' | null>(null)
  const [openLogs, setOpenLogs] = useState<number[]>([])
  const [notice, setNotice] = useState<string | null>(null)
  const [removing, setRemoving] = useState<WebhookPolicy | null>(null)
  const formRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    if (editing) formRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' })
  }, [editing])

  const showLog = (id: number, open = true) => setOpenLogs((ids) => (open ? (ids.includes(id) ? ids : [...ids, id]) : ids.filter((x) => x !== id)))

  const toggle = useMutation({
    mutationFn: async (policy: WebhookPolicy) => (await api<WebhookPolicy>(`${base}/${policy.id}`, { method: 'PATCH', body: { enabled: !policy.enabled } })).data,
    onMutate: () => setNotice(null),
    onSuccess: async (policy) => {
      setNotice(`${policy.name} ${policy.enabled ? 'enabled: matching events are sent again' : 'disabled: no events are sent until it is enabled'}.`)
      await refresh()
    },
  })
  const test = useMutation({
    mutationFn: async (policy: WebhookPolicy) => (await api<Delivery>(`${base}/${policy.id}/test`, { method: 'POST' })).data,
    onMutate: () => setNotice(null),
    onSuccess: async (_delivery, policy) => {
      setNotice(`Test event queued for ${policy.name}; its delivery is at the top of the log.`)
      showLog(policy.id)
      await queryClient.invalidateQueries({ queryKey: ['webhook-deliveries', `${base}/${policy.id}`] })
    },
  })
  const remove = useMutation({
    mutationFn: (policy: WebhookPolicy) => api(`${base}/${policy.id}`, { method: 'DELETE' }),
    onSuccess: async (_, policy) => {
      setNotice(`Webhook ${policy.name} deleted.`)
      setRemoving(null)
      if (editing !== 'new' && editing?.id === policy.id) setEditing(null)
      await refresh()
    },
  })
  const actionError = toggle.isError ? errorMessage(toggle.error) : test.isError ? errorMessage(test.error) : null

  return (
    <div className="space-y-6">
      {editing && (
        <div ref={formRef} className="scroll-mt-4">
          <WebhookForm
            key={editing === 'new' ? 'new' : editing.id}
            base={base}
            policy={editing === 'new' ? null : editing}
            repositoryExample={repositoryExample}
            onCancel={() => setEditing(null)}
            onSaved={async (policy, created) => {
              setEditing(null)
              setNotice(created ? `Webhook ${policy.name} created. Send a test event to check that the receiver gets it.` : `Webhook ${policy.name} saved.`)
              await refresh()
            }}
          />
        </div>
      )}
      <section aria-labelledby="webhooks-heading" className="min-w-0 rounded-xl border border-slate-200 bg-white shadow-sm">
        <div className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 px-4 py-3">
          <h2 id="webhooks-heading" className="text-lg font-semibold">
            {title}
            {policies.data && policies.data.total > 0 && <span className="ml-2 text-sm font-normal text-slate-500">{policies.data.total}</span>}
          </h2>
          <Button
            onClick={() => {
              setNotice(null)
              setEditing('new')
            }}
            disabled={editing === 'new'}
          >
            New webhook
          </Button>
        </div>
        <div className="space-y-2 px-4 pt-3 empty:hidden">
          {notice && <SuccessMessage>{notice}</SuccessMessage>}
          {actionError && <ErrorMessage testId="webhook-action-error">{actionError}</ErrorMessage>}
        </div>
        {policies.isPending ? (
          <LoadingRows rows={3} label="Loading webhooks" />
        ) : policies.isError ? (
          <div className="p-4">
            <ErrorMessage testId="webhooks-error">
              {policies.error instanceof ApiError && policies.error.status === 403 ? 'Only administrators may manage these webhooks.' : errorMessage(policies.error)}
            </ErrorMessage>
          </div>
        ) : policies.data.items.length === 0 ? (
          <div className="px-4 py-8 text-sm text-slate-600" data-testid="webhooks-empty">
            <p className="font-medium text-slate-900">No webhooks yet.</p>
            <p className="mt-1 max-w-prose">
              A webhook sends an HTTP POST to a URL of yours when something happens {scopeText}, so CI and other tools can react at once. For example: start a deployment pipeline
              whenever an image is pushed. Deliveries are signed, retried and logged here.
            </p>
          </div>
        ) : (
          <ul className="divide-y divide-slate-200" data-testid="webhook-list">
            {policies.data.items.map((policy) => {
              const logOpen = openLogs.includes(policy.id)
              const logId = `webhook-log-${policy.id}`
              return (
                <li key={policy.id} className="space-y-3 px-4 py-4" data-testid="webhook-policy" data-name={policy.name}>
                  <div className="flex flex-wrap items-start justify-between gap-3">
                    <div className="min-w-0 flex-1">
                      <h3 className="break-all font-semibold text-slate-900">{policy.name}</h3>
                      <p className="mt-0.5 break-all font-mono text-xs text-slate-600" data-testid="webhook-target">
                        {policy.targetUrl}
                      </p>
                      {policy.description && <p className="mt-1 text-sm text-slate-600">{policy.description}</p>}
                    </div>
                    <Switch
                      checked={toggle.isPending && toggle.variables?.id === policy.id ? !policy.enabled : policy.enabled}
                      label={`Enabled: ${policy.name}`}
                      disabled={toggle.isPending && toggle.variables?.id === policy.id}
                      onChange={() => toggle.mutate(policy)}
                    />
                  </div>
                  <div className="flex flex-wrap gap-1.5" aria-label="Settings">
                    {policy.eventTypes.map((type) => (
                      <Chip key={type} tone="sky" title={type}>
                        {EVENT_LABELS[type] ?? type}
                      </Chip>
                    ))}
                    <Chip tone="violet">{FORMAT_LABELS[policy.format] ?? policy.format}</Chip>
                    {policy.repositoryFilter && <Chip title="Repository filter">repository: {policy.repositoryFilter}</Chip>}
                    {policy.tagFilter && <Chip title="Tag filter">tag: {policy.tagFilter}</Chip>}
                    {policy.hasSecret && <Chip tone="amber">Signed</Chip>}
                    {policy.hasAuthHeader && <Chip tone="amber">Authorization header</Chip>}
                  </div>
                  <p className="text-sm text-slate-600">
                    {policy.lastDelivery ? (
                      <>
                        Last delivery <StatusBadge status={policy.lastDelivery.status} />
                        {policy.lastDelivery.lastStatusCode !== null && <> HTTP {policy.lastDelivery.lastStatusCode}</>} <TimeAgo value={policy.lastDelivery.createdAt} />
                      </>
                    ) : (
                      'No deliveries yet'
                    )}
                  </p>
                  <div className="flex flex-wrap gap-2">
                    <Button variant="secondary" className="px-2.5 py-1.5" aria-expanded={logOpen} aria-controls={logId} onClick={() => showLog(policy.id, !logOpen)}>
                      {logOpen ? 'Hide deliveries' : 'Deliveries'}
                    </Button>
                    <Button
                      variant="secondary"
                      className="px-2.5 py-1.5"
                      aria-label={`Send test event to ${policy.name}`}
                      disabled={test.isPending && test.variables?.id === policy.id}
                      onClick={() => test.mutate(policy)}
                    >
                      {test.isPending && test.variables?.id === policy.id ? 'Sending…' : 'Send test event'}
                    </Button>
                    <Button
                      variant="secondary"
                      className="px-2.5 py-1.5"
                      aria-label={`Edit ${policy.name}`}
                      onClick={() => {
                        setNotice(null)
                        setEditing(policy)
                      }}
                    >
                      Edit
                    </Button>
                    <Button variant="ghost" className="px-2.5 py-1.5 text-red-700" aria-label={`Delete ${policy.name}`} onClick={() => setRemoving(policy)}>
                      Delete
                    </Button>
                  </div>
                  {logOpen && (
                    <div id={logId}>
                      <DeliveryLog base={`${base}/${policy.id}`} policyName={policy.name} />
                    </div>
                  )}
                </li>
              )
            })}
          </ul>
        )}
      </section>
      <ConfirmDialog
        open={removing !== null}
        title={`Delete webhook ${removing?.name ?? ''}?`}
        confirmLabel="Delete webhook"
        action={remove}
        onCancel={() => setRemoving(null)}
        onConfirm={() => removing && remove.mutate(removing)}
      >
        <p>
          <strong className="break-all">{removing?.name}</strong> stops receiving events at once, and its delivery log is deleted with it. Pending deliveries are not sent.
        </p>
      </ConfirmDialog>
    </div>
  )
}

// ---------------------------------------------------------------- the form

function Checkbox({ label, hint, checked, onChange }: { label: string; hint?: ReactNode; checked: boolean; onChange: (checked: boolean) => void }) {
  const id = useId()
  return (
    <div className="flex items-start gap-2">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        className="mt-0.5 h-4 w-4 shrink-0"
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      <div>
        <label htmlFor={id} className="text-sm text-slate-800">
          {label}
        </label>
        {hint && (
          <p id={`${id}-hint`} className="text-xs text-slate-500">
            {hint}
          </p>
        )}
      </div>
    </div>
  )
}

const GLOB_HELP = (
  <>
    <code>*</code> any characters but <code>/</code>, <code>**</code> any characters, <code>?</code> one character, <code>{'{a,b}'}</code> either. Empty: all.
  </>
)

export function WebhookForm({
  base,
  policy,
  repositoryExample,
  onCancel,
  onSaved,
}: {
  base: string
  policy: WebhookPolicy | null
  repositoryExample: string
  onCancel: () => void
  onSaved: (policy: WebhookPolicy, created: boolean) => void
}) {
  const [name, setName] = useState(policy?.name ?? '')
  const [description, setDescription] = useState(policy?.description ?? '')
  const [targetUrl, setTargetUrl] = useState(policy?.targetUrl ?? '')
  const [eventTypes, setEventTypes] = useState<SubscribableEventType[]>(policy?.eventTypes ?? ['PUSH_ARTIFACT'])
  const [format, setFormat] = useState<Format>(policy?.format ?? 'default')
  const [authHeader, setAuthHeader] = useState('')
  const [clearAuth, setClearAuth] = useState(false)
  const [secret, setSecret] = useState('')
  const [clearSecret, setClearSecret] = useState(false)
  const [generated, setGenerated] = useState<string | null>(null)
  const [repositoryFilter, setRepositoryFilter] = useState(policy?.repositoryFilter ?? '')
  const [tagFilter, setTagFilter] = useState(policy?.tagFilter ?? '')
  const [enabled, setEnabled] = useState(policy?.enabled ?? true)
  const headingId = useId()
  const secretId = useId()

  const save = useMutation({
    mutationFn: async () => {
      const body: Record<string, unknown> = {
        name: name.trim(),
        description,
        targetUrl: targetUrl.trim(),
        eventTypes: SUBSCRIBABLE_EVENT_TYPES.filter((type) => eventTypes.includes(type)),
        format,
        enabled,
        repositoryFilter: repositoryFilter.trim() || null,
        tagFilter: tagFilter.trim() || null,
      }
      // Write-only values: sent when typed, null to remove, left out to keep.
      if (authHeader) body.authHeader = authHeader
      else if (clearAuth) body.authHeader = null
      if (secret) body.secret = secret
      else if (clearSecret) body.secret = null
      return policy ? (await api<WebhookPolicy>(`${base}/${policy.id}`, { method: 'PATCH', body })).data : (await api<WebhookPolicy>(base, { method: 'POST', body })).data
    },
    onSuccess: (saved) => onSaved(saved, policy === null),
  })

  function submit(event: FormEvent) {
    event.preventDefault()
    save.mutate()
  }

  return (
    <section aria-labelledby={headingId} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5" data-testid="webhook-form">
      <h2 id={headingId} className="text-lg font-semibold">
        {policy ? (
          <>
            Edit webhook <span className="break-all">{policy.name}</span>
          </>
        ) : (
          'New webhook'
        )}
      </h2>
      <form onSubmit={submit} className="mt-4 space-y-5">
        <div className="grid gap-4 md:grid-cols-2">
          <TextField label="Name" required maxLength={64} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" placeholder="ci-deploy" />
          <TextField
            label="Target URL"
            type="url"
            required
            value={targetUrl}
            onChange={(e) => setTargetUrl(e.target.value)}
            autoComplete="off"
            placeholder="https://ci.example.com/hooks/registry"
            hint="Receives an HTTP POST per event. Private and loopback addresses are refused unless the administrator allows them."
          />
        </div>
        <TextAreaField label="Description" maxLength={1024} value={description} onChange={(e) => setDescription(e.target.value)} />
        <div className="grid gap-5 md:grid-cols-2">
          <fieldset>
            <legend className="text-sm font-medium text-slate-700">Events</legend>
            <div className="mt-2 grid gap-2 sm:grid-cols-2 md:grid-cols-1 lg:grid-cols-2">
              {SUBSCRIBABLE_EVENT_TYPES.map((type) => (
                <Checkbox
                  key={type}
                  label={WEBHOOK_EVENT_LABELS[type]}
                  checked={eventTypes.includes(type)}
                  onChange={(checked) => setEventTypes((current) => (checked ? [...current, type] : current.filter((t) => t !== type)))}
                />
              ))}
            </div>
          </fieldset>
          <SelectField label="Payload format" value={format} onChange={(e) => setFormat(e.target.value as Format)}>
            {FORMATS.map((f) => (
              <option key={f.id} value={f.id}>
                {f.label}
              </option>
            ))}
          </SelectField>
        </div>

        <div className="grid gap-4 md:grid-cols-2">
          <TextField
            label="Repository filter"
            value={repositoryFilter}
            onChange={(e) => setRepositoryFilter(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            placeholder={repositoryExample}
            hint={<>Matches the full name project/name. {GLOB_HELP}</>}
          />
          <TextField
            label="Tag filter"
            value={tagFilter}
            onChange={(e) => setTagFilter(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            placeholder="v*"
            hint={
              <>
                For example {'{latest,v*}'}. {GLOB_HELP}
              </>
            }
          />
        </div>

        <div className="grid gap-4 md:grid-cols-2">
          <div className="space-y-2">
            <TextField
              label="Authorization header"
              type="password"
              autoComplete="new-password"
              spellCheck={false}
              value={authHeader}
              disabled={clearAuth}
              onChange={(e) => setAuthHeader(e.target.value)}
              placeholder={policy?.hasAuthHeader ? 'Set — leave blank to keep' : 'Bearer …'}
              hint={
                policy?.hasAuthHeader
                  ? 'Set — leave blank to keep. It is sent as is and never shown again.'
                  : 'Optional. Sent as the Authorization header value; never shown again.'
              }
            />
            {policy?.hasAuthHeader && (
              <Checkbox
                label="Remove the Authorization header"
                checked={clearAuth}
                onChange={(c) => {
                  setClearAuth(c)
                  if (c) setAuthHeader('')
                }}
              />
            )}
          </div>
          <div className="space-y-2">
            <div>
              <label htmlFor={secretId} className="block text-sm font-medium text-slate-700">
                Signing secret
              </label>
              <div className="mt-1 flex gap-2">
                <input
                  id={secretId}
                  type="password"
                  autoComplete="new-password"
                  spellCheck={false}
                  value={secret}
                  disabled={clearSecret}
                  onChange={(e) => {
                    setSecret(e.target.value)
                    setGenerated(null)
                  }}
                  placeholder={policy?.hasSecret ? 'Set — leave blank to keep' : 'At least 16 characters'}
                  aria-describedby={`${secretId}-hint`}
                  className={`${inputClass} mt-0 min-w-0 flex-1 font-mono`}
                />
                <Button
                  variant="secondary"
                  disabled={clearSecret}
                  onClick={() => {
                    const value = randomSecret()
                    setSecret(value)
                    setGenerated(value)
                  }}
                >
                  Generate
                </Button>
              </div>
              <p id={`${secretId}-hint`} className="mt-1 text-xs text-slate-500">
                {policy?.hasSecret ? 'Set — leave blank to keep. ' : 'Optional. '}
                Deliveries then carry <code>X-Registry-Signature-256</code>: an HMAC-SHA256 of the timestamp and the body.
              </p>
            </div>
            {generated && (
              <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="generated-secret">
                <p className="font-medium text-amber-900">Copy this secret into your receiver now: it is not shown again after saving.</p>
                <div className="mt-2 flex items-center gap-2">
                  <code className="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs">{generated}</code>
                  <CopyButton text={generated} label="Copy signing secret" />
                </div>
              </div>
            )}
            {policy?.hasSecret && (
              <Checkbox
                label="Remove the signing secret"
                hint="Deliveries are then sent unsigned."
                checked={clearSecret}
                onChange={(c) => {
                  setClearSecret(c)
                  if (c) {
                    setSecret('')
                    setGenerated(null)
                  }
                }}
              />
            )}
          </div>
        </div>

        <Checkbox label="Enabled" hint="A disabled webhook keeps its settings and log but is sent nothing (test events excepted)." checked={enabled} onChange={setEnabled} />

        <ErrorMessage testId="webhook-form-error">{save.isError ? errorMessage(save.error) : null}</ErrorMessage>
        <div className="flex flex-wrap gap-2">
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : policy ? 'Save webhook' : 'Create webhook'}
          </Button>
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </section>
  )
}

// ---------------------------------------------------------------- the delivery log

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
