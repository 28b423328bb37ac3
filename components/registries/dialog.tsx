'use client'
// Create or edit one registry endpoint in a modal dialog. The password and token are write-only: the
// form never shows a stored one; leaving the field empty when editing keeps it.
import { useMutation } from '@tanstack/react-query'
import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { DOCKER_HUB_URL, REGISTRY_TYPES, type RegistryEndpoint, type RegistryType } from '@/lib/registries/schema'
import { api, errorMessage } from '../api'
import { Button, ErrorMessage, SelectField, TextField } from '../ui'
import { TYPE_LABELS } from './labels'

type CredentialMode = RegistryEndpoint['credentials']

const MODES: { id: CredentialMode; label: string }[] = [
  { id: 'anonymous', label: 'None (anonymous pulls)' },
  { id: 'basic', label: 'User name and password' },
  { id: 'token', label: 'Token' },
]

/** The request body: everything for a new endpoint; for an edit, the fields and only the credential changes. */
function requestBody(
  form: { name: string; type: RegistryType; url: string; insecure: boolean; mode: CredentialMode; username: string; secret: string },
  current: RegistryEndpoint | null,
) {
  const body: Record<string, unknown> = { name: form.name.trim(), type: form.type, insecure: form.insecure }
  const url = form.url.trim()
  if (url || form.type !== 'docker-hub' || current) body.url = url || DOCKER_HUB_URL
  const username = form.username.trim()
  if (form.mode === 'anonymous') {
    if (current?.hasCredentials) body.password = null
  } else if (form.mode === 'basic') {
    if (form.secret) Object.assign(body, { username, password: form.secret })
    else if (username !== current?.username) body.username = username
  } else if (form.secret) body.token = form.secret
  return body
}

export function RegistryDialog({
  endpoint,
  onClose,
  onSaved,
}: {
  endpoint: RegistryEndpoint | 'new' | null
  onClose: () => void
  onSaved: (saved: RegistryEndpoint, created: boolean) => void
}) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (endpoint && !dialog.open) dialog.showModal()
    else if (!endpoint && dialog.open) dialog.close()
  }, [endpoint])
  return (
    <dialog
      ref={ref}
      aria-labelledby="registry-dialog-title"
      onCancel={(event) => {
        event.preventDefault()
        onClose()
      }}
      className="m-auto w-[min(36rem,calc(100vw-2rem))] rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50"
    >
      {endpoint && <RegistryForm key={endpoint === 'new' ? 'new' : endpoint.id} current={endpoint === 'new' ? null : endpoint} onClose={onClose} onSaved={onSaved} />}
    </dialog>
  )
}

function RegistryForm({ current, onClose, onSaved }: { current: RegistryEndpoint | null; onClose: () => void; onSaved: (saved: RegistryEndpoint, created: boolean) => void }) {
  const [name, setName] = useState(current?.name ?? '')
  const [type, setType] = useState<RegistryType>(current?.type ?? 'docker-hub')
  const [url, setUrl] = useState(current?.url ?? '')
  const [insecure, setInsecure] = useState(current?.insecure ?? false)
  const [mode, setMode] = useState<CredentialMode>(current?.credentials ?? 'anonymous')
  const [username, setUsername] = useState(current?.username ?? '')
  const [secret, setSecret] = useState('')
  const insecureId = useId()

  const save = useMutation({
    mutationFn: async () => {
      const body = requestBody({ name, type, url, insecure, mode, username, secret }, current)
      const path = current ? `/api/v1/registries/${current.id}` : '/api/v1/registries'
      return (await api<RegistryEndpoint>(path, { method: current ? 'PATCH' : 'POST', body })).data
    },
    onSuccess: (saved) => onSaved(saved, current === null),
  })
  // A stored secret of this kind is kept when the field is left empty; otherwise one is needed.
  const keepsSecret = current !== null && current.credentials === mode
  const submit = (event: FormEvent) => {
    event.preventDefault()
    save.mutate()
  }

  return (
    <form method="dialog" className="space-y-4 p-5" onSubmit={submit} aria-label={current ? `Edit registry endpoint ${current.name}` : 'New registry endpoint'}>
      <h2 id="registry-dialog-title" className="text-lg font-semibold">
        {current ? `Edit ${current.name}` : 'New registry endpoint'}
      </h2>
      <TextField label="Name" name="registry-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} autoComplete="off" />
      <SelectField label="Type" name="registry-type" value={type} onChange={(e) => setType(e.target.value as RegistryType)}>
        {REGISTRY_TYPES.map((id) => (
          <option key={id} value={id}>
            {TYPE_LABELS[id]}
          </option>
        ))}
      </SelectField>
      <TextField
        label="URL"
        name="registry-url"
        type="url"
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        required={type !== 'docker-hub'}
        placeholder={type === 'docker-hub' ? DOCKER_HUB_URL : 'https://registry.example.com'}
        hint={type === 'docker-hub' ? `Empty: ${DOCKER_HUB_URL}.` : 'http:// or https://, without user name, query or fragment.'}
        autoComplete="off"
      />
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Credentials</legend>
        <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
          {MODES.map((option) => (
            <label key={option.id} className="flex items-center gap-1.5 text-sm text-slate-800">
              <input
                type="radio"
                name="registry-credentials"
                value={option.id}
                checked={mode === option.id}
                onChange={() => {
                  setMode(option.id)
                  setSecret('')
                }}
              />
              {option.label}
            </label>
          ))}
        </div>
      </fieldset>
      {mode === 'basic' && (
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField label="User name" name="registry-username" value={username} onChange={(e) => setUsername(e.target.value)} required autoComplete="off" />
          <TextField
            label="Password"
            name="registry-password"
            type="password"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            required={!keepsSecret}
            autoComplete="new-password"
            placeholder={keepsSecret ? 'Stored (hidden)' : undefined}
            hint={keepsSecret ? 'Leave empty to keep the stored password.' : 'Stored encrypted; never shown again.'}
          />
        </div>
      )}
      {mode === 'token' && (
        <TextField
          label="Token"
          name="registry-token"
          type="password"
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
          required={!keepsSecret}
          autoComplete="off"
          placeholder={keepsSecret ? 'Stored (hidden)' : undefined}
          hint={keepsSecret ? 'Leave empty to keep the stored token.' : 'Stored encrypted; never shown again.'}
        />
      )}
      <div className="flex items-start gap-2">
        <input id={insecureId} type="checkbox" checked={insecure} onChange={(e) => setInsecure(e.target.checked)} className="mt-0.5 h-4 w-4 shrink-0" />
        <label htmlFor={insecureId} className="text-sm text-slate-800">
          Skip TLS certificate verification (insecure)
        </label>
      </div>
      <ErrorMessage testId="registry-form-error">{save.isError ? errorMessage(save.error) : null}</ErrorMessage>
      <div className="flex flex-wrap justify-end gap-2">
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : current ? 'Save changes' : 'Add endpoint'}
        </Button>
      </div>
    </form>
  )
}
