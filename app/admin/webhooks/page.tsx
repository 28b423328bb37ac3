import type { Metadata } from 'next'
import { SystemWebhooksView } from '@/components/system-webhooks-view'

export const metadata: Metadata = { title: 'System webhooks' }

export default function SystemWebhooksPage() {
  return <SystemWebhooksView />
}
