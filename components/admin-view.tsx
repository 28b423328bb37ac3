'use client'
// The administration page (system admins only): users with search, paging and the admin role, the
// "sign-up enabled" switch and a link to the system webhooks (/admin/webhooks). The API refuses non-admins anyway; this page just says so first.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useSession } from 'next-auth/react'
import Link from 'next/link'
import { useEffect, useState } from 'react'
import { api, ApiError, errorMessage } from './api'
import { Card, ErrorMessage, SuccessMessage, focusRing, inputClass, tableScrollClass } from './ui'
import { ConfirmDialog, LoadingRows, Pagination, TimeAgo } from './widgets'

interface AdminUser {
  id: number
  username: string
  email: string | null
  isAdmin: boolean
  createdAt: string
  lastLoginAt: string | null
}

interface Settings {
  signupEnabled: boolean
}

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
          <Link href="/admin/webhooks" className={`inline-flex rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100 ${focusRing}`}>
            Manage system webhooks
          </Link>
        </Card>
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

function UsersTable({ me }: { me: string }) {
  const queryClient = useQueryClient()
  const [search, setSearch] = useState('')
  const [q, setQ] = useState('')
  const [page, setPage] = useState(1)
  const [target, setTarget] = useState<AdminUser | null>(null)
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
  const toggle = useMutation({
    mutationFn: async (user: AdminUser) => (await api<AdminUser>(`/api/v1/users/${encodeURIComponent(user.username)}`, { method: 'PATCH', body: { isAdmin: !user.isAdmin } })).data,
    onSuccess: (updated) => {
      setTarget(null)
      setNotice(updated.isAdmin ? `${updated.username} is now a system administrator.` : `${updated.username} is no longer a system administrator.`)
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
                      {user.isAdmin && (
                        <span className="ml-2 inline-flex items-center rounded-full bg-violet-100 px-2 py-0.5 text-xs font-medium text-violet-800">Admin</span>
                      )}
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
                    <td className="px-5 py-3 text-right">
                      <button
                        type="button"
                        onClick={() => {
                          setNotice(null)
                          setTarget(user)
                        }}
                        aria-label={user.isAdmin ? `Revoke admin from ${user.username}` : `Make ${user.username} admin`}
                        className={`whitespace-nowrap rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-100 ${focusRing}`}
                      >
                        {user.isAdmin ? 'Revoke admin' : 'Make admin'}
                      </button>
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
        title={target?.isAdmin ? `Revoke admin from ${target.username}?` : `Make ${target?.username ?? ''} a system administrator?`}
        confirmLabel={target?.isAdmin ? 'Revoke admin' : 'Make admin'}
        action={toggle}
        onConfirm={() => target && toggle.mutate(target)}
        onCancel={() => setTarget(null)}
      >
        {target?.isAdmin ? (
          <p>
            <strong>{target.username}</strong> will lose access to this page, to all projects they are not a member of, and to system settings.
            {target.username === me && ' This is your own account.'}
          </p>
        ) : (
          <p>
            <strong>{target?.username}</strong> will be able to read and change every project, manage users and change system settings.
          </p>
        )}
      </ConfirmDialog>
    </section>
  )
}
