'use client'
// The form that creates a personal access token (name, permission, expiry).
import { useMutation, useQueryClient } from '@tanstack/react-query'
import type { FormEvent } from 'react'
import type { CreatedAccessToken } from '@/lib/tokens/schema'
import { api, errorMessage } from '../api'
import { Button, ErrorMessage, SelectField, TextField } from '../ui'
import { PERMISSIONS, type Permission } from './permissions'

const EXPIRY_CHOICES = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never' },
]

export function CreateTokenForm({ onCreated }: { onCreated: (token: CreatedAccessToken) => void }) {
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
