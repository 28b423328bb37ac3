'use client'
// The system webhooks page (system admins only): policies that receive events from every project,
// with the same list, form and delivery log as a project's Webhooks tab, against /api/v1/webhooks.
import { AdminPage } from './admin/admin-page'
import { WebhookManager } from './webhooks'

export function SystemWebhooksView() {
  return (
    <AdminPage
      title="System webhooks"
      intro="These webhooks receive matching events from every project of this registry. Project admins manage their own project's webhooks on the project page."
    >
      {() => (
        <div className="mt-8">
          <WebhookManager base="/api/v1/webhooks" title="System webhooks" repositoryExample="*/app-*" scopeText="in any project of this registry" />
        </div>
      )}
    </AdminPage>
  )
}
