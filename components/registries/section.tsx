'use client'
// Admin → Registries: the upstream registry endpoints (list, add, edit, delete with confirmation).
// Credentials are write-only: the table says which kind is stored, never the secret.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { RegistryEndpoint } from '@/lib/registries/schema'
import { api, apiList, errorMessage } from '../api'
import { Button, ErrorMessage, SuccessMessage, focusRing, tableScrollClass } from '../ui'
import { ConfirmDialog, LoadingRows, TimeAgo } from '../widgets'
import { RegistryDialog } from './dialog'
import { TYPE_LABELS, credentialsLabel } from './labels'

const LIST_KEY = ['registries']

export function RegistriesSection() {
  const queryClient = useQueryClient()
  const endpoints = useQuery({ queryKey: LIST_KEY, queryFn: () => apiList<RegistryEndpoint>('/api/v1/registries?page_size=100') })
  const [editing, setEditing] = useState<RegistryEndpoint | 'new' | null>(null)
  const [removing, setRemoving] = useState<RegistryEndpoint | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const refresh = () => queryClient.invalidateQueries({ queryKey: LIST_KEY })

  const remove = useMutation({
    mutationFn: (endpoint: RegistryEndpoint) => api(`/api/v1/registries/${endpoint.id}`, { method: 'DELETE' }),
    onSuccess: async (_, endpoint) => {
      setRemoving(null)
      setNotice(`Registry endpoint ${endpoint.name} deleted.`)
      await refresh()
    },
  })

  return (
    <section aria-labelledby="registries-heading" className="rounded-xl border border-slate-200 bg-white shadow-sm">
      <div className="flex flex-wrap items-start justify-between gap-3 border-b border-slate-200 px-5 py-4">
        <div>
          <h2 id="registries-heading" className="text-lg font-semibold">
            Registries
          </h2>
          <p className="mt-1 text-sm text-slate-600">Upstream registries that proxy-cache projects pull through. Credentials are stored encrypted and never shown again.</p>
        </div>
        <Button
          onClick={() => {
            setNotice(null)
            setEditing('new')
          }}
        >
          New endpoint
        </Button>
      </div>
      {notice && (
        <div className="px-5 py-3">
          <SuccessMessage>{notice}</SuccessMessage>
        </div>
      )}
      {endpoints.isPending ? (
        <LoadingRows rows={2} label="Loading registry endpoints" />
      ) : endpoints.isError ? (
        <div className="px-5 py-6">
          <ErrorMessage testId="registries-error">{errorMessage(endpoints.error)}</ErrorMessage>
        </div>
      ) : endpoints.data.items.length === 0 ? (
        <p className="px-5 py-8 text-center text-sm text-slate-500">No registry endpoints yet.</p>
      ) : (
        <div className={tableScrollClass}>
          <table className="w-full text-left text-sm" data-testid="registries-table">
            <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-5 py-2.5 font-medium">
                  Name
                </th>
                <th scope="col" className="px-3 py-2.5 font-medium">
                  Type
                </th>
                <th scope="col" className="px-3 py-2.5 font-medium">
                  URL
                </th>
                <th scope="col" className="px-3 py-2.5 font-medium">
                  Credentials
                </th>
                <th scope="col" className="px-3 py-2.5 font-medium">
                  Updated
                </th>
                <th scope="col" className="px-5 py-2.5 text-right font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {endpoints.data.items.map((endpoint) => (
                <tr key={endpoint.id} className="align-middle" data-testid={`registry-${endpoint.name}`}>
                  <td className="px-5 py-3 font-medium text-slate-900">{endpoint.name}</td>
                  <td className="px-3 py-3 text-slate-600">{TYPE_LABELS[endpoint.type]}</td>
                  <td className="max-w-[18rem] truncate px-3 py-3 font-mono text-xs text-slate-700" title={endpoint.url}>
                    {endpoint.url}
                    {endpoint.insecure && <span className="ml-2 rounded-full bg-amber-100 px-2 py-0.5 font-sans text-xs font-medium text-amber-900">TLS not verified</span>}
                  </td>
                  <td className="px-3 py-3 text-slate-600">{credentialsLabel(endpoint)}</td>
                  <td className="px-3 py-3 text-slate-600">
                    <TimeAgo value={endpoint.updatedAt} />
                  </td>
                  <td className="px-5 py-3">
                    <div className="flex justify-end gap-1.5">
                      <button
                        type="button"
                        onClick={() => {
                          setNotice(null)
                          setEditing(endpoint)
                        }}
                        aria-label={`Edit ${endpoint.name}`}
                        className={`rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-100 ${focusRing}`}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        onClick={() => {
                          setNotice(null)
                          setRemoving(endpoint)
                        }}
                        aria-label={`Delete ${endpoint.name}`}
                        className={`rounded-md border border-red-300 bg-white px-2.5 py-1 text-xs font-medium text-red-700 hover:bg-slate-100 ${focusRing}`}
                      >
                        Delete
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <RegistryDialog
        endpoint={editing}
        onClose={() => setEditing(null)}
        onSaved={(saved, created) => {
          setEditing(null)
          setNotice(created ? `Registry endpoint ${saved.name} added.` : `Registry endpoint ${saved.name} saved.`)
          void refresh()
        }}
      />
      <ConfirmDialog
        open={removing !== null}
        title={removing ? `Delete ${removing.name}?` : ''}
        confirmLabel="Delete endpoint"
        action={remove}
        onConfirm={() => removing && remove.mutate(removing)}
        onCancel={() => setRemoving(null)}
      >
        <p>
          {removing && removing.proxyProjects > 0
            ? `${removing.proxyProjects} proxy-cache project${removing.proxyProjects === 1 ? ' uses' : 's use'} it: the registry will refuse until ${removing.proxyProjects === 1 ? 'it is' : 'they are'} deleted.`
            : 'Its stored credentials are deleted with it.'}
        </p>
      </ConfirmDialog>
    </section>
  )
}
