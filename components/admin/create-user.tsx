'use client'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import type { User as AdminUser } from '@/lib/users/schema'
import { api, errorMessage } from '../api'
import { NewPasswordField } from '../new-password-field'
import { Button, Card, ErrorMessage, SuccessMessage, TextField } from '../ui'

/** POST /api/v1/users as an administrator: works also when public sign-up is off. */
export function CreateUser() {
  const queryClient = useQueryClient()
  const create = useMutation({
    mutationFn: async (input: { username: string; email: string; password: string }) => (await api<AdminUser>('/api/v1/users', { method: 'POST', body: input })).data,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['admin-users'] }),
  })
  return (
    <Card title="Create a user" headingId="create-user-heading" description="The account gets its personal project, like a sign-up. Works also when sign-up is off.">
      <form
        className="grid gap-4 sm:grid-cols-3"
        onSubmit={(event) => {
          event.preventDefault()
          const formElement = event.currentTarget
          const form = new FormData(formElement)
          create.mutate(
            { username: String(form.get('username') ?? '').trim(), email: String(form.get('email') ?? '').trim(), password: String(form.get('password') ?? '') },
            { onSuccess: () => formElement.reset() },
          )
        }}
      >
        <TextField label="New username" name="username" autoComplete="off" autoCapitalize="none" spellCheck={false} required />
        <TextField label="New user's email" name="email" type="email" autoComplete="off" required />
        <NewPasswordField label="Initial password" name="password" required />
        <div className="sm:col-span-3">
          <ErrorMessage testId="create-user-error">{create.isError ? errorMessage(create.error) : null}</ErrorMessage>
          <SuccessMessage>{create.isSuccess ? `Created ${create.data.username}.` : null}</SuccessMessage>
          <Button type="submit" disabled={create.isPending} className="mt-2">
            {create.isPending ? 'Creating…' : 'Create user'}
          </Button>
        </div>
      </form>
    </Card>
  )
}
