'use client'
// Log in with username and password through next-auth's credentials provider. Every refusal shows the
// same message, whether or not the account exists; rate limiting shows the server's "wait" message.
import Link from 'next/link'
import { useRouter, useSearchParams } from 'next/navigation'
import { signIn } from 'next-auth/react'
import { useState, type FormEvent } from 'react'
import { loginErrorMessage } from '@/lib/auth/login-errors'
import { safeRedirectPath } from '@/lib/auth/safe-redirect'
import { AuthFrame } from './auth-form'
import { Button, ErrorMessage, TextField } from './ui'

export function LoginForm({ signupEnabled }: { signupEnabled: boolean }) {
  const router = useRouter()
  const params = useSearchParams()
  const [error, setError] = useState<string | null>(params.get('error') ? loginErrorMessage(params.get('error')) : null)
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
        setError(loginErrorMessage(result?.error))
        return
      }
      // Resolved against this page's origin: anything that lands elsewhere goes to /projects.
      router.replace(safeRedirectPath(params.get('callbackUrl'), window.location.origin))
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
        signupEnabled ? (
          <>
            No account yet?{' '}
            <Link href="/signup" className="font-medium text-sky-700 underline hover:text-sky-900">
              Sign up
            </Link>
          </>
        ) : (
          'No account yet? Ask an administrator to create one.'
        )
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
