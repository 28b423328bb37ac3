import type { Metadata } from 'next'
import { getServerSession } from 'next-auth'
import type { ReactNode } from 'react'
import { SiteHeader } from '@/components/site-header'
import { authOptions } from '@/lib/auth/next-auth'
import { runtime } from '@/lib/runtime'
import { isSignupEnabled } from '@/lib/settings'
import { Providers } from './providers'
import './globals.css'

export const metadata: Metadata = {
  title: { default: 'Harbormaster registry', template: '%s · Harbormaster' },
  description: 'An OCI container registry with a management dashboard',
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Seeds the client session so the header renders signed-in state without a round trip.
  const session = await getServerSession(authOptions)
  const signupEnabled = await isSignupEnabled(runtime().prisma)
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <Providers session={session}>
          <a href="#main" className="sr-only rounded-md bg-white px-3 py-2 text-sm font-medium text-slate-900 focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-10">
            Skip to content
          </a>
          <SiteHeader signupEnabled={signupEnabled} />
          <div id="main">{children}</div>
        </Providers>
      </body>
    </html>
  )
}
