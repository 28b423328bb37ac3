'use client'
// What the webhook form edits, and saving it: POST for a new policy, PATCH for an existing one.
import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { SUBSCRIBABLE_EVENT_TYPES, type SubscribableEventType } from '@/lib/webhooks/event-types'
import type { WebhookPolicy } from '@/lib/webhooks/schema'
import { api } from '../api'
import type { Format } from './parts'

export interface WebhookDraft {
  name: string
  description: string
  targetUrl: string
  eventTypes: SubscribableEventType[]
  format: Format
  enabled: boolean
  repositoryFilter: string
  tagFilter: string
  /** Write-only: typed to set, `clearAuth` to remove, neither to keep. */
  authHeader: string
  clearAuth: boolean
  /** Write-only like the Authorization header. */
  secret: string
  clearSecret: boolean
}

function draftOf(policy: WebhookPolicy | null): WebhookDraft {
  return {
    name: policy?.name ?? '',
    description: policy?.description ?? '',
    targetUrl: policy?.targetUrl ?? '',
    eventTypes: policy?.eventTypes ?? ['PUSH_ARTIFACT'],
    format: policy?.format ?? 'default',
    enabled: policy?.enabled ?? true,
    repositoryFilter: policy?.repositoryFilter ?? '',
    tagFilter: policy?.tagFilter ?? '',
    authHeader: '',
    clearAuth: false,
    secret: '',
    clearSecret: false,
  }
}

function requestBody(draft: WebhookDraft): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: draft.name.trim(),
    description: draft.description,
    targetUrl: draft.targetUrl.trim(),
    eventTypes: SUBSCRIBABLE_EVENT_TYPES.filter((type) => draft.eventTypes.includes(type)),
    format: draft.format,
    enabled: draft.enabled,
    repositoryFilter: draft.repositoryFilter.trim() || null,
    tagFilter: draft.tagFilter.trim() || null,
  }
  // Write-only values: sent when typed, null to remove, left out to keep.
  if (draft.authHeader) body.authHeader = draft.authHeader
  else if (draft.clearAuth) body.authHeader = null
  if (draft.secret) body.secret = draft.secret
  else if (draft.clearSecret) body.secret = null
  return body
}

/** The draft of `policy` (a new one when null), `change` to edit it, and `save`. */
export function useWebhookForm(base: string, policy: WebhookPolicy | null, onSaved: (policy: WebhookPolicy, created: boolean) => void) {
  const [draft, setDraft] = useState(() => draftOf(policy))
  const change = (patch: Partial<WebhookDraft>) => setDraft((current) => ({ ...current, ...patch }))
  const save = useMutation({
    mutationFn: async () => {
      const body = requestBody(draft)
      return policy ? (await api<WebhookPolicy>(`${base}/${policy.id}`, { method: 'PATCH', body })).data : (await api<WebhookPolicy>(base, { method: 'POST', body })).data
    },
    onSuccess: (saved) => onSaved(saved, policy === null),
  })
  return { draft, change, save }
}
