'use client'
// Project members: list (read-only without `member:manage`), add by username with a role, change a
// role, remove (confirmed).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import type { Member } from '@/lib/members/schema'
import { api, apiList, errorMessage } from './api'
import { ROLE_NAMES, allows, type Project } from './projects-view'
import { Button, ErrorMessage, SelectField, SuccessMessage, TextField } from './ui'
import { ConfirmDialog, LoadingRows } from './widgets'

const ROLES = Object.keys(ROLE_NAMES)

export function ProjectMembers({ project }: { project: Project }) {
  const queryClient = useQueryClient()
  const base = `/api/v1/projects/${encodeURIComponent(project.name)}/members`
  const members = useQuery({ queryKey: ['members', project.name], queryFn: () => apiList<Member>(`${base}?page_size=100`) })
  const canManage = allows(project, 'member:manage')
  const [username, setUsername] = useState('')
  const [role, setRole] = useState('developer')
  const [message, setMessage] = useState<string | null>(null)
  const [removing, setRemoving] = useState<Member | null>(null)
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['members', project.name] })

  const add = useMutation({
    mutationFn: () => api(base, { method: 'POST', body: { username: username.trim(), role } }),
    onSuccess: async () => {
      setMessage(`${username.trim()} added as ${ROLE_NAMES[role]}.`)
      setUsername('')
      await refresh()
    },
  })
  const change = useMutation({
    mutationFn: (input: { username: string; role: string }) => api(`${base}/${encodeURIComponent(input.username)}`, { method: 'PATCH', body: { role: input.role } }),
    onSuccess: async (_, input) => {
      setMessage(`${input.username} is now ${ROLE_NAMES[input.role]}.`)
      await refresh()
    },
  })
  const remove = useMutation({
    mutationFn: (member: Member) => api(`${base}/${encodeURIComponent(member.username)}`, { method: 'DELETE' }),
    onSuccess: async (_, member) => {
      setMessage(`${member.username} removed from ${project.name}.`)
      setRemoving(null)
      await refresh()
    },
  })

  function submit(event: FormEvent) {
    event.preventDefault()
    setMessage(null)
    add.mutate()
  }

  return (
    <div className={`grid items-start gap-6 ${canManage ? 'lg:grid-cols-[1fr_18rem]' : ''}`}>
      <section aria-labelledby="members-heading" className="min-w-0 rounded-xl border border-slate-200 bg-white shadow-sm">
        <h2 id="members-heading" className="border-b border-slate-200 px-4 py-3 text-lg font-semibold">
          Members
        </h2>
        <div className="space-y-2 px-4 pt-3 empty:hidden">
          <SuccessMessage>{message}</SuccessMessage>
          <ErrorMessage testId="member-error">{change.isError ? errorMessage(change.error) : null}</ErrorMessage>
        </div>
        {members.isPending ? (
          <LoadingRows label="Loading members" />
        ) : members.isError ? (
          <div className="p-4">
            <ErrorMessage>{errorMessage(members.error)}</ErrorMessage>
          </div>
        ) : (
          <ul className="divide-y divide-slate-100" data-testid="member-list">
            {members.data.items.map((member) => (
              <li key={member.username} className="flex flex-wrap items-center gap-3 px-4 py-2.5">
                <span className="mr-auto font-medium">{member.username}</span>
                {canManage ? (
                  <>
                    <label className="sr-only" htmlFor={`role-${member.username}`}>
                      Role of {member.username}
                    </label>
                    <select
                      id={`role-${member.username}`}
                      value={member.role}
                      disabled={change.isPending}
                      onChange={(event) => {
                        setMessage(null)
                        change.mutate({ username: member.username, role: event.target.value })
                      }}
                      className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
                    >
                      {ROLES.map((value) => (
                        <option key={value} value={value}>
                          {ROLE_NAMES[value]}
                        </option>
                      ))}
                    </select>
                    <Button variant="ghost" aria-label={`Remove ${member.username}`} onClick={() => setRemoving(member)}>
                      Remove
                    </Button>
                  </>
                ) : (
                  <span className="text-sm text-slate-600">{ROLE_NAMES[member.role] ?? member.role}</span>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      {canManage && (
        <section aria-labelledby="add-member-heading" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
          <h2 id="add-member-heading" className="text-lg font-semibold">
            Add member
          </h2>
          <form onSubmit={submit} className="mt-3 space-y-3">
            <TextField label="Username" required value={username} onChange={(event) => setUsername(event.target.value)} autoComplete="off" />
            <SelectField label="Role" value={role} onChange={(event) => setRole(event.target.value)}>
              {ROLES.map((value) => (
                <option key={value} value={value}>
                  {ROLE_NAMES[value]}
                </option>
              ))}
            </SelectField>
            <ErrorMessage testId="add-member-error">{add.isError ? errorMessage(add.error) : null}</ErrorMessage>
            <Button type="submit" disabled={add.isPending || !username.trim()}>
              {add.isPending ? 'Adding…' : 'Add member'}
            </Button>
          </form>
        </section>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.username ?? ''}?`}
        confirmLabel="Remove member"
        action={remove}
        onCancel={() => setRemoving(null)}
        onConfirm={() => removing && remove.mutate(removing)}
      >
        <p>
          <strong>{removing?.username}</strong> will lose their role ({removing ? (ROLE_NAMES[removing.role] ?? removing.role) : ''}) in {project.name}.
        </p>
      </ConfirmDialog>
    </div>
  )
}
