'use client'
// The users of the registry for administrators: search as you type, pages, and per user the actions
// of ./user-actions, each confirmed in a dialog (the password reset asks for the new password there).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { User as AdminUser } from '@/lib/users/schema'
import { api, apiList, ApiError, errorMessage } from '../api'
import { DataTable, EmptyNote, PageFooter, QueryList, type Column } from '../data-table'
import { Panel, SearchField } from '../panel'
import { SuccessMessage, TextField } from '../ui'
import { usePagedSearch } from '../use-paged-search'
import { ConfirmDialog } from '../widgets'
import { describeAction, type UserAction } from './user-actions'
import { UserRow } from './user-row'

const PAGE_SIZE = 20

const COLUMNS: Column[] = [
  { label: 'Username', className: 'px-5 py-2.5' },
  { label: 'Email', className: 'px-3 py-2.5' },
  { label: 'Created', className: 'px-3 py-2.5' },
  { label: 'Last login', className: 'px-3 py-2.5' },
  { label: 'Actions', hidden: true, className: 'px-5 py-2.5 text-right' },
]

function usersErrorText(error: unknown): string {
  return error instanceof ApiError && error.status === 403 ? 'Only system administrators may list users.' : errorMessage(error)
}

export function UsersTable({ me }: { me: string }) {
  const queryClient = useQueryClient()
  const { search, setSearch, q, page, setPage } = usePagedSearch()
  const [target, setTarget] = useState<{ user: AdminUser; kind: UserAction } | null>(null)
  const [newPassword, setNewPassword] = useState('')
  const [notice, setNotice] = useState<string | null>(null)

  const users = useQuery({
    queryKey: ['admin-users', q, page],
    queryFn: () => apiList<AdminUser>(`/api/v1/users?${new URLSearchParams({ page: String(page), page_size: String(PAGE_SIZE), ...(q ? { q } : {}) })}`),
    placeholderData: keepPreviousData,
  })
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
  const asked = target && describeAction(target.kind, target.user, me)

  return (
    <Panel
      title="Users"
      headingId="users-heading"
      roomy
      tools={<SearchField id="user-search" label="Search users" placeholder="Search by username or email" value={search} onChange={setSearch} className="sm:w-72" />}
    >
      {notice && (
        <div className="px-5 py-3">
          <SuccessMessage>{notice}</SuccessMessage>
        </div>
      )}
      <QueryList
        query={users}
        loadingLabel="Loading users"
        rows={5}
        errorTestId="users-error"
        errorText={usersErrorText}
        empty={<EmptyNote>{q ? `No user matches “${q}”.` : 'No users yet.'}</EmptyNote>}
      >
        {({ items, total }) => (
          <>
            <DataTable columns={COLUMNS} testId="users-table">
              {items.map((user) => (
                <UserRow
                  key={user.id}
                  user={user}
                  me={me}
                  onAction={(kind) => {
                    setNotice(null)
                    setNewPassword('')
                    setTarget({ user, kind })
                  }}
                />
              ))}
            </DataTable>
            <PageFooter page={page} total={total} pageSize={PAGE_SIZE} onChange={setPage} noun="user" />
          </>
        )}
      </QueryList>
      <ConfirmDialog
        open={target !== null}
        title={asked?.title ?? ''}
        confirmLabel={asked?.label ?? ''}
        typed={target?.kind === 'delete' ? target.user.username : undefined}
        action={act}
        onConfirm={() => target && act.mutate(target)}
        onCancel={() => setTarget(null)}
      >
        <p>{asked?.text}</p>
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
    </Panel>
  )
}
