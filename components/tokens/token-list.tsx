'use client'
// The caller's access tokens (name, permission, created, expires, last used), each revoked after an
// inline confirmation in its row.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { AccessToken } from '@/lib/tokens/schema'
import { api, apiList, errorMessage, formatDate } from '../api'
import { DataTable, QueryList, type Column } from '../data-table'
import { Button, ErrorMessage, SuccessMessage } from '../ui'
import { permissionLabel } from './permissions'

const cell = 'whitespace-nowrap px-3 py-2'
const COLUMNS: Column[] = [
  { label: 'Name', className: 'px-3 py-2' },
  { label: 'Permission', className: 'px-3 py-2' },
  { label: 'Created', className: 'px-3 py-2' },
  { label: 'Expires', className: 'px-3 py-2' },
  { label: 'Last used', className: 'px-3 py-2' },
  { label: 'Actions', hidden: true, className: 'px-3 py-2' },
]

export function TokenList({ onRevoked }: { onRevoked: (id: number) => void }) {
  const queryClient = useQueryClient()
  const [confirming, setConfirming] = useState<number | null>(null)
  const [revoked, setRevoked] = useState<string | null>(null)
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: () => apiList<AccessToken>('/api/v1/users/me/tokens?page_size=100') })
  const revoke = useMutation({
    mutationFn: (token: AccessToken) => api(`/api/v1/users/me/tokens/${token.id}`, { method: 'DELETE' }),
    onSuccess: (_result, token) => {
      setConfirming(null)
      setRevoked(token.name)
      onRevoked(token.id)
      return queryClient.invalidateQueries({ queryKey: ['tokens'] })
    },
  })

  return (
    <div className="mt-6">
      <h3 className="text-sm font-semibold text-slate-800">Your tokens</h3>
      <div className="mt-2 space-y-2">
        <SuccessMessage>{revoked ? `Token “${revoked}” revoked.` : null}</SuccessMessage>
        <ErrorMessage testId="revoke-error">{revoke.isError ? errorMessage(revoke.error) : null}</ErrorMessage>
      </div>
      <QueryList query={tokens} loadingLabel="Loading tokens" empty={<p className="mt-2 text-sm text-slate-500">No tokens yet.</p>}>
        {({ items }) => (
          <DataTable columns={COLUMNS} labelledBy="tokens-heading" className="mt-2 rounded-lg border border-slate-200">
            {items.map((token) => {
              const expired = token.expired ?? (token.expiresAt !== null && Date.parse(token.expiresAt) <= Date.now())
              return (
                <tr key={token.id}>
                  <th scope="row" className={`${cell} text-left font-medium`}>
                    {token.name}
                  </th>
                  <td className={cell}>{permissionLabel(token.permission)}</td>
                  <td className={cell}>{formatDate(token.createdAt)}</td>
                  <td className={cell}>
                    {expired ? <span className="font-medium text-red-700">Expired {formatDate(token.expiresAt)}</span> : formatDate(token.expiresAt, 'Never')}
                  </td>
                  <td className={cell}>{formatDate(token.lastUsedAt, 'Never')}</td>
                  <td className={`${cell} text-right`}>
                    {confirming === token.id ? (
                      <span className="inline-flex items-center gap-2">
                        <span className="text-slate-700">Revoke “{token.name}”?</span>
                        <Button variant="danger" onClick={() => revoke.mutate(token)} disabled={revoke.isPending} autoFocus>
                          {revoke.isPending ? 'Revoking…' : 'Confirm revoke'}
                        </Button>
                        <Button variant="secondary" onClick={() => setConfirming(null)}>
                          Cancel
                        </Button>
                      </span>
                    ) : (
                      <Button
                        variant="secondary"
                        onClick={() => {
                          revoke.reset()
                          setRevoked(null)
                          setConfirming(token.id)
                        }}
                        aria-label={`Revoke token ${token.name}`}
                      >
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              )
            })}
          </DataTable>
        )}
      </QueryList>
    </div>
  )
}
