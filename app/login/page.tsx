import type { Metadata } from 'next'
import { connection } from 'next/server'
import { Suspense } from 'react'
import { LoginForm } from '@/components/login-form'
import { runtime } from '@/lib/runtime'
import { isSignupEnabled } from '@/lib/settings'

export const metadata: Metadata = { title: 'Log in' }

export default async function LoginPage() {
  await connection()
  const signupEnabled = await isSignupEnabled(runtime().prisma)
  return (
    <Suspense>
      <LoginForm signupEnabled={signupEnabled} />
    </Suspense>
  )
}
