'use client'
// The webhook policies of one scope (the project page's "Webhooks" tab or the system webhooks page):
// the list with enable switches and actions, the create/edit form and each policy's delivery log.
import { useEffect, useRef, useState } from 'react'
import type { WebhookPolicy } from '@/lib/webhooks/schema'
import { ApiError, errorMessage } from '../api'
import { Button, ErrorMessage, SuccessMessage } from '../ui'
import { ConfirmDialog, LoadingRows } from '../widgets'
import { WebhookForm } from './form'
import { PolicyItem } from './policy-item'
import { useWebhookPolicies } from './use-webhook-policies'

/**
 * The webhooks of one scope. `base` is the API collection (`/api/v1/projects/p/webhooks` or
 * `/api/v1/webhooks`); `repositoryExample` fills the filter's placeholder (`p/app-*`).
 */
export function WebhookManager({
  base,
  title = 'Webhooks',
  repositoryExample = 'project/app-*',
  scopeText,
}: {
  base: string
  title?: string
  repositoryExample?: string
  scopeText: string
}) {
  const [editing, setEditing] = useState<WebhookPolicy | 'new' | null>(null)
  const [removing, setRemoving] = useState<WebhookPolicy | null>(null)
  const list = useWebhookPolicies(base, (policy) => {
    setRemoving(null)
    if (editing !== 'new' && editing?.id === policy.id) setEditing(null)
  })
  const { policies, notice, setNotice, actionError, remove } = list
  const formRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    if (editing) formRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' })
  }, [editing])

  return (
    <div className="space-y-6">
      {editing && (
        <div ref={formRef} className="scroll-mt-4">
          <WebhookForm
            key={editing === 'new' ? 'new' : editing.id}
            base={base}
            policy={editing === 'new' ? null : editing}
            repositoryExample={repositoryExample}
            onCancel={() => setEditing(null)}
            onSaved={async (policy, created) => {
              setEditing(null)
              setNotice(created ? `Webhook ${policy.name} created. Send a test event to check that the receiver gets it.` : `Webhook ${policy.name} saved.`)
              await list.refresh()
            }}
          />
        </div>
      )}
      <section aria-labelledby="webhooks-heading" className="min-w-0 rounded-xl border border-slate-200 bg-white shadow-sm">
        <div className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 px-4 py-3">
          <h2 id="webhooks-heading" className="text-lg font-semibold">
            {title}
            {policies.data && policies.data.total > 0 && <span className="ml-2 text-sm font-normal text-slate-500">{policies.data.total}</span>}
          </h2>
          <Button
            onClick={() => {
              setNotice(null)
              setEditing('new')
            }}
            disabled={editing === 'new'}
          >
            New webhook
          </Button>
        </div>
        <div className="space-y-2 px-4 pt-3 empty:hidden">
          {notice && <SuccessMessage>{notice}</SuccessMessage>}
          {actionError && <ErrorMessage testId="webhook-action-error">{actionError}</ErrorMessage>}
        </div>
        {policies.isPending ? (
          <LoadingRows rows={3} label="Loading webhooks" />
        ) : policies.isError ? (
          <div className="p-4">
            <ErrorMessage testId="webhooks-error">
              {policies.error instanceof ApiError && policies.error.status === 403 ? 'Only administrators may manage these webhooks.' : errorMessage(policies.error)}
            </ErrorMessage>
          </div>
        ) : policies.data.items.length === 0 ? (
          <div className="px-4 py-8 text-sm text-slate-600" data-testid="webhooks-empty">
            <p className="font-medium text-slate-900">No webhooks yet.</p>
            <p className="mt-1 max-w-prose">
              A webhook sends an HTTP POST to a URL of yours when something happens {scopeText}, so CI and other tools can react at once. For example: start a deployment pipeline
              whenever an image is pushed. Deliveries are signed, retried and logged here.
            </p>
          </div>
        ) : (
          <ul className="divide-y divide-slate-200" data-testid="webhook-list">
            {policies.data.items.map((policy) => (
              <PolicyItem
                key={policy.id}
                policy={policy}
                base={base}
                list={list}
                onEdit={() => {
                  setNotice(null)
                  setEditing(policy)
                }}
                onDelete={() => setRemoving(policy)}
              />
            ))}
          </ul>
        )}
      </section>
      <ConfirmDialog
        open={removing !== null}
        title={`Delete webhook ${removing?.name ?? ''}?`}
        confirmLabel="Delete webhook"
        action={remove}
        onCancel={() => setRemoving(null)}
        onConfirm={() => removing && remove.mutate(removing)}
      >
        <p>
          <strong className="break-all">{removing?.name}</strong> stops receiving events at once, and its delivery log is deleted with it. Pending deliveries are not sent.
        </p>
      </ConfirmDialog>
    </div>
  )
}
