'use client'
// The system audit log page (system admins only): every entry of the registry, with the filters and
// paging of components/audit, against /api/v1/audit-logs. Projects' members read their own project's
// entries in its Logs tab.
import { useSession } from 'next-auth/react'
import Link from 'next/link'
import { AdminsOnly } from './admin-view'
import { AuditLog } from './audit/audit-log'
import { focusRing } from './ui'

export function SystemAuditView() {
  const { data: session, status } = useSession()
  if (status === 'loading') return <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10" aria-busy="true" />
  if (!session?.user?.isAdmin) return <AdminsOnly title="Audit log" />
  return (
    <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/admin" className={`rounded text-sky-700 hover:underline ${focusRing}`}>
          ← Administration
        </Link>
      </nav>
      <h1 className="mt-4 text-2xl font-semibold tracking-tight sm:text-3xl">Audit log</h1>
      <p className="mt-2 max-w-prose text-slate-600">
        Who did what in this registry, and when: pushes, pulls, deletes, sign-ins and every change to projects, users and settings. Pulls of one artifact by one operator within
        about a second are one entry, with their count.
      </p>
      <div className="mt-8">
        <AuditLog base="/api/v1/audit-logs" headingId="system-audit-heading" title="Entries" />
      </div>
    </main>
  )
}
