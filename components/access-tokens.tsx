'use client'
// Personal access tokens: the list (name, permission, created, expires, last used), a form to create
// one (its secret is shown once, with a copy button), and revoke with an inline confirmation.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState, type FormEvent } from 'react'
import type { AccessToken, CreatedAccessToken } from '@/lib/tokens/schema'
import { api, errorMessage, formatDate } from './api'
import { Button, Card, ErrorMessage, SelectField, SuccessMessage, TextField, inputClass, tableScrollClass } from './ui'

type Permission = AccessToken['permission']

const PERMISSIONS: { value: Permission; label: string; description: string }[] = [
  { value: 'read', label: 'Read', description: 'pull' },
  { value: 'readWrite', label: 'Read and write', description: 'pull and push' },
  { value: 'readWriteDelete', label: 'Read, write and delete', description: 'pull, push and delete' },
]
const permissionLabel = (value: string) => PERMISSIONS.find((p) => p.value === value)?.label ?? value

const EXPIRY_CHOICES = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never' },
]

export function AccessTokens({ username }: { username: string }) {
  const [created, setCreated] = useState<CreatedAccessToken | null>(null)
  return (
    <Card
      title="Personal access tokens"
      headingId="tokens-heading"
      description={
        <>
          Use a token instead of your password for <code className="rounded bg-slate-200 px-1">docker login</code>, podman, skopeo and the API. A token never allows more than you
          can do yourself, and cannot manage your account.
        </>
      }
    >
      {created && <NewTokenSecret token={created} username={username} onDismiss={() => setCreated(null)} />}
      <CreateTokenForm onCreated={setCreated} />
      <TokenList onRevoked={(id) => setCreated((current) => (current?.id === id ? null : current))} />
    </Card>
  )
}

function CreateTokenForm({ onCreated }: { onCreated: (token: CreatedAccessToken) => void }) {
  const queryClient = useQueryClient()
  const create = useMutation({
    mutationFn: async (input: { name: string; permission: Permission; expiresInDays?: number }) =>
      (await api<CreatedAccessToken>('/api/v1/users/me/tokens', { method: 'POST', body: input })).data,
    onSuccess: (token) => {
      onCreated(token)
      return queryClient.invalidateQueries({ queryKey: ['tokens'] })
    },
  })

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const formElement = event.currentTarget
    const form = new FormData(formElement)
    const expiry = String(form.get('expiry') ?? 'never')
    create.mutate(
      {
        name: String(form.get('name') ?? '').trim(),
        permission: String(form.get('permission')) as Permission,
        ...(expiry === 'never' ? {} : { expiresInDays: Number(expiry) }),
      },
      { onSuccess: () => formElement.reset() },
    )
  }

  return (
    <form onSubmit={submit} aria-labelledby="new-token-heading" className="rounded-lg border border-slate-200 bg-slate-50 p-4">
      <h3 id="new-token-heading" className="text-sm font-semibold text-slate-800">
        New token
      </h3>
      <div className="mt-3 grid gap-4 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_10rem]">
        <TextField label="Token name" name="name" required maxLength={64} placeholder="laptop, ci, …" autoComplete="off" />
        <SelectField label="Permission" name="permission" defaultValue="readWrite">
          {PERMISSIONS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label} ({p.description})
            </option>
          ))}
        </SelectField>
        <SelectField label="Expires after" name="expiry" defaultValue="90">
          {EXPIRY_CHOICES.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </SelectField>
      </div>
      <div className="mt-4 space-y-3">
        <ErrorMessage testId="create-token-error">{create.isError ? errorMessage(create.error) : null}</ErrorMessage>
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create token'}
        </Button>
      </div>
    </form>
  )
}

function NewTokenSecret({ token, username, onDismiss }: { token: CreatedAccessToken; username: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null)
  const heading = useRef<HTMLHeadingElement>(null)
  const secretField = useRef<HTMLInputElement>(null)
  // Move focus to the secret so keyboard and screen-reader users land on it.
  useEffect(() => heading.current?.focus(), [token.id])

  async function copy() {
    try {
      await navigator.clipboard.writeText(token.secret)
      setCopied('copied')
    } catch {
      // No clipboard access (plain HTTP on another host): select it for Ctrl+C instead.
      secretField.current?.select()
      setCopied('failed')
    }
  }

  return (
    <section aria-labelledby="secret-heading" className="mb-5 rounded-lg border border-amber-300 bg-amber-50 p-4" data-testid="new-token">
      <h3 id="secret-heading" ref={heading} tabIndex={-1} className="text-sm font-semibold text-amber-900 focus:outline-none">
        Token “{token.name}” created
      </h3>
      <p className="mt-1 text-sm text-amber-900">
        <strong>Copy the secret now: it is shown only once.</strong> It cannot be displayed again; if you lose it, revoke the token and create a new one.
      </p>
      <div className="mt-3 flex flex-col gap-2 sm:flex-row">
        <label htmlFor="token-secret" className="sr-only">
          Token secret
        </label>
        <input
          id="token-secret"
          ref={secretField}
          readOnly
          value={token.secret}
          onFocus={(event) => event.currentTarget.select()}
          data-testid="token-secret"
          className={`${inputClass} mt-0 font-mono`}
        />
        <Button variant="secondary" onClick={copy} className="shrink-0">
          {copied === 'copied' ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <p className="mt-2 text-xs text-amber-900" aria-live="polite">
        {copied === 'copied' ? 'The secret is on your clipboard.' : copied === 'failed' ? 'Copying is not allowed here; the secret is selected, press Ctrl+C.' : ''}
      </p>
      <p className="mt-2 text-sm text-amber-900">
        Use it as the password:{' '}
        <code className="rounded bg-amber-100 px-1">
          docker login -u {username} {typeof window === 'undefined' ? '' : window.location.host}
        </code>
      </p>
      <Button variant="ghost" onClick={onDismiss} className="mt-2">
        I have saved it
      </Button>
    </section>
  )
}

function TokenList({ onRevoked }: { onRevoked: (id: number) => void }) {
  const queryClient = useQueryClient()
  const [confirming, setConfirming] = useState<number | null>(null)
  const [revoked, setRevoked] = useState<string | null>(null)
  const tokens = useQuery({
    queryKey: ['tokens'],
    queryFn: async () => {
      const { data } = await api<AccessToken[] | { items: AccessToken[] }>('/api/v1/users/me/tokens?page_size=100')
      return Array.isArray(data) ? data : (data?.items ?? [])
    },
  })
  const revoke = useMutation({
    mutationFn: (token: AccessToken) => api(`/api/v1/users/me/tokens/${token.id}`, { method: 'DELETE' }),
    onSuccess: (_result, token) => {
      setConfirming(null)
      setRevoked(token.name)
      onRevoked(token.id)
      return queryClient.invalidateQueries({ queryKey: ['tokens'] })
    },
  })

  return (
    <div className="mt-6">
      <h3 className="text-sm font-semibold text-slate-800">Your tokens</h3>
      <div className="mt-2 space-y-2">
        <SuccessMessage>{revoked ? `Token “${revoked}” revoked.` : null}</SuccessMessage>
        <ErrorMessage testId="revoke-error">{revoke.isError ? errorMessage(revoke.error) : null}</ErrorMessage>
      </div>
      {tokens.isPending ? (
        <p className="mt-2 text-sm text-slate-500">Loading tokens…</p>
      ) : tokens.isError ? (
        <div className="mt-2">
          <ErrorMessage>{errorMessage(tokens.error)}</ErrorMessage>
        </div>
      ) : tokens.data.length === 0 ? (
        <p className="mt-2 text-sm text-slate-500">No tokens yet.</p>
      ) : (
        // relative: the sr-only header text is absolutely positioned and must not escape the scroll box.
        <div className={`mt-2 rounded-lg border border-slate-200 ${tableScrollClass}`}>
          <table className="min-w-full divide-y divide-slate-200 text-sm" aria-labelledby="tokens-heading">
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-3 py-2">
                  Name
                </th>
                <th scope="col" className="px-3 py-2">
                  Permission
                </th>
                <th scope="col" className="px-3 py-2">
                  Created
                </th>
                <th scope="col" className="px-3 py-2">
                  Expires
                </th>
                <th scope="col" className="px-3 py-2">
                  Last used
                </th>
                <th scope="col" className="px-3 py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200 bg-white">
              {tokens.data.map((token) => {
                const expired = token.expired ?? (token.expiresAt !== null && Date.parse(token.expiresAt) <= Date.now())
                return (
                  <tr key={token.id}>
                    <th scope="row" className="whitespace-nowrap px-3 py-2 text-left font-medium">
                      {token.name}
                    </th>
                    <td className="whitespace-nowrap px-3 py-2">{permissionLabel(token.permission)}</td>
                    <td className="whitespace-nowrap px-3 py-2">{formatDate(token.createdAt)}</td>
                    <td className="whitespace-nowrap px-3 py-2">
                      {expired ? <span className="font-medium text-red-700">Expired {formatDate(token.expiresAt)}</span> : formatDate(token.expiresAt, 'Never')}
                    </td>
                    <td className="whitespace-nowrap px-3 py-2">{formatDate(token.lastUsedAt, 'Never')}</td>
                    <td className="whitespace-nowrap px-3 py-2 text-right">
                      {confirming === token.id ? (
                        <span className="inline-flex items-center gap-2">
                          <span className="text-slate-700">Revoke “{token.name}”?</span>
                          <Button variant="danger" onClick={() => revoke.mutate(token)} disabled={revoke.isPending} autoFocus>
                            {revoke.isPending ? 'Revoking…' : 'Confirm revoke'}
                          </Button>
                          <Button variant="secondary" onClick={() => setConfirming(null)}>
                            Cancel
                          </Button>
                        </span>
                      ) : (
                        <Button
                          variant="secondary"
                          onClick={() => {
                            revoke.reset()
                            setRevoked(null)
                            setConfirming(token.id)
                          }}
                          aria-label={`Revoke token ${token.name}`}
                        >
                          Revoke
                        </Button>
                      )}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
