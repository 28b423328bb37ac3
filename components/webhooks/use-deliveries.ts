'use client'
// A policy's deliveries a page at a time (optionally of one status), refreshed every 2 s while any on
// screen is pending, and redelivering one.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import type { WebhookDelivery as Delivery } from '@/lib/webhooks/schema'
import { api, apiList, errorMessage } from '../api'

export const LOG_PAGE_SIZE = 10
export const STATUS_FILTERS = [
  { id: 'all', label: 'All' },
  { id: 'pending', label: 'Pending' },
  { id: 'delivered', label: 'Delivered' },
  { id: 'failed', label: 'Failed' },
] as const
export type StatusFilter = (typeof STATUS_FILTERS)[number]['id']

/** `base` is the policy's API path. */
export function useDeliveries(base: string, status: StatusFilter, page: number) {
  const queryClient = useQueryClient()
  const deliveries = useQuery({
    queryKey: ['webhook-deliveries', base, status, page],
    queryFn: () => {
      const params = new URLSearchParams({ page: String(page), page_size: String(LOG_PAGE_SIZE) })
      if (status !== 'all') params.set('status', status)
      return apiList<Delivery>(`${base}/deliveries?${params}`)
    },
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.items.some((d) => d.status === 'pending') ? 2000 : false),
  })
  // The policy list shows each policy's last delivery: refresh it whenever the log has news.
  const logUpdatedAt = deliveries.dataUpdatedAt
  useEffect(() => {
    if (logUpdatedAt) void queryClient.invalidateQueries({ queryKey: ['webhooks'] })
  }, [logUpdatedAt, queryClient])
  return deliveries
}

/** Redelivers one delivery (as a new one at the top of the log); `error` says why it could not. */
export function useRedeliver(base: string) {
  const queryClient = useQueryClient()
  const [error, setError] = useState<string | null>(null)
  const redeliver = useMutation({
    mutationFn: async (delivery: Delivery) => (await api<Delivery>(`${base}/deliveries/${delivery.id}/redeliver`, { method: 'POST' })).data,
    onMutate: () => setError(null),
    onError: (failure) => setError(errorMessage(failure)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['webhook-deliveries', base] }),
  })
  return { redeliver, error }
}

export type Redeliver = ReturnType<typeof useRedeliver>['redeliver']
