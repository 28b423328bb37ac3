'use client'
// Robot accounts of a project: list (`robot:list`); with `robot:manage` also create (actions, expiry;
// the secret is shown once), disable or enable, delete with confirmation.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import type { CreatedRobot, Robot } from '@/lib/robots/schema'
import { api, apiList, errorMessage } from './api'
import { allows, type Project } from './projects-view'
import { Button, ErrorMessage, SelectField, SuccessMessage, TextField, tableScrollClass } from './ui'
import { ConfirmDialog, CopyButton, LoadingRows, TimeAgo } from './widgets'

const ACTIONS = ['pull', 'push', 'delete'] as const

export function robotLogin(project: string, name: string): string {
  return name.startsWith('robot$') ? name : `robot$${project}+${name}`
}

export function ProjectRobots({ project }: { project: Project }) {
  const queryClient = useQueryClient()
  const base = `/api/v1/projects/${encodeURIComponent(project.name)}/robots`
  const robots = useQuery({ queryKey: ['robots', project.name], queryFn: () => apiList<Robot>(`${base}?page_size=100`) })
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['robots', project.name] })
  const canManage = allows(project, 'robot:manage')
  const [name, setName] = useState('')
  const [actions, setActions] = useState<string[]>(['pull'])
  const [expires, setExpires] = useState('30')
  const [secret, setSecret] = useState<{ login: string; secret: string } | null>(null)
  const [message, setMessage] = useState<string | null>(null)
  const [removing, setRemoving] = useState<Robot | null>(null)

  const create = useMutation({
    mutationFn: async () => (await api<CreatedRobot>(base, { method: 'POST', body: { name: name.trim(), actions, expiresInDays: Number(expires) } })).data,
    onSuccess: async (robot) => {
      setSecret({ login: robotLogin(project.name, robot.name), secret: robot.secret })
      setName('')
      await refresh()
    },
  })
  const toggle = useMutation({
    mutationFn: (robot: Robot) => api(`${base}/${robot.id}`, { method: 'PATCH', body: { disabled: !robot.disabled } }),
    onSuccess: async (_, robot) => {
      setMessage(`${robotLogin(project.name, robot.name)} ${robot.disabled ? 'enabled' : 'disabled'}.`)
      await refresh()
    },
  })
  const remove = useMutation({
    mutationFn: (robot: Robot) => api(`${base}/${robot.id}`, { method: 'DELETE' }),
    onSuccess: async (_, robot) => {
      setMessage(`${robotLogin(project.name, robot.name)} deleted.`)
      setRemoving(null)
      await refresh()
    },
  })

  function submit(event: FormEvent) {
    event.preventDefault()
    setSecret(null)
    setMessage(null)
    create.mutate()
  }

  return (
    <div className={`grid items-start gap-6 ${canManage ? 'lg:grid-cols-[1fr_18rem]' : ''}`}>
      <section aria-labelledby="robots-heading" className="min-w-0 rounded-xl border border-slate-200 bg-white shadow-sm">
        <h2 id="robots-heading" className="border-b border-slate-200 px-4 py-3 text-lg font-semibold">
          Robot accounts
        </h2>
        <div className="space-y-2 px-4 pt-3 empty:hidden">
          {secret && (
            <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="robot-secret">
              <p className="font-medium text-amber-900">Copy the secret of {secret.login} now: it is shown only once.</p>
              <div className="mt-2 flex items-center gap-2">
                <code className="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs">{secret.secret}</code>
                <CopyButton text={secret.secret} label="Copy robot secret" />
              </div>
            </div>
          )}
          <SuccessMessage>{message}</SuccessMessage>
          <ErrorMessage>{toggle.isError ? errorMessage(toggle.error) : null}</ErrorMessage>
        </div>
        {robots.isPending ? (
          <LoadingRows label="Loading robot accounts" />
        ) : robots.isError ? (
          <div className="p-4">
            <ErrorMessage>{errorMessage(robots.error)}</ErrorMessage>
          </div>
        ) : robots.data.items.length === 0 ? (
          <p className="p-4 text-sm text-slate-600">{canManage ? 'No robot accounts. Create one for CI systems that push or pull.' : 'No robot accounts.'}</p>
        ) : (
          <div className={tableScrollClass}>
            <table className="w-full text-left text-sm" data-testid="robot-table">
              <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Name
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Actions
                  </th>
                  <th scope="col" className="whitespace-nowrap px-4 py-2 font-medium">
                    Expires
                  </th>
                  <th scope="col" className="whitespace-nowrap px-4 py-2 font-medium">
                    Last used
                  </th>
                  {canManage && (
                    <th scope="col" className="px-4 py-2 font-medium">
                      <span className="sr-only">Manage</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {robots.data.items.map((robot) => {
                  const login = robotLogin(project.name, robot.name)
                  return (
                    <tr key={robot.id} className="align-top">
                      <td className="px-4 py-2.5">
                        <span className="break-all font-mono text-xs">{login}</span>
                        {(robot.disabled || robot.expired) && (
                          <span className="ml-2 rounded-full bg-slate-200 px-2 py-0.5 text-xs text-slate-700">{robot.disabled ? 'Disabled' : 'Expired'}</span>
                        )}
                      </td>
                      <td className="px-4 py-2.5">{robot.permissions.flatMap((p) => p.actions).join(', ')}</td>
                      <td className="px-4 py-2.5">
                        <TimeAgo value={robot.expiresAt} fallback="Never" />
                      </td>
                      <td className="px-4 py-2.5">
                        <TimeAgo value={robot.lastUsedAt} />
                      </td>
                      {canManage && (
                        <td className="whitespace-nowrap px-4 py-2.5 text-right">
                          <Button variant="ghost" className="px-2 py-1" aria-label={`${robot.disabled ? 'Enable' : 'Disable'} ${login}`} onClick={() => toggle.mutate(robot)}>
                            {robot.disabled ? 'Enable' : 'Disable'}
                          </Button>
                          <Button variant="ghost" className="px-2 py-1 text-red-700" aria-label={`Delete ${login}`} onClick={() => setRemoving(robot)}>
                            Delete
                          </Button>
                        </td>
                      )}
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {canManage && (
        <section aria-labelledby="create-robot-heading" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
          <h2 id="create-robot-heading" className="text-lg font-semibold">
            Create robot account
          </h2>
          <form onSubmit={submit} className="mt-3 space-y-3">
            <TextField label="Robot name" required value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" hint={`Logs in as robot$${project.name}+name.`} />
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
        </section>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={`Delete ${removing ? robotLogin(project.name, removing.name) : ''}?`}
        confirmLabel="Delete robot"
        action={remove}
        onCancel={() => setRemoving(null)}
        onConfirm={() => removing && remove.mutate(removing)}
      >
        <p>Anything that logs in as this robot (CI jobs, servers) stops working at once.</p>
      </ConfirmDialog>
    </div>
  )
}
