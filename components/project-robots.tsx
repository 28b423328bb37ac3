'use client'
// Robot accounts of a project: list (`robot:list`); with `robot:manage` also create
// (./robots/create-robot-form; the secret is shown once), disable or enable, delete with confirmation.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { Robot } from '@/lib/robots/schema'
import { api, apiList, errorMessage } from './api'
import { DataTable, EmptyNote, QueryList, type Column } from './data-table'
import { Panel } from './panel'
import { allows, type Project } from './projects-view'
import { CreateRobotForm } from './robots/create-robot-form'
import { robotLogin } from './robots/robot-login'
import { SecretReveal } from './secret-reveal'
import { Button, ErrorMessage, SuccessMessage } from './ui'
import { ConfirmDialog, TimeAgo } from './widgets'

const COLUMNS: Column[] = [
  { label: 'Name' },
  { label: 'Actions' },
  { label: 'Expires', className: 'whitespace-nowrap px-4 py-2' },
  { label: 'Last used', className: 'whitespace-nowrap px-4 py-2' },
]
const MANAGE_COLUMN: Column = { label: 'Manage', hidden: true }

export function ProjectRobots({ project }: { project: Project }) {
  const queryClient = useQueryClient()
  const base = `/api/v1/projects/${encodeURIComponent(project.name)}/robots`
  const robots = useQuery({ queryKey: ['robots', project.name], queryFn: () => apiList<Robot>(`${base}?page_size=100`) })
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['robots', project.name] })
  const canManage = allows(project, 'robot:manage')
  const [secret, setSecret] = useState<{ login: string; secret: string } | null>(null)
  const [message, setMessage] = useState<string | null>(null)
  const [removing, setRemoving] = useState<Robot | null>(null)

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

  return (
    <div className={`grid items-start gap-6 ${canManage ? 'lg:grid-cols-[1fr_18rem]' : ''}`}>
      <Panel title="Robot accounts" headingId="robots-heading">
        <div className="space-y-2 px-4 pt-3 empty:hidden">
          {secret && (
            <SecretReveal
              title={`Robot account ${secret.login} created`}
              secret={secret.secret}
              label="Robot secret"
              ifLost="create a new robot account"
              testId="robot-secret"
              onDismiss={() => setSecret(null)}
            />
          )}
          <SuccessMessage>{message}</SuccessMessage>
          <ErrorMessage>{toggle.isError ? errorMessage(toggle.error) : null}</ErrorMessage>
        </div>
        <QueryList
          query={robots}
          loadingLabel="Loading robot accounts"
          empty={<EmptyNote>{canManage ? 'No robot accounts. Create one for CI systems that push or pull.' : 'No robot accounts.'}</EmptyNote>}
        >
          {({ items }) => (
            <DataTable columns={canManage ? [...COLUMNS, MANAGE_COLUMN] : COLUMNS} testId="robot-table">
              {items.map((robot) => {
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
            </DataTable>
          )}
        </QueryList>
      </Panel>
      {canManage && (
        <CreateRobotForm
          project={project.name}
          onSubmit={() => {
            setSecret(null)
            setMessage(null)
          }}
          onCreated={setSecret}
        />
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
