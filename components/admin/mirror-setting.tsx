'use client'
// The transparent mirror: which proxy-cache project serves pulls of names that are not local projects
// (dockerd's registry-mirrors, containerd and podman mirrors), and the local projects that shadow
// upstream namespaces while it is on (local projects win: a project `library` hides Docker Hub's
// official images from the mirror).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { z } from 'zod'
import type { Project } from '@/lib/projects/schema'
import type { settingsSchema } from '@/lib/settings/schema'
import { api, apiList, errorMessage } from '../api'
import { Card, ErrorMessage, SelectField, SuccessMessage } from '../ui'

type Settings = z.infer<typeof settingsSchema>

/** Namespaces clients commonly pull through a mirror; a local project of that name hides them. */
const WELL_KNOWN_NAMESPACES = new Set(['library'])

export function MirrorSetting() {
  const queryClient = useQueryClient()
  const settings = useQuery({ queryKey: ['settings'], queryFn: async () => (await api<Settings>('/api/v1/settings')).data })
  const projects = useQuery({ queryKey: ['projects', 'all'], queryFn: () => apiList<Project>('/api/v1/projects?page_size=100') })
  const [notice, setNotice] = useState<string | null>(null)
  const update = useMutation({
    mutationFn: async (mirrorProject: string | null) => (await api<Settings>('/api/v1/settings', { method: 'PUT', body: { mirrorProject } })).data,
    onSuccess: (data) => {
      queryClient.setQueryData(['settings'], data)
      setNotice(data.mirrorProject ? `Names that are not local projects are now pulled through ${data.mirrorProject}.` : 'The mirror is off.')
    },
  })
  const all = projects.data?.items ?? []
  const proxies = all.filter((project) => project.proxy)
  const shadowing = all.filter((project) => !project.proxy)
  const mirror = settings.data?.mirrorProject ?? null
  return (
    <Card
      title="Transparent mirror"
      headingId="mirror-heading"
      description="A proxy-cache project that serves pulls of names that are not local projects, so clients configured with this registry as a mirror need no project in their image names."
    >
      {settings.isPending || projects.isPending ? (
        <div className="h-14 animate-pulse rounded bg-slate-100" role="status" aria-label="Loading the mirror setting" />
      ) : settings.isError || projects.isError ? (
        <ErrorMessage>{errorMessage(settings.error ?? projects.error)}</ErrorMessage>
      ) : (
        <div className="space-y-3">
          <SelectField
            label="Mirror project"
            value={update.isPending ? (update.variables ?? '') : (mirror ?? '')}
            disabled={update.isPending}
            data-testid="mirror-project-select"
            onChange={(event) => {
              setNotice(null)
              update.mutate(event.target.value || null)
            }}
          >
            <option value="">Off</option>
            {proxies.map((project) => (
              <option key={project.id} value={project.name}>
                {project.name} (cache of {project.proxy!.registryName})
              </option>
            ))}
          </SelectField>
          {update.isError ? <ErrorMessage>{errorMessage(update.error)}</ErrorMessage> : <SuccessMessage>{notice}</SuccessMessage>}
          {mirror && shadowing.length > 0 && (
            <div data-testid="mirror-shadowing">
              <p className="text-sm font-medium text-slate-900">Local projects win</p>
              <p className="mt-0.5 text-sm text-slate-600">Pulls of these namespaces are served by the local project, never by the mirror:</p>
              <ul className="mt-1 flex flex-wrap gap-2 text-sm">
                {shadowing.map((project) => (
                  <li
                    key={project.id}
                    className={`rounded px-1.5 py-0.5 font-mono ${WELL_KNOWN_NAMESPACES.has(project.name) ? 'bg-amber-50 text-amber-900 ring-1 ring-amber-300' : 'bg-slate-100 text-slate-700'}`}
                  >
                    {project.name}/…
                    {WELL_KNOWN_NAMESPACES.has(project.name) && <span className="font-sans"> (hides Docker Hub&apos;s official images)</span>}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}
    </Card>
  )
}
