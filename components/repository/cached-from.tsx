'use client'
// "Cached from <endpoint>" on the repository and artifact pages of a proxy-cache project.
import { useQuery } from '@tanstack/react-query'
import type { Project } from '@/lib/projects/schema'
import { api } from '../api'
import { projectKey } from '../query-keys'

export function CachedFrom({ project }: { project: string }) {
  // The same query as useProjectAccess: one request for both.
  const query = useQuery({
    queryKey: projectKey(project),
    queryFn: async () => (await api<Project>(`/api/v1/projects/${encodeURIComponent(project)}`)).data,
  })
  const proxy = query.data?.proxy
  if (!proxy) return null
  return (
    <p data-testid="cached-from" className="mt-2 text-sm text-slate-600">
      <span className="rounded bg-amber-50 px-1.5 py-0.5 font-medium text-amber-900 ring-1 ring-amber-200">Cached</span> from{' '}
      <span className="font-medium text-slate-900">{proxy.registryName}</span> <span className="font-mono text-slate-500">({proxy.url})</span>; read-only, tags are checked upstream
      at most every {proxy.tagTtlSeconds} s.
    </p>
  )
}
