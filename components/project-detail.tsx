'use client'
// One project, with a tab per section at its own URL (components/project-tabs.ts), so Back and
// Forward move between tabs and a reload keeps the tab. Only the tabs the caller's permissions allow
// are shown (the API lists them, computed by `can()`); anyone may browse a public project read-only.
// A project the caller may not see shows "not found" (never whether it exists).
import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { usePathname, useRouter } from 'next/navigation'
import { useEffect } from 'react'
import { api, errorMessage, ApiError } from './api'
import { projectKey } from './query-keys'
import { AuditLog } from './audit/audit-log'
import { ProjectMembers } from './project-members'
import { ProjectRepositories } from './project-repositories'
import { ProjectRobots } from './project-robots'
import { ProjectSettings } from './project-settings'
import { PROJECT_TABS, projectTab, projectTabPath, type ProjectTab } from './project-tabs'
import { ROLE_NAMES, SignInHint, allows, type Project } from './projects-view'
import { ErrorMessage, VisibilityBadge, focusRing } from './ui'
import { TimeAgo, Tabs } from './widgets'
import { WebhookManager } from './webhooks'
import { StorageUsage } from './quota/storage-usage'
import { ImmutableRules } from './tag-rules/immutable-rules'
import { RetentionPolicy } from './tag-rules/retention-policy'

export function ProjectDetail({ name }: { name: string }) {
  const project = useQuery({
    queryKey: projectKey(name),
    queryFn: async () => (await api<Project>(`/api/v1/projects/${encodeURIComponent(name)}`)).data,
  })
  const router = useRouter()
  // /projects/<name>[/<tab>]
  const requested = projectTab(usePathname().split('/')[3])?.id ?? 'repositories'
  const tabs = PROJECT_TABS.filter((tab) => allows(project.data, tab.requires))
  const current: ProjectTab = tabs.some((tab) => tab.id === requested) ? requested : 'repositories'
  const choose = (next: ProjectTab) => router.push(projectTabPath(name, next), { scroll: false })
  // Links from before tabs had URLs (/projects/<name>#members) land on the tab's URL.
  useEffect(() => {
    const hash = window.location.hash.slice(1)
    const fromHash = hash ? projectTab(hash) : undefined
    if (fromHash) router.replace(projectTabPath(name, fromHash.id), { scroll: false })
  }, [name, router])
  // A tab the caller may not use (e.g. a shared …/webhooks link) shows the first tab, at its URL.
  useEffect(() => {
    if (project.isSuccess && current !== requested) router.replace(projectTabPath(name, current), { scroll: false })
  }, [project.isSuccess, current, requested, name, router])

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
            {project.error instanceof ApiError && [401, 403, 404].includes(project.error.status)
              ? `There is no project named ${name} that you can see.`
              : errorMessage(project.error)}
          </ErrorMessage>
          <SignInHint>to see the private projects you are a member of.</SignInHint>
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
              {typeof project.data.storageUsed === 'number' && (
                <div className="flex items-center gap-2">
                  <dt className="text-slate-500">Storage</dt>
                  <dd>
                    <StorageUsage used={project.data.storageUsed} limit={project.data.storageLimit} />
                  </dd>
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
              {current === 'immutability' && <ImmutableRules project={project.data} />}
              {current === 'retention' && <RetentionPolicy project={project.data} />}
              {current === 'logs' && <AuditLog base={`/api/v1/projects/${encodeURIComponent(project.data.name)}/audit-logs`} headingId="project-logs-heading" title="Logs" />}
              {current === 'settings' && <ProjectSettings project={project.data} />}
              <div className="mt-4">
                <SignInHint>to push to this project or to see the projects you are a member of.</SignInHint>
              </div>
            </div>
          </div>
        </>
      )}
    </main>
  )
}
