'use client'
// Log in with username and password through next-auth's credentials provider. Every refusal shows the
// same message, whether or not the account exists; rate limiting shows the server's "wait" message.
import Link from 'next/link'
import { useRouter, useSearchParams } from 'next/navigation'
import { signIn } from 'next-auth/react'
import { useState, type FormEvent } from 'react'
import { AuthFrame, safeCallback } from './auth-form'
import { Button, ErrorMessage, TextField } from './ui'

const INVALID = 'Invalid username or password.'

function loginError(code: string | null | undefined): string {
  if (!code || code === 'CredentialsSignin') return INVALID
  // next-auth's own codes (Configuration, CSRF, …) mean nothing to a person.
  if (/^[A-Z][A-Za-z]+$/.test(code)) return 'Sign-in failed. Reload the page and try again.'
  return code
}

export function LoginForm() {
  const router = useRouter()
  const params = useSearchParams()
  const callbackUrl = safeCallback(params.get('callbackUrl'))
  const [error, setError] = useState<string | null>(params.get('error') ? loginError(params.get('error')) : null)
  const [pending, setPending] = useState(false)

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    setPending(true)
    setError(null)
    try {
      const result = await signIn('credentials', {
        redirect: false,
        username: String(form.get('username') ?? '').trim(),
        password: String(form.get('password') ?? ''),
      })
      if (!result || result.error || !result.ok) {
        setError(loginError(result?.error))
        return
      }
      router.replace(callbackUrl)
      router.refresh()
    } catch {
      setError('The server could not be reached. Try again.')
    } finally {
      setPending(false)
    }
  }

  return (
    <AuthFrame
      title="Log in"
      footer={
        <>
          No account yet?{' '}
          <Link href="/signup" className="font-medium text-sky-700 underline hover:text-sky-900">
            Sign up
          </Link>
        </>
      }
    >
      <form onSubmit={submit} className="mt-6 space-y-4" noValidate={false}>
        <TextField label="Username" name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} required autoFocus />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required />
        <ErrorMessage testId="login-error">{error}</ErrorMessage>
        <Button type="submit" disabled={pending} className="w-full">
          {pending ? 'Logging in…' : 'Log in'}
        </Button>
      </form>
    </AuthFrame>
  )
}
