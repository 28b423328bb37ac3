'use client'
// The administration page (system admins only): the "sign-up enabled" switch, a link to the system
// webhooks (/admin/webhooks) and the audit log (/admin/audit), creating users, and the users table (./admin/users-table). The API
// refuses non-admins anyway; this page just says so first.
import Link from 'next/link'
import { AdminPage } from './admin/admin-page'
import { CreateUser } from './admin/create-user'
import { SignupSetting } from './admin/signup-setting'
import { MirrorSetting } from './admin/mirror-setting'
import { QuotaDefaults } from './admin/quota-defaults'
import { UsersTable } from './admin/users-table'
import { Card, focusRing } from './ui'
import { RegistriesSection } from './registries'

export function AdminView() {
  return (
    <AdminPage title="Administration" intro="Users of this registry and system settings. Changes are recorded in the audit log." subPage={false}>
      {(me) => (
        <div className="mt-8 space-y-6">
          <SignupSetting />
          <MirrorSetting />
          <QuotaDefaults />
          <Card
            title="System webhooks"
            headingId="system-webhooks-heading"
            description="Webhooks that receive events from every project, for registry-wide CI, audit or mirroring."
          >
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
          <UsersTable me={me} />
        </div>
      )}
    </AdminPage>
  )
}
