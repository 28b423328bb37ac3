'use client'
// The webhook policies of one scope and what the list does to them: enable/disable, send a test event,
// delete. Each action says what it did in `notice`; a test opens the policy's delivery log.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { WebhookDelivery as Delivery, WebhookPolicy } from '@/lib/webhooks/schema'
import { api, apiList, errorMessage } from '../api'

export function useWebhookPolicies(base: string, onRemoved: (policy: WebhookPolicy) => void) {
  const queryClient = useQueryClient()
  const listKey = ['webhooks', base]
  const policies = useQuery({ queryKey: listKey, queryFn: () => apiList<WebhookPolicy>(`${base}?page_size=100`) })
  const refresh = () => queryClient.invalidateQueries({ queryKey: listKey })
  const [notice, setNotice] = useState<string | null>(null)
  const [openLogs, setOpenLogs] = useState<number[]>([])
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
      onRemoved(policy)
      await refresh()
    },
  })
  const actionError = toggle.isError ? errorMessage(toggle.error) : test.isError ? errorMessage(test.error) : null
  return { policies, refresh, notice, setNotice, openLogs, showLog, toggle, test, remove, actionError }
}

export type WebhookPolicies = ReturnType<typeof useWebhookPolicies>
