'use client'
// Change password: PUT /api/v1/users/me/password {currentPassword, newPassword}.
import { useMutation } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { api, errorMessage } from './api'
import { ConfirmPasswordField, NewPasswordField } from './new-password-field'
import { Button, Card, ErrorMessage, SuccessMessage, TextField } from './ui'

export function PasswordForm() {
  const [mismatch, setMismatch] = useState(false)
  const change = useMutation({
    mutationFn: (input: { currentPassword: string; newPassword: string }) => api('/api/v1/users/me/password', { method: 'PUT', body: input }),
  })

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const formElement = event.currentTarget
    const form = new FormData(formElement)
    const newPassword = String(form.get('newPassword') ?? '')
    change.reset()
    if (newPassword !== String(form.get('confirm') ?? '')) {
      setMismatch(true)
      return
    }
    setMismatch(false)
    change.mutate({ currentPassword: String(form.get('currentPassword') ?? ''), newPassword }, { onSuccess: () => formElement.reset() })
  }

  return (
    <Card title="Change password" headingId="password-heading">
      <form onSubmit={submit} className="max-w-md space-y-4">
        {/* Lets password managers attach the new password to the right account. */}
        <TextField label="Current password" name="currentPassword" type="password" autoComplete="current-password" required />
        <NewPasswordField label="New password" name="newPassword" required also=", not your username, not the current one. Your other sessions are signed out" />
        <ConfirmPasswordField label="Confirm new password" name="confirm" />
        <ErrorMessage testId="password-error">{mismatch ? 'The two new passwords do not match.' : change.isError ? errorMessage(change.error) : null}</ErrorMessage>
        <SuccessMessage>{change.isSuccess ? 'Password changed.' : null}</SuccessMessage>
        <Button type="submit" disabled={change.isPending}>
          {change.isPending ? 'Saving…' : 'Change password'}
        </Button>
      </form>
    </Card>
  )
}
