'use client'
// The "sign-up enabled" switch: whether anyone may create an account, or only administrators.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { z } from 'zod'
import type { settingsSchema } from '@/lib/settings/schema'
import { api, errorMessage } from '../api'
import { Card, ErrorMessage, SuccessMessage, focusRing } from '../ui'

type Settings = z.infer<typeof settingsSchema>

export function SignupSetting() {
  const queryClient = useQueryClient()
  const settings = useQuery({ queryKey: ['settings'], queryFn: async () => (await api<Settings>('/api/v1/settings')).data })
  const [notice, setNotice] = useState<string | null>(null)
  const update = useMutation({
    mutationFn: async (signupEnabled: boolean) => (await api<Settings>('/api/v1/settings', { method: 'PUT', body: { signupEnabled } })).data,
    onSuccess: (data) => {
      queryClient.setQueryData(['settings'], data)
      setNotice(data.signupEnabled ? 'Sign-up is now open: anyone can create an account.' : 'Sign-up is now closed: only administrators can create accounts.')
    },
  })
  const enabled = update.isPending ? update.variables : settings.data?.signupEnabled
  return (
    <Card title="Settings" headingId="settings-heading">
      {settings.isPending ? (
        <div className="h-14 animate-pulse rounded bg-slate-100" role="status" aria-label="Loading settings" />
      ) : settings.isError ? (
        <ErrorMessage>{errorMessage(settings.error)}</ErrorMessage>
      ) : (
        <div className="space-y-3">
          <div className="flex items-start justify-between gap-4">
            <div>
              <p id="signup-label" className="text-sm font-medium text-slate-900">
                Sign-up enabled
              </p>
              <p id="signup-hint" className="mt-0.5 text-sm text-slate-600">
                When off, the sign-up page and <code className="rounded bg-slate-100 px-1">POST /api/v1/users</code> refuse new accounts.
              </p>
            </div>
            <button
              type="button"
              role="switch"
              aria-checked={Boolean(enabled)}
              aria-labelledby="signup-label"
              aria-describedby="signup-hint"
              disabled={update.isPending}
              onClick={() => {
                setNotice(null)
                update.mutate(!settings.data?.signupEnabled)
              }}
              className={`relative inline-flex h-6 w-11 shrink-0 items-center rounded-full transition-colors disabled:opacity-60 ${focusRing} ${enabled ? 'bg-sky-700' : 'bg-slate-300'}`}
            >
              <span aria-hidden="true" className={`inline-block h-5 w-5 rounded-full bg-white shadow transition-transform ${enabled ? 'translate-x-5' : 'translate-x-0.5'}`} />
            </button>
          </div>
          {update.isError ? <ErrorMessage>{errorMessage(update.error)}</ErrorMessage> : <SuccessMessage>{notice}</SuccessMessage>}
        </div>
      )}
    </Card>
  )
}
