'use client'
// The administration page (system admins only): users with search and paging, creating users, and per
// user the admin role, disabling, a password reset, ending their sessions and deletion; the
// "sign-up enabled" switch and a link to the system webhooks (/admin/webhooks). The API refuses non-admins anyway; this page just says so first.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useSession } from 'next-auth/react'
import Link from 'next/link'
import { useEffect, useState } from 'react'
import type { z } from 'zod'
import type { settingsSchema } from '@/lib/settings/schema'
import type { User as AdminUser } from '@/lib/users/schema'
import { api, ApiError, errorMessage } from './api'
import { Button, Card, ErrorMessage, SuccessMessage, TextField, focusRing, inputClass, tableScrollClass } from './ui'
import { ConfirmDialog, LoadingRows, Pagination, TimeAgo } from './widgets'
import { RegistriesSection } from './registries'

type Settings = z.infer<typeof settingsSchema>

const PAGE_SIZE = 20

async function fetchUsers(q: string, page: number): Promise<{ items: AdminUser[]; total: number }> {
  const params = new URLSearchParams({ page: String(page), page_size: String(PAGE_SIZE) })
  if (q) params.set('q', q)
  const { data, headers } = await api<AdminUser[] | { items: AdminUser[] }>(`/api/v1/users?${params}`)
  const items = Array.isArray(data) ? data : (data?.items ?? [])
  const total = Number(headers.get('x-total-count') ?? items.length)
  return { items, total: Number.isFinite(total) ? total : items.length }
}

export function AdminsOnly({ title = 'Administration' }: { title?: string }) {
  return (
    <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10">
      <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">{title}</h1>
      <div role="alert" data-testid="admin-forbidden" className="mt-6 rounded-xl border border-amber-200 bg-amber-50 px-5 py-4 text-amber-900">
        <p className="font-medium">This page is for system administrators only.</p>
        <p className="mt-1 text-sm">Ask an administrator of this registry if you need to manage users or settings.</p>
      </div>
    </main>
  )
}

export function AdminView() {
  const { data: session, status } = useSession()
  if (status === 'loading') return <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10" aria-busy="true" />
  if (!session?.user?.isAdmin) return <AdminsOnly />
  return (
    <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10">
      <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">Administration</h1>
      <p className="mt-2 text-slate-600">Users of this registry and system settings. Changes are recorded in the audit log.</p>
      <div className="mt-8 space-y-6">
        <SignupSetting />
        <Card title="System webhooks" headingId="system-webhooks-heading" description="Webhooks that receive events from every project, for registry-wide CI, audit or mirroring.">
          <Link
            href="/admin/webhooks"
            className={`inline-flex rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100 ${focusRing}`}
          >
            Manage system webhooks
          </Link>
        </Card>
        <RegistriesSection />
        <CreateUser />
        <UsersTable me={session.user.name} />
      </div>
    </main>
  )
}

function SignupSetting() {
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

/** POST /api/v1/users as an administrator: works also when public sign-up is off. */
function CreateUser() {
  const queryClient = useQueryClient()
  const create = useMutation({
    mutationFn: async (input: { username: string; email: string; password: string }) => (await api<AdminUser>('/api/v1/users', { method: 'POST', body: input })).data,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['admin-users'] }),
  })
  return (
    <Card title="Create a user" headingId="create-user-heading" description="The account gets its personal project, like a sign-up. Works also when sign-up is off.">
      <form
        className="grid gap-4 sm:grid-cols-3"
        onSubmit={(event) => {
          event.preventDefault()
          const formElement = event.currentTarget
          const form = new FormData(formElement)
          create.mutate(
            { username: String(form.get('username') ?? '').trim(), email: String(form.get('email') ?? '').trim(), password: String(form.get('password') ?? '') },
            { onSuccess: () => formElement.reset() },
          )
        }}
      >
        <TextField label="New username" name="username" autoComplete="off" autoCapitalize="none" spellCheck={false} required />
        <TextField label="New user's email" name="email" type="email" autoComplete="off" required />
        <TextField
          label="Initial password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          hint="At least 12 characters, not a common password."
        />
        <div className="sm:col-span-3">
          <ErrorMessage testId="create-user-error">{create.isError ? errorMessage(create.error) : null}</ErrorMessage>
          <SuccessMessage>{create.isSuccess ? `Created ${create.data.username}.` : null}</SuccessMessage>
          <Button type="submit" disabled={create.isPending} className="mt-2">
            {create.isPending ? 'Creating…' : 'Create user'}
          </Button>
        </div>
      </form>
    </Card>
  )
}

type UserAction = 'admin' | 'disable' | 'sessions' | 'reset' | 'delete'

/** What each action asks, does and reports. */
function describeAction(kind: UserAction, user: AdminUser, me: string) {
  const own = user.username === me ? ' This is your own account.' : ''
  switch (kind) {
    case 'admin':
      return user.isAdmin
        ? {
            label: 'Revoke admin',
            aria: `Revoke admin from ${user.username}`,
            title: `Revoke admin from ${user.username}?`,
            done: `${user.username} is no longer a system administrator.`,
            text: `${user.username} will lose access to this page, to all projects they are not a member of, and to system settings.${own}`,
          }
        : {
            label: 'Make admin',
            aria: `Make ${user.username} admin`,
            title: `Make ${user.username} a system administrator?`,
            done: `${user.username} is now a system administrator.`,
            text: `${user.username} will be able to read and change every project, manage users and change system settings.`,
          }
    case 'disable':
      return user.disabled
        ? {
            label: 'Enable',
            aria: `Enable ${user.username}`,
            title: `Enable ${user.username}?`,
            done: `${user.username} can sign in again.`,
            text: `${user.username} will be able to sign in and use their access tokens again.`,
          }
        : {
            label: 'Disable',
            aria: `Disable ${user.username}`,
            title: `Disable ${user.username}?`,
            done: `${user.username} is disabled and signed out everywhere.`,
            text: `${user.username} is signed out at once and cannot sign in, use access tokens or push and pull until enabled again.${own}`,
          }
    case 'sessions':
      return {
        label: 'End sessions',
        aria: `End sessions of ${user.username}`,
        title: `End all sessions of ${user.username}?`,
        done: `All sessions of ${user.username} ended.`,
        text: `${user.username} is signed out in every browser. Their password and access tokens keep working.${own}`,
      }
    case 'reset':
      return {
        label: 'Reset password',
        aria: `Reset password of ${user.username}`,
        title: `Set a new password for ${user.username}`,
        done: `New password set for ${user.username}; their sessions ended.`,
        text: `The old password stops working and ${user.username} is signed out everywhere. Tell them the new password.`,
      }
    case 'delete':
      return {
        label: 'Delete',
        aria: `Delete ${user.username}`,
        title: `Delete ${user.username}?`,
        done: `${user.username} was deleted.`,
        text: `The account, its memberships and access tokens are deleted. The personal project ${user.username} and its images stay, managed by system administrators.${own}`,
      }
  }
}

function UsersTable({ me }: { me: string }) {
  const queryClient = useQueryClient()
  const [search, setSearch] = useState('')
  const [q, setQ] = useState('')
  const [page, setPage] = useState(1)
  const [target, setTarget] = useState<{ user: AdminUser; kind: UserAction } | null>(null)
  const [newPassword, setNewPassword] = useState('')
  const [notice, setNotice] = useState<string | null>(null)

  // Search as you type, debounced.
  useEffect(() => {
    const timer = setTimeout(() => {
      setQ(search.trim())
      setPage(1)
    }, 250)
    return () => clearTimeout(timer)
  }, [search])

  const users = useQuery({ queryKey: ['admin-users', q, page], queryFn: () => fetchUsers(q, page), placeholderData: (previous) => previous })
  const act = useMutation({
    mutationFn: async ({ user, kind }: { user: AdminUser; kind: UserAction }) => {
      const path = `/api/v1/users/${encodeURIComponent(user.username)}`
      if (kind === 'delete') await api(path, { method: 'DELETE' })
      else if (kind === 'sessions') await api(`${path}/sessions`, { method: 'DELETE' })
      else {
        const body = kind === 'admin' ? { isAdmin: !user.isAdmin } : kind === 'disable' ? { disabled: !user.disabled } : { password: newPassword }
        await api(path, { method: 'PATCH', body })
      }
      return describeAction(kind, user, me).done
    },
    onSuccess: (done) => {
      setTarget(null)
      setNewPassword('')
      setNotice(done)
      void queryClient.invalidateQueries({ queryKey: ['admin-users'] })
    },
  })

  const forbidden = users.error instanceof ApiError && users.error.status === 403

  return (
    <section aria-labelledby="users-heading" className="rounded-xl border border-slate-200 bg-white shadow-sm">
      <div className="flex flex-wrap items-end justify-between gap-3 border-b border-slate-200 px-5 py-4">
        <h2 id="users-heading" className="text-lg font-semibold">
          Users
        </h2>
        <div className="w-full sm:w-72">
          <label htmlFor="user-search" className="sr-only">
            Search users
          </label>
          <input
            id="user-search"
            type="search"
            placeholder="Search by username or email"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            className={`${inputClass} mt-0`}
          />
        </div>
      </div>
      {notice && (
        <div className="px-5 py-3">
          <SuccessMessage>{notice}</SuccessMessage>
        </div>
      )}
      {users.isPending ? (
        <LoadingRows rows={5} label="Loading users" />
      ) : users.isError ? (
        <div className="px-5 py-6">
          <ErrorMessage testId="users-error">{forbidden ? 'Only system administrators may list users.' : errorMessage(users.error)}</ErrorMessage>
        </div>
      ) : users.data.items.length === 0 ? (
        <p className="px-5 py-8 text-center text-sm text-slate-500">{q ? `No user matches “${q}”.` : 'No users yet.'}</p>
      ) : (
        <>
          <div className={tableScrollClass}>
            <table className="w-full text-left text-sm" data-testid="users-table">
              <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-5 py-2.5 font-medium">
                    Username
                  </th>
                  <th scope="col" className="px-3 py-2.5 font-medium">
                    Email
                  </th>
                  <th scope="col" className="px-3 py-2.5 font-medium">
                    Created
                  </th>
                  <th scope="col" className="px-3 py-2.5 font-medium">
                    Last login
                  </th>
                  <th scope="col" className="px-5 py-2.5 text-right font-medium">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {users.data.items.map((user) => (
                  <tr key={user.id} className="align-middle">
                    <td className="px-5 py-3">
                      <span className="font-medium text-slate-900">{user.username}</span>
                      {user.username === me && <span className="ml-1.5 text-xs text-slate-500">(you)</span>}
                      {user.isAdmin && <span className="ml-2 inline-flex items-center rounded-full bg-violet-100 px-2 py-0.5 text-xs font-medium text-violet-800">Admin</span>}
                      {user.disabled && <span className="ml-2 inline-flex items-center rounded-full bg-slate-200 px-2 py-0.5 text-xs font-medium text-slate-700">Disabled</span>}
                    </td>
                    <td className="max-w-[16rem] truncate px-3 py-3 text-slate-600" title={user.email ?? undefined}>
                      {user.email ?? <span className="text-slate-400">—</span>}
                    </td>
                    <td className="px-3 py-3 text-slate-600">
                      <TimeAgo value={user.createdAt} />
                    </td>
                    <td className="px-3 py-3 text-slate-600">
                      <TimeAgo value={user.lastLoginAt} />
                    </td>
                    <td className="px-5 py-3">
                      <div className="flex flex-wrap justify-end gap-1.5">
                        {(['admin', 'disable', 'reset', 'sessions', 'delete'] as const).map((kind) => (
                          <button
                            key={kind}
                            type="button"
                            onClick={() => {
                              setNotice(null)
                              setNewPassword('')
                              setTarget({ user, kind })
                            }}
                            aria-label={describeAction(kind, user, me).aria}
                            className={`whitespace-nowrap rounded-md border bg-white px-2.5 py-1 text-xs font-medium hover:bg-slate-100 ${kind === 'delete' ? 'border-red-300 text-red-700' : 'border-slate-300 text-slate-700'} ${focusRing}`}
                          >
                            {describeAction(kind, user, me).label}
                          </button>
                        ))}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="border-t border-slate-200">
            <Pagination page={page} total={users.data.total} pageSize={PAGE_SIZE} onChange={setPage} noun="user" />
          </div>
        </>
      )}
      <ConfirmDialog
        open={target !== null}
        title={target ? describeAction(target.kind, target.user, me).title : ''}
        confirmLabel={target ? describeAction(target.kind, target.user, me).label : ''}
        typed={target?.kind === 'delete' ? target.user.username : undefined}
        action={act}
        onConfirm={() => target && act.mutate(target)}
        onCancel={() => setTarget(null)}
      >
        <p>{target && describeAction(target.kind, target.user, me).text}</p>
        {target?.kind === 'reset' && (
          <div className="mt-3">
            <TextField
              label="New password"
              name="reset-password"
              type="password"
              autoComplete="new-password"
              value={newPassword}
              onChange={(event) => setNewPassword(event.target.value)}
              hint="At least 12 characters, not a common password."
            />
          </div>
        )}
      </ConfirmDialog>
    </section>
  )
}
