'use client'
// "Proxy cache of": in the create-project form, for system administrators only (the API refuses
// others), the registry endpoint a new project caches; "None" creates a hosted project.
import { useQuery } from '@tanstack/react-query'
import { useSession } from 'next-auth/react'
import type { RegistryEndpoint } from '@/lib/registries/schema'
import { apiList, errorMessage } from '../api'
import { ErrorMessage, SelectField } from '../ui'

export const PROXY_FIELD = 'proxyRegistryId'

/** The `proxy` part of the create request from the form's field (undefined: a hosted project). */
export function proxyOf(form: FormData): { registryId: number } | undefined {
  const id = Number(form.get(PROXY_FIELD) ?? '')
  return Number.isInteger(id) && id > 0 ? { registryId: id } : undefined
}

export function ProxyCacheSelect() {
  const { data: session } = useSession()
  const isAdmin = Boolean(session?.user?.isAdmin)
  const endpoints = useQuery({
    queryKey: ['registries'],
    queryFn: () => apiList<RegistryEndpoint>('/api/v1/registries?page_size=100'),
    enabled: isAdmin,
  })
  if (!isAdmin) return null
  if (endpoints.isError) return <ErrorMessage>{errorMessage(endpoints.error)}</ErrorMessage>
  return (
    <div>
      <SelectField label="Proxy cache of" name={PROXY_FIELD} defaultValue="" data-testid="proxy-cache-select">
        <option value="">None (a hosted project)</option>
        {(endpoints.data?.items ?? []).map((endpoint) => (
          <option key={endpoint.id} value={endpoint.id}>
            {endpoint.name} ({endpoint.url})
          </option>
        ))}
      </SelectField>
      <p className="mt-1 text-sm text-slate-500">A proxy-cache project is read-only: pulls fetch from the registry endpoint and are cached here.</p>
    </div>
  )
}
