'use client'
// The frame every Admin page shares: the session check (system admins only; the API refuses others
// anyway, this says so first), the page width, the breadcrumb back to /admin on sub-pages, the title
// and the introduction.
import type { ReactNode } from 'react'
import { useSession } from 'next-auth/react'
import Link from 'next/link'
import { focusRing } from '../ui'

const pageClass = 'mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10'

function AdminsOnly({ title = 'Administration' }: { title?: string }) {
  return (
    <main className={pageClass}>
      <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">{title}</h1>
      <div role="alert" data-testid="admin-forbidden" className="mt-6 rounded-xl border border-amber-200 bg-amber-50 px-5 py-4 text-amber-900">
        <p className="font-medium">This page is for system administrators only.</p>
        <p className="mt-1 text-sm">Ask an administrator of this registry if you need to manage users or settings.</p>
      </div>
    </main>
  )
}

/** `children` renders only for a signed-in system admin, and receives the admin's user name. */
export function AdminPage({
  title,
  intro,
  subPage = true,
  children,
}: {
  title: string
  intro: ReactNode
  /** A page under /admin: shows the breadcrumb back to it. */
  subPage?: boolean
  children: (me: string) => ReactNode
}) {
  const { data: session, status } = useSession()
  if (status === 'loading') return <main className={pageClass} aria-busy="true" />
  if (!session?.user?.isAdmin) return <AdminsOnly title={title} />
  return (
    <main className={pageClass}>
      {subPage && (
        <nav aria-label="Breadcrumb" className="mb-4 text-sm">
          <Link href="/admin" className={`rounded text-sky-700 hover:underline ${focusRing}`}>
            ← Administration
          </Link>
        </nav>
      )}
      <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">{title}</h1>
      <p className="mt-2 max-w-prose text-slate-600">{intro}</p>
      {children(session.user.name)}
    </main>
  )
}
