'use client'
// Create or edit one webhook policy (the Authorization header and secret are write-only).
import { useId, type FormEvent } from 'react'
import { SUBSCRIBABLE_EVENT_TYPES, WEBHOOK_EVENT_LABELS } from '@/lib/webhooks/event-types'
import type { WebhookPolicy } from '@/lib/webhooks/schema'
import { errorMessage } from '../api'
import { Button, ErrorMessage, SelectField, TextAreaField, TextField } from '../ui'
import { Checkbox } from './checkbox'
import { FORMATS, type Format } from './parts'
import { useWebhookForm } from './use-webhook-form'
import { AuthHeaderField, SigningSecretField } from './write-only-fields'

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
  const { draft, change, save } = useWebhookForm(base, policy, onSaved)
  const headingId = useId()

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
          <TextField label="Name" required maxLength={64} value={draft.name} onChange={(e) => change({ name: e.target.value })} autoComplete="off" placeholder="ci-deploy" />
          <TextField
            label="Target URL"
            type="url"
            required
            value={draft.targetUrl}
            onChange={(e) => change({ targetUrl: e.target.value })}
            autoComplete="off"
            placeholder="https://ci.example.com/hooks/registry"
            hint="Receives an HTTP POST per event. Private and loopback addresses are refused unless the administrator allows them."
          />
        </div>
        <TextAreaField label="Description" maxLength={1024} value={draft.description} onChange={(e) => change({ description: e.target.value })} />
        <div className="grid gap-5 md:grid-cols-2">
          <fieldset>
            <legend className="text-sm font-medium text-slate-700">Events</legend>
            <div className="mt-2 grid gap-2 sm:grid-cols-2 md:grid-cols-1 lg:grid-cols-2">
              {SUBSCRIBABLE_EVENT_TYPES.map((type) => (
                <Checkbox
                  key={type}
                  label={WEBHOOK_EVENT_LABELS[type]}
                  checked={draft.eventTypes.includes(type)}
                  onChange={(checked) => change({ eventTypes: checked ? [...draft.eventTypes, type] : draft.eventTypes.filter((t) => t !== type) })}
                />
              ))}
            </div>
          </fieldset>
          <SelectField label="Payload format" value={draft.format} onChange={(e) => change({ format: e.target.value as Format })}>
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
            value={draft.repositoryFilter}
            onChange={(e) => change({ repositoryFilter: e.target.value })}
            autoComplete="off"
            spellCheck={false}
            placeholder={repositoryExample}
            hint={<>Matches the full name project/name. {GLOB_HELP}</>}
          />
          <TextField
            label="Tag filter"
            value={draft.tagFilter}
            onChange={(e) => change({ tagFilter: e.target.value })}
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
          <AuthHeaderField draft={draft} change={change} isSet={policy?.hasAuthHeader ?? false} />
          <SigningSecretField draft={draft} change={change} isSet={policy?.hasSecret ?? false} />
        </div>

        <Checkbox
          label="Enabled"
          hint="A disabled webhook keeps its settings and log but is sent nothing (test events excepted)."
          checked={draft.enabled}
          onChange={(enabled) => change({ enabled })}
        />

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
