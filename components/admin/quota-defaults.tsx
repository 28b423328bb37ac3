'use client'
// The system's quota settings: the storage quota new projects get, and the share of a quota at which
// QUOTA_WARNING fires.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import type { z } from 'zod'
import type { settingsSchema } from '@/lib/settings/schema'
import { UNLIMITED, formatLimit } from '@/lib/quota/schema'
import { api, errorMessage } from '../api'
import { Button, Card, ErrorMessage, SuccessMessage, TextField } from '../ui'

type Settings = z.infer<typeof settingsSchema>
const GiB = 1024 ** 3

export function QuotaDefaults() {
  const queryClient = useQueryClient()
  const settings = useQuery({ queryKey: ['settings'], queryFn: async () => (await api<Settings>('/api/v1/settings')).data })
  const [notice, setNotice] = useState<string | null>(null)
  const update = useMutation({
    mutationFn: async (body: Pick<Settings, 'defaultStorageLimit' | 'quotaWarningPercent'>) => (await api<Settings>('/api/v1/settings', { method: 'PUT', body })).data,
    onSuccess: (data) => {
      queryClient.setQueryData(['settings'], data)
      setNotice(`New projects get ${formatLimit(data.defaultStorageLimit)}; QUOTA_WARNING fires at ${data.quotaWarningPercent}%.`)
    },
  })
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    setNotice(null)
    const form = new FormData(event.currentTarget)
    const gib = String(form.get('defaultGiB')).trim()
    update.mutate({ defaultStorageLimit: gib === '' ? UNLIMITED : Math.round(Number(gib) * GiB), quotaWarningPercent: Number(form.get('warningPercent')) })
  }
  return (
    <Card title="Storage quotas" headingId="quota-defaults-heading" description="Each project's own quota is set in its settings.">
      {settings.isPending ? (
        <div className="h-14 animate-pulse rounded bg-slate-100" role="status" aria-label="Loading quota settings" />
      ) : settings.isError ? (
        <ErrorMessage>{errorMessage(settings.error)}</ErrorMessage>
      ) : (
        <form onSubmit={submit} className="space-y-3" aria-labelledby="quota-defaults-heading">
          <div className="flex flex-wrap items-end gap-3">
            <div className="w-56">
              <TextField
                label="Quota of new projects (GiB)"
                name="defaultGiB"
                type="number"
                min={0}
                step="any"
                placeholder="unlimited"
                defaultValue={settings.data.defaultStorageLimit < 0 ? '' : String(settings.data.defaultStorageLimit / GiB)}
              />
            </div>
            <div className="w-44">
              <TextField label="Warning at (%)" name="warningPercent" type="number" min={1} max={100} defaultValue={String(settings.data.quotaWarningPercent)} />
            </div>
            <Button type="submit" disabled={update.isPending}>
              Save
            </Button>
          </div>
          <p className="text-sm text-slate-600">Leave the quota empty for unlimited.</p>
          {update.isError ? <ErrorMessage>{errorMessage(update.error)}</ErrorMessage> : <SuccessMessage>{notice}</SuccessMessage>}
        </form>
      )}
    </Card>
  )
}
