'use client'
// The form beside a project's robot accounts that creates one (name, allowed actions, expiry).
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import type { CreatedRobot } from '@/lib/robots/schema'
import { api, errorMessage } from '../api'
import { FormPanel } from '../panel'
import { Button, ErrorMessage, SelectField, TextField } from '../ui'
import { robotLogin } from './robot-login'

const ACTIONS = ['pull', 'push', 'delete'] as const

/** `onSubmit` runs as the form is sent, `onCreated` with the new robot's login and its secret. */
export function CreateRobotForm({ project, onSubmit, onCreated }: { project: string; onSubmit: () => void; onCreated: (robot: { login: string; secret: string }) => void }) {
  const queryClient = useQueryClient()
  const [name, setName] = useState('')
  const [actions, setActions] = useState<string[]>(['pull'])
  const [expires, setExpires] = useState('30')
  const create = useMutation({
    mutationFn: async () =>
      (await api<CreatedRobot>(`/api/v1/projects/${encodeURIComponent(project)}/robots`, { method: 'POST', body: { name: name.trim(), actions, expiresInDays: Number(expires) } }))
        .data,
    onSuccess: async (robot) => {
      onCreated({ login: robotLogin(project, robot.name), secret: robot.secret })
      setName('')
      await queryClient.invalidateQueries({ queryKey: ['robots', project] })
    },
  })

  function submit(event: FormEvent) {
    event.preventDefault()
    onSubmit()
    create.mutate()
  }

  return (
    <FormPanel title="Create robot account" headingId="create-robot-heading">
      <form onSubmit={submit} className="space-y-3">
        <TextField label="Robot name" required value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" hint={`Logs in as robot$${project}+name.`} />
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">Allowed actions</legend>
          <div className="mt-1 flex flex-wrap gap-4">
            {ACTIONS.map((action) => (
              <label key={action} className="flex items-center gap-1.5 text-sm">
                <input
                  type="checkbox"
                  checked={actions.includes(action)}
                  onChange={(e) => setActions((current) => (e.target.checked ? [...current, action] : current.filter((a) => a !== action)))}
                />
                {action}
              </label>
            ))}
          </div>
        </fieldset>
        <SelectField label="Robot expires after" value={expires} onChange={(e) => setExpires(e.target.value)}>
          <option value="7">7 days</option>
          <option value="30">30 days</option>
          <option value="90">90 days</option>
          <option value="365">1 year</option>
          <option value="-1">Never</option>
        </SelectField>
        <ErrorMessage testId="create-robot-error">{create.isError ? errorMessage(create.error) : null}</ErrorMessage>
        <Button type="submit" disabled={create.isPending || !name.trim() || actions.length === 0}>
          {create.isPending ? 'Creating…' : 'Create robot'}
        </Button>
      </form>
    </FormPanel>
  )
}
