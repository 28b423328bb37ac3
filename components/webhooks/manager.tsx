'use client'
// The webhook policies of one scope (the project page's "Webhooks" tab or the system webhooks page):
// the list with enable switches and actions, the create/edit form and each policy's delivery log.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { api, apiList, ApiError, errorMessage } from '../api'
import type { WebhookDelivery as Delivery, WebhookPolicy } from '@/lib/webhooks/schema'
import { Button, ErrorMessage, SuccessMessage } from '../ui'
import { ConfirmDialog, LoadingRows, TimeAgo } from '../widgets'
import { Chip, EVENT_LABELS, FORMAT_LABELS, StatusBadge, Switch } from './parts'
import { WebhookForm } from './form'
import { DeliveryLog } from './delivery-log'

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
  const queryClient = useQueryClient()
  const listKey = ['webhooks', base]
  const policies = useQuery({ queryKey: listKey, queryFn: () => apiList<WebhookPolicy>(`${base}?page_size=100`) })
  const refresh = () => queryClient.invalidateQueries({ queryKey: listKey })
  const [editing, setEditing] = useState<WebhookPolicy | 'new' | null>(null)
  const [openLogs, setOpenLogs] = useState<number[]>([])
  const [notice, setNotice] = useState<string | null>(null)
  const [removing, setRemoving] = useState<WebhookPolicy | null>(null)
  const formRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    if (editing) formRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' })
  }, [editing])

  const showLog = (id: number, open = true) => setOpenLogs((ids) => (open ? (ids.includes(id) ? ids : [...ids, id]) : ids.filter((x) => x !== id)))

  const toggle = useMutation({
    mutationFn: async (policy: WebhookPolicy) => (await api<WebhookPolicy>(`${base}/${policy.id}`, { method: 'PATCH', body: { enabled: !policy.enabled } })).data,
    onMutate: () => setNotice(null),
    onSuccess: async (policy) => {
      setNotice(`${policy.name} ${policy.enabled ? 'enabled: matching events are sent again' : 'disabled: no events are sent until it is enabled'}.`)
      await refresh()
    },
  })
  const test = useMutation({
    mutationFn: async (policy: WebhookPolicy) => (await api<Delivery>(`${base}/${policy.id}/test`, { method: 'POST' })).data,
    onMutate: () => setNotice(null),
    onSuccess: async (_delivery, policy) => {
      setNotice(`Test event queued for ${policy.name}; its delivery is at the top of the log.`)
      showLog(policy.id)
      await queryClient.invalidateQueries({ queryKey: ['webhook-deliveries', `${base}/${policy.id}`] })
    },
  })
  const remove = useMutation({
    mutationFn: (policy: WebhookPolicy) => api(`${base}/${policy.id}`, { method: 'DELETE' }),
    onSuccess: async (_, policy) => {
      setNotice(`Webhook ${policy.name} deleted.`)
      setRemoving(null)
      if (editing !== 'new' && editing?.id === policy.id) setEditing(null)
      await refresh()
    },
  })
  const actionError = toggle.isError ? errorMessage(toggle.error) : test.isError ? errorMessage(test.error) : null

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
              await refresh()
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
            {policies.data.items.map((policy) => {
              const logOpen = openLogs.includes(policy.id)
              const logId = `webhook-log-${policy.id}`
              return (
                <li key={policy.id} className="space-y-3 px-4 py-4" data-testid="webhook-policy" data-name={policy.name}>
                  <div className="flex flex-wrap items-start justify-between gap-3">
                    <div className="min-w-0 flex-1">
                      <h3 className="break-all font-semibold text-slate-900">{policy.name}</h3>
                      <p className="mt-0.5 break-all font-mono text-xs text-slate-600" data-testid="webhook-target">
                        {policy.targetUrl}
                      </p>
                      {policy.description && <p className="mt-1 text-sm text-slate-600">{policy.description}</p>}
                    </div>
                    <Switch
                      checked={toggle.isPending && toggle.variables?.id === policy.id ? !policy.enabled : policy.enabled}
                      label={`Enabled: ${policy.name}`}
                      disabled={toggle.isPending && toggle.variables?.id === policy.id}
                      onChange={() => toggle.mutate(policy)}
                    />
                  </div>
                  <div className="flex flex-wrap gap-1.5" aria-label="Settings">
                    {policy.eventTypes.map((type) => (
                      <Chip key={type} tone="sky" title={type}>
                        {EVENT_LABELS[type] ?? type}
                      </Chip>
                    ))}
                    <Chip tone="violet">{FORMAT_LABELS[policy.format] ?? policy.format}</Chip>
                    {policy.repositoryFilter && <Chip title="Repository filter">repository: {policy.repositoryFilter}</Chip>}
                    {policy.tagFilter && <Chip title="Tag filter">tag: {policy.tagFilter}</Chip>}
                    {policy.hasSecret && <Chip tone="amber">Signed</Chip>}
                    {policy.hasAuthHeader && <Chip tone="amber">Authorization header</Chip>}
                  </div>
                  <p className="text-sm text-slate-600">
                    {policy.lastDelivery ? (
                      <>
                        Last delivery <StatusBadge status={policy.lastDelivery.status} />
                        {policy.lastDelivery.lastStatusCode !== null && <> HTTP {policy.lastDelivery.lastStatusCode}</>} <TimeAgo value={policy.lastDelivery.createdAt} />
                      </>
                    ) : (
                      'No deliveries yet'
                    )}
                  </p>
                  <div className="flex flex-wrap gap-2">
                    <Button variant="secondary" className="px-2.5 py-1.5" aria-expanded={logOpen} aria-controls={logId} onClick={() => showLog(policy.id, !logOpen)}>
                      {logOpen ? 'Hide deliveries' : 'Deliveries'}
                    </Button>
                    <Button
                      variant="secondary"
                      className="px-2.5 py-1.5"
                      aria-label={`Send test event to ${policy.name}`}
                      disabled={test.isPending && test.variables?.id === policy.id}
                      onClick={() => test.mutate(policy)}
                    >
                      {test.isPending && test.variables?.id === policy.id ? 'Sending…' : 'Send test event'}
                    </Button>
                    <Button
                      variant="secondary"
                      className="px-2.5 py-1.5"
                      aria-label={`Edit ${policy.name}`}
                      onClick={() => {
                        setNotice(null)
                        setEditing(policy)
                      }}
                    >
                      Edit
                    </Button>
                    <Button variant="ghost" className="px-2.5 py-1.5 text-red-700" aria-label={`Delete ${policy.name}`} onClick={() => setRemoving(policy)}>
                      Delete
                    </Button>
                  </div>
                  {logOpen && (
                    <div id={logId}>
                      <DeliveryLog base={`${base}/${policy.id}`} policyName={policy.name} />
                    </div>
                  )}
                </li>
              )
            })}
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
