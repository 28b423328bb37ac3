'use client'
// Admin → Garbage collection (system admins only): run now or dry run, the schedule, and the history
// of runs with each one's log, against /api/v1/system/gc.
import { useSession } from 'next-auth/react'
import Link from 'next/link'
import { AdminsOnly } from './admin-view'
import { focusRing } from './ui'
import { GcHistory } from './gc/history'
import { RunGc } from './gc/run-gc'
import { GcScheduleCard } from './gc/schedule-card'

export function GcView() {
  const { data: session, status } = useSession()
  if (status === 'loading') return <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10" aria-busy="true" />
  if (!session?.user?.isAdmin) return <AdminsOnly title="Garbage collection" />
  return (
    <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/admin" className={`rounded text-sky-700 hover:underline ${focusRing}`}>
          ← Administration
        </Link>
      </nav>
      <h1 className="mt-4 text-2xl font-semibold tracking-tight sm:text-3xl">Garbage collection</h1>
      <p className="mt-2 max-w-prose text-slate-600">
        Frees the storage of blobs that no artifact references any more, while pushes and pulls go on. Blobs pushed within the grace period are kept, as a push may still be sending
        their manifest.
      </p>
      <div className="mt-8 grid gap-6 lg:grid-cols-2">
        <RunGc />
        <GcScheduleCard />
      </div>
      <div className="mt-6">
        <GcHistory />
      </div>
    </main>
  )
}
