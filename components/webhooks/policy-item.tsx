'use client'
// One webhook policy in the list: name, target, settings as chips, last delivery, the enable switch,
// actions (deliveries, test, edit, delete) and, when open, its delivery log.
import type { WebhookPolicy } from '@/lib/webhooks/schema'
import { Button } from '../ui'
import { TimeAgo } from '../widgets'
import { DeliveryLog } from './delivery-log'
import { Chip, EVENT_LABELS, FORMAT_LABELS, StatusBadge, Switch } from './parts'
import type { WebhookPolicies } from './use-webhook-policies'

export function PolicyItem({ policy, base, list, onEdit, onDelete }: { policy: WebhookPolicy; base: string; list: WebhookPolicies; onEdit: () => void; onDelete: () => void }) {
  const logOpen = list.openLogs.includes(policy.id)
  const logId = `webhook-log-${policy.id}`
  return (
    <li className="space-y-3 px-4 py-4" data-testid="webhook-policy" data-name={policy.name}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 flex-1">
          <h3 className="break-all font-semibold text-slate-900">{policy.name}</h3>
          <p className="mt-0.5 break-all font-mono text-xs text-slate-600" data-testid="webhook-target">
            {policy.targetUrl}
          </p>
          {policy.description && <p className="mt-1 text-sm text-slate-600">{policy.description}</p>}
        </div>
        <Switch
          checked={list.toggle.isPending && list.toggle.variables?.id === policy.id ? !policy.enabled : policy.enabled}
          label={`Enabled: ${policy.name}`}
          disabled={list.toggle.isPending && list.toggle.variables?.id === policy.id}
          onChange={() => list.toggle.mutate(policy)}
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
        <Button variant="secondary" className="px-2.5 py-1.5" aria-expanded={logOpen} aria-controls={logId} onClick={() => list.showLog(policy.id, !logOpen)}>
          {logOpen ? 'Hide deliveries' : 'Deliveries'}
        </Button>
        <Button
          variant="secondary"
          className="px-2.5 py-1.5"
          aria-label={`Send test event to ${policy.name}`}
          disabled={list.test.isPending && list.test.variables?.id === policy.id}
          onClick={() => list.test.mutate(policy)}
        >
          {list.test.isPending && list.test.variables?.id === policy.id ? 'Sending…' : 'Send test event'}
        </Button>
        <Button variant="secondary" className="px-2.5 py-1.5" aria-label={`Edit ${policy.name}`} onClick={onEdit}>
          Edit
        </Button>
        <Button variant="ghost" className="px-2.5 py-1.5 text-red-700" aria-label={`Delete ${policy.name}`} onClick={onDelete}>
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
}
