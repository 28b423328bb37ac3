'use client'
// The administration page (system admins only): the "sign-up enabled" switch, a link to the system
// webhooks (/admin/webhooks) and the audit log (/admin/audit), creating users, and the users table (./admin/users-table). The API
// refuses non-admins anyway; this page just says so first.
import { useSession } from 'next-auth/react'
import Link from 'next/link'
import { CreateUser } from './admin/create-user'
import { SignupSetting } from './admin/signup-setting'
import { MirrorSetting } from './admin/mirror-setting'
import { QuotaDefaults } from './admin/quota-defaults'
import { UsersTable } from './admin/users-table'
import { Card, focusRing } from './ui'
import { RegistriesSection } from './registries'

export function AdminsOnly({ title = 'Administration' }: { title?: string }) {
  return (
    <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10">
      <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">{title}</h1>
      <div role="alert" data-testid="admin-forbidden" className="mt-6 rounded-xl border border-amber-200 bg-amber-50 px-5 py-4 text-amber-900">
        <p className="font-medium">This page is for system administrators only.</p>
        <p className="mt-1 text-sm">Ask an administrator of this registry if you need to manage users or settings.</p>
      </div>
    </main>
  )
}

export function AdminView() {
  const { data: session, status } = useSession()
  if (status === 'loading') return <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10" aria-busy="true" />
  if (!session?.user?.isAdmin) return <AdminsOnly />
  return (
    <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10">
      <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">Administration</h1>
      <p className="mt-2 text-slate-600">Users of this registry and system settings. Changes are recorded in the audit log.</p>
      <div className="mt-8 space-y-6">
        <SignupSetting />
        <MirrorSetting />
        <QuotaDefaults />
        <Card title="System webhooks" headingId="system-webhooks-heading" description="Webhooks that receive events from every project, for registry-wide CI, audit or mirroring.">
          <Link
            href="/admin/webhooks"
            className={`inline-flex rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100 ${focusRing}`}
          >
            Manage system webhooks
          </Link>
        </Card>
        <Card title="Garbage collection" headingId="gc-heading" description="Free the storage of deleted artifacts: run now, dry run, schedule and history.">
          <Link
            href="/admin/gc"
            className={`inline-flex rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100 ${focusRing}`}
          >
            Garbage collection
          </Link>
        </Card>
        <Card title="Audit log" headingId="audit-log-heading" description="Who pushed, pulled and deleted what, and every change to users, projects and settings.">
          <Link
            href="/admin/audit"
            className={`inline-flex rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100 ${focusRing}`}
          >
            View the audit log
          </Link>
        </Card>
        <RegistriesSection />
        <CreateUser />
        <UsersTable me={session.user.name} />
      </div>
    </main>
  )
}
