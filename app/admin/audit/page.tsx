import type { Metadata } from 'next'
import { SystemAuditView } from '@/components/system-audit-view'

export const metadata: Metadata = { title: 'Audit log' }

export default function SystemAuditPage() {
  return <SystemAuditView />
}
