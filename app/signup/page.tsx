import type { Metadata } from 'next'
import { connection } from 'next/server'
import { LogInInstead, SignupForm } from '@/components/signup-form'
import { AuthFrame } from '@/components/auth-form'
import { runtime } from '@/lib/runtime'
import { isSignupEnabled } from '@/lib/settings'

export const metadata: Metadata = { title: 'Sign up' }

export default async function SignupPage() {
  // The admin's switch is read per request, never at build time.
  await connection()
  if (await isSignupEnabled(runtime().prisma)) return <SignupForm />
  return (
    <AuthFrame title="Sign-up is off" footer={<LogInInstead />}>
      <p className="mt-4 text-slate-600" data-testid="signup-off">
        This registry does not accept new accounts right now. Ask an administrator to create one for you.
      </p>
    </AuthFrame>
  )
}
