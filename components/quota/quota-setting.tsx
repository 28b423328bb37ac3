'use client'
// A project's storage quota in its settings, for system administrators (the API refuses others, as
// Harbor does): a size in MiB or GiB, or no quota.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useSession } from 'next-auth/react'
import { useState, type FormEvent } from 'react'
import { UNLIMITED } from '@/lib/quota/schema'
import { api, errorMessage } from '../api'
import type { Project } from '../projects-view'
import { Button, Card, ErrorMessage, SelectField, SuccessMessage, TextField } from '../ui'
import { StorageUsage } from './storage-usage'

const UNITS = { MiB: 1024 ** 2, GiB: 1024 ** 3 } as const
type Unit = keyof typeof UNITS

/** The limit in the largest unit that shows it whole (GiB when it is a whole number of them). */
function initialOf(limit: number): { amount: string; unit: Unit } {
  if (limit < 0) return { amount: '', unit: 'GiB' }
  if (limit % UNITS.GiB === 0) return { amount: String(limit / UNITS.GiB), unit: 'GiB' }
  return { amount: String(Math.round((limit / UNITS.MiB) * 100) / 100), unit: 'MiB' }
}

export function QuotaSetting({ project }: { project: Project }) {
  const { data: session } = useSession()
  const queryClient = useQueryClient()
  const initial = initialOf(project.storageLimit)
  const [unlimited, setUnlimited] = useState(project.storageLimit < 0)
  const [notice, setNotice] = useState<string | null>(null)
  const [invalidInput, setInvalidInput] = useState<string | null>(null)
  const update = useMutation({
    mutationFn: async (storageLimit: number) => (await api<Project>(`/api/v1/projects/${encodeURIComponent(project.name)}`, { method: 'PATCH', body: { storageLimit } })).data,
    onSuccess: async (data) => {
      setNotice(
        data.storageLimit < 0
          ? `${project.name} has no storage quota now.`
          : `The storage quota of ${project.name} is now ${initialOf(data.storageLimit).amount} ${initialOf(data.storageLimit).unit}.`,
      )
      await queryClient.invalidateQueries({ queryKey: ['project', project.name] })
      await queryClient.invalidateQueries({ queryKey: ['projects'] })
    },
  })
  if (!session?.user?.isAdmin) return null

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    setNotice(null)
    setInvalidInput(null)
    if (unlimited) return update.mutate(UNLIMITED)
    const form = new FormData(event.currentTarget)
    const amount = Number(form.get('amount'))
    const unit = form.get('unit') as Unit
    if (!Number.isFinite(amount) || amount < 0 || String(form.get('amount')).trim() === '') {
      setInvalidInput('Give the quota as a number of MiB or GiB (0 or more), or choose no quota.')
      return
    }
    update.mutate(Math.round(amount * UNITS[unit]))
  }

  return (
    <Card title="Storage quota" headingId="quota-heading" description="Pushes that would take the project over its quota are refused. Only system administrators change it.">
      <p className="mb-3 text-sm">
        <span className="text-slate-500">In use: </span>
        <StorageUsage used={project.storageUsed} limit={project.storageLimit} />
      </p>
      <form onSubmit={submit} className="space-y-3" aria-labelledby="quota-heading">
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={unlimited} onChange={(event) => setUnlimited(event.target.checked)} />
          No quota (unlimited)
        </label>
        <div className="flex flex-wrap items-end gap-3">
          <div className="w-40">
            <TextField label="Quota" name="amount" type="number" min={0} step="any" defaultValue={initial.amount} disabled={unlimited} />
          </div>
          <div className="w-28">
            <SelectField label="Unit" name="unit" defaultValue={initial.unit} disabled={unlimited}>
              <option value="MiB">MiB</option>
              <option value="GiB">GiB</option>
            </SelectField>
          </div>
          <Button type="submit" disabled={update.isPending}>
            Save quota
          </Button>
        </div>
        <ErrorMessage testId="quota-error">{invalidInput ?? (update.isError ? errorMessage(update.error) : null)}</ErrorMessage>
        <SuccessMessage>{notice}</SuccessMessage>
      </form>
    </Card>
  )
}
