'use client'
// The account page: who you are, change password, personal access tokens.
import { useSession } from 'next-auth/react'
import { AccessTokens } from './access-tokens'
import { PasswordForm } from './password-form'

export function AccountView() {
  const { data: session } = useSession()
  const username = session?.user?.name ?? ''
  return (
    <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10">
      <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">Account</h1>
      <p className="mt-2 text-slate-600">
        Signed in as <strong>{username}</strong>
        {session?.user?.isAdmin ? ' (system administrator)' : ''}.
      </p>
      <div className="mt-8 space-y-6">
        <AccessTokens username={username} />
        <PasswordForm />
      </div>
    </main>
  )
}
