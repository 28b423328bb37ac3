'use client'
// Create or edit one webhook policy (the Authorization header and secret are write-only).
import { useMutation } from '@tanstack/react-query'
import { useId, useState, type FormEvent, type ReactNode } from 'react'
import { api, errorMessage } from '../api'
import { SUBSCRIBABLE_EVENT_TYPES, WEBHOOK_EVENT_LABELS, type SubscribableEventType } from '@/lib/webhooks/event-types'
import type { WebhookPolicy } from '@/lib/webhooks/schema'
import { Button, ErrorMessage, SelectField, TextAreaField, TextField, inputClass } from '../ui'
import { CopyButton } from '../widgets'
import { FORMATS, randomSecret, type Format } from './parts'

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
