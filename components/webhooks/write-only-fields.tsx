'use client'
// The webhook's write-only settings: the Authorization header and the signing secret. Neither is ever
// shown again once saved; a policy that has one offers to keep it (blank) or remove it.
import { useId, useState } from 'react'
import { Button, TextField, inputClass } from '../ui'
import { CopyButton } from '../widgets'
import { Checkbox } from './checkbox'
import { randomSecret } from './parts'
import type { WebhookDraft } from './use-webhook-form'

type FieldProps = { draft: WebhookDraft; change: (patch: Partial<WebhookDraft>) => void; isSet: boolean }

export function AuthHeaderField({ draft, change, isSet }: FieldProps) {
  return (
    <div className="space-y-2">
      <TextField
        label="Authorization header"
        type="password"
        autoComplete="new-password"
        spellCheck={false}
        value={draft.authHeader}
        disabled={draft.clearAuth}
        onChange={(e) => change({ authHeader: e.target.value })}
        placeholder={isSet ? 'Set — leave blank to keep' : 'Bearer …'}
        hint={isSet ? 'Set — leave blank to keep. It is sent as is and never shown again.' : 'Optional. Sent as the Authorization header value; never shown again.'}
      />
      {isSet && <Checkbox label="Remove the Authorization header" checked={draft.clearAuth} onChange={(c) => change(c ? { clearAuth: c, authHeader: '' } : { clearAuth: c })} />}
    </div>
  )
}

export function SigningSecretField({ draft, change, isSet }: FieldProps) {
  const secretId = useId()
  // A secret generated here, shown once so it can be copied into the receiver.
  const [generated, setGenerated] = useState<string | null>(null)
  return (
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
            value={draft.secret}
            disabled={draft.clearSecret}
            onChange={(e) => {
              change({ secret: e.target.value })
              setGenerated(null)
            }}
            placeholder={isSet ? 'Set — leave blank to keep' : 'At least 16 characters'}
            aria-describedby={`${secretId}-hint`}
            className={`${inputClass} mt-0 min-w-0 flex-1 font-mono`}
          />
          <Button
            variant="secondary"
            disabled={draft.clearSecret}
            onClick={() => {
              const value = randomSecret()
              change({ secret: value })
              setGenerated(value)
            }}
          >
            Generate
          </Button>
        </div>
        <p id={`${secretId}-hint`} className="mt-1 text-xs text-slate-500">
          {isSet ? 'Set — leave blank to keep. ' : 'Optional. '}
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
      {isSet && (
        <Checkbox
          label="Remove the signing secret"
          hint="Deliveries are then sent unsigned."
          checked={draft.clearSecret}
          onChange={(c) => {
            change(c ? { clearSecret: c, secret: '' } : { clearSecret: c })
            if (c) setGenerated(null)
          }}
        />
      )}
    </div>
  )
}
