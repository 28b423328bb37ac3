'use client'
// The system audit log page (system admins only): every entry of the registry, with the filters and
// paging of components/audit, against /api/v1/audit-logs. Projects' members read their own project's
// entries in its Logs tab.
import { AdminPage } from './admin/admin-page'
import { AuditLog } from './audit/audit-log'

export function SystemAuditView() {
  return (
    <AdminPage
      title="Audit log"
      intro="Who did what in this registry, and when: pushes, pulls, deletes, sign-ins and every change to projects, users and settings. Pulls of one artifact by one operator within about a second are one entry, with their count."
    >
      {() => (
        <div className="mt-8">
          <AuditLog base="/api/v1/audit-logs" headingId="system-audit-heading" title="Entries" />
        </div>
      )}
    </AdminPage>
  )
}
