'use client'
// One project, with tabs: repositories, members, robots, webhooks (project admins and system admins
// only), settings. A project the caller may not see answers 404 from the API and shows "not found"
// here (never whether it exists).
import { useQuery } from '@tanstack/react-query'
import { useSession } from 'next-auth/react'
import Link from 'next/link'
import { useEffect, useState } from 'react'
import { api, errorMessage, ApiError } from './api'
import { ProjectMembers } from './project-members'
import { ProjectRepositories } from './project-repositories'
import { ProjectRobots } from './project-robots'
import { ProjectSettings } from './project-settings'
import { ROLE_NAMES, type Project } from './projects-view'
import { ErrorMessage, VisibilityBadge, focusRing } from './ui'
import { TimeAgo, Tabs } from './widgets'
import { WebhookManager } from './webhooks'

type Tab = 'repositories' | 'members' | 'robots' | 'webhooks' | 'settings'
const TABS: { id: Tab; label: string; adminOnly?: boolean }[] = [
  { id: 'repositories', label: 'Repositories' },
  { id: 'members', label: 'Members' },
  { id: 'robots', label: 'Robot accounts' },
  // Managing webhooks is `webhook:manage`: project admins and system admins (the API answers 403 to others).
  { id: 'webhooks', label: 'Webhooks', adminOnly: true },
  { id: 'settings', label: 'Settings' },
]

export function ProjectDetail({ name }: { name: string }) {
  const project = useQuery({
    queryKey: ['project', name],
    queryFn: async () => (await api<Project>(`/api/v1/projects/${encodeURIComponent(name)}`)).data,
  })
  const { data: session } = useSession()
  const [tab, setTab] = useState<Tab>('repositories')
  // The tab lives in the URL hash so reloads and shared links keep it.
  useEffect(() => {
    const fromHash = window.location.hash.slice(1) as Tab
    if (TABS.some((t) => t.id === fromHash)) setTab(fromHash)
  }, [])
  const choose = (next: Tab) => {
    setTab(next)
    window.history.replaceState(null, '', `#${next}`)
  }
  const isProjectAdmin = project.data?.role === 'projectAdmin' || Boolean(session?.user?.isAdmin)
  const tabs = TABS.filter((t) => !t.adminOnly || isProjectAdmin)
  // A #webhooks link opened by someone who may not manage webhooks shows the first tab instead.
  const current = tabs.some((t) => t.id === tab) ? tab : 'repositories'

  return (
    <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/projects" className={`rounded text-sky-700 hover:underline ${focusRing}`}>
          ← Projects
        </Link>
      </nav>
      {project.isPending ? (
        <div className="mt-4 h-24" role="status" aria-label="Loading project">
          <div className="h-8 w-64 animate-pulse rounded bg-slate-200" />
          <div className="mt-4 h-4 w-96 max-w-full animate-pulse rounded bg-slate-100" />
        </div>
      ) : project.isError ? (
        <div className="mt-6 space-y-3">
          <h1 className="text-2xl font-semibold tracking-tight">Project not available</h1>
          <ErrorMessage testId="project-error">
            {project.error instanceof ApiError && (project.error.status === 404 || project.error.status === 403)
              ? `There is no project named ${name} that you can see.`
              : errorMessage(project.error)}
          </ErrorMessage>
        </div>
      ) : (
        <>
          <div className="mt-4 min-h-20">
            <div className="flex flex-wrap items-center gap-3">
              <h1 className="break-all font-mono text-2xl font-semibold tracking-tight">{project.data.name}</h1>
              <VisibilityBadge isPublic={project.data.public} />
            </div>
            <dl className="mt-3 flex flex-wrap gap-x-6 gap-y-1 text-sm">
              <div className="flex gap-2">
                <dt className="text-slate-500">Your role</dt>
                <dd>{project.data.role ? (ROLE_NAMES[project.data.role] ?? project.data.role) : 'Not a member'}</dd>
              </div>
              {typeof project.data.repositoryCount === 'number' && (
                <div className="flex gap-2">
                  <dt className="text-slate-500">Repositories</dt>
                  <dd>{project.data.repositoryCount}</dd>
                </div>
              )}
              <div className="flex gap-2">
                <dt className="text-slate-500">Created</dt>
                <dd>
                  <TimeAgo value={project.data.createdAt} fallback="—" />
                </dd>
              </div>
            </dl>
          </div>
          <div className="mt-2">
            <Tabs label="Project sections" tabs={tabs} current={current} onChange={choose} />
            <div role="tabpanel" id={`panel-${current}`} aria-labelledby={`tab-${current}`} className="pt-6">
              {current === 'repositories' && <ProjectRepositories project={project.data} />}
              {current === 'members' && <ProjectMembers project={project.data} />}
              {current === 'robots' && <ProjectRobots project={project.data} />}
              {current === 'webhooks' && (
                <WebhookManager
                  base={`/api/v1/projects/${encodeURIComponent(project.data.name)}/webhooks`}
                  repositoryExample={`${project.data.name}/app-*`}
                  scopeText={`in ${project.data.name}`}
                />
              )}
              {current === 'settings' && <ProjectSettings project={project.data} />}
            </div>
          </div>
        </>
      )}
    </main>
  )
}
