'use client'
// The system webhooks page (system admins only): policies that receive events from every project,
// with the same list, form and delivery log as a project's Webhooks tab, against /api/v1/webhooks.
import { useSession } from 'next-auth/react'
import Link from 'next/link'
import { AdminsOnly } from './admin-view'
import { focusRing } from './ui'
import { WebhookManager } from './webhooks'

export function SystemWebhooksView() {
  const { data: session, status } = useSession()
  if (status === 'loading') return <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10" aria-busy="true" />
  if (!session?.user?.isAdmin) return <AdminsOnly title="System webhooks" />
  return (
    <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/admin" className={`rounded text-sky-700 hover:underline ${focusRing}`}>
          ← Administration
        </Link>
      </nav>
      <h1 className="mt-4 text-2xl font-semibold tracking-tight sm:text-3xl">System webhooks</h1>
      <p className="mt-2 max-w-prose text-slate-600">
        These webhooks receive matching events from every project of this registry. Project admins manage their own project&apos;s webhooks on the project page.
      </p>
      <div className="mt-8">
        <WebhookManager base="/api/v1/webhooks" title="System webhooks" repositoryExample="*/app-*" scopeText="in any project of this registry" />
      </div>
    </main>
  )
}
