'use client'
// Create an account (POST /api/v1/users), then sign straight in and go to the projects page.
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { signIn } from 'next-auth/react'
import { useState, type FormEvent } from 'react'
import { api, errorMessage } from './api'
import { AuthFrame } from './auth-form'
import { ConfirmPasswordField, NewPasswordField } from './new-password-field'
import { Button, ErrorMessage, NAME_PATTERN, TextField } from './ui'

export function SignupForm() {
  const router = useRouter()
  const [error, setError] = useState<string | null>(null)
  const [pending, setPending] = useState(false)

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const username = String(form.get('username') ?? '').trim()
    const email = String(form.get('email') ?? '').trim()
    const password = String(form.get('password') ?? '')
    if (password !== String(form.get('confirm') ?? '')) {
      setError('The two passwords do not match.')
      return
    }
    setPending(true)
    setError(null)
    try {
      await api('/api/v1/users', { method: 'POST', body: { username, email, password } })
    } catch (failure) {
      setError(errorMessage(failure))
      setPending(false)
      return
    }
    try {
      const result = await signIn('credentials', { redirect: false, username, password })
      if (!result?.ok || result.error) {
        // The account exists; only the automatic login failed (rate limit, …).
        router.push('/login')
        return
      }
      router.replace('/projects')
      router.refresh()
    } finally {
      setPending(false)
    }
  }

  return (
    <AuthFrame title="Create an account" footer={<LogInInstead />}>
      <form onSubmit={submit} className="mt-6 space-y-4">
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          minLength={2}
          maxLength={64}
          pattern={NAME_PATTERN}
          hint="2–64 lowercase letters and digits, optionally separated by . _ or -. It is also the name of your personal namespace."
          autoFocus
        />
        <TextField label="Email" name="email" type="email" autoComplete="email" required />
        <NewPasswordField label="Password" name="password" required also=", not your username" />
        <ConfirmPasswordField label="Confirm password" name="confirm" />
        <ErrorMessage testId="signup-error">{error}</ErrorMessage>
        <Button type="submit" disabled={pending} className="w-full">
          {pending ? 'Creating account…' : 'Create account'}
        </Button>
      </form>
    </AuthFrame>
  )
}

/** The sign-up pages' footer: a way to the login page. */
export function LogInInstead() {
  return (
    <>
      Already have an account?{' '}
      <Link href="/login" className="font-medium text-sky-700 underline hover:text-sky-900">
        Log in
      </Link>
    </>
  )
}
