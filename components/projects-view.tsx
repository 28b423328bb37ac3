'use client'
// "My projects": the projects the signed-in user is a member of (or every project they can see),
// with visibility badges, paging, and a form to create a project (./projects/create-project-form).
// Visitors who are not signed in see the public projects, read-only, with a hint to log in.
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useSession } from 'next-auth/react'
import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { useState } from 'react'
import type { ProjectAction } from '@/lib/auth/permissions'
import type { Project } from '@/lib/projects/schema'
import { apiList } from './api'
import { EmptyNote, PageFooter, QueryList } from './data-table'
import { countOf } from './format'
import { Panel } from './panel'
import { CreateProjectForm } from './projects/create-project-form'
import { Card, VisibilityBadge, focusRing } from './ui'

export type { Project }

/** Whether the caller may do `action` in `project` (false while the project is unknown). */
export function allows(project: Pick<Project, 'permissions'> | undefined, action: ProjectAction): boolean {
  return project?.permissions.includes(action) ?? false
}

/** "Log in to …" for visitors without a session; it comes back to this page afterwards. */
export function SignInHint({ children }: { children: string }) {
  const { status } = useSession()
  const pathname = usePathname()
  if (status !== 'unauthenticated') return null
  return (
    <p className="text-sm text-slate-600" data-testid="sign-in-hint">
      <Link href={`/login?callbackUrl=${encodeURIComponent(pathname)}`} className={`rounded font-medium text-sky-700 hover:underline ${focusRing}`}>
        Log in
      </Link>{' '}
      {children}
    </p>
  )
}

const PAGE_SIZE = 20
export const ROLE_NAMES: Record<string, string> = {
  projectAdmin: 'Project admin',
  maintainer: 'Maintainer',
  developer: 'Developer',
  guest: 'Guest',
  limitedGuest: 'Limited guest',
}

type Scope = 'member' | 'all'

/** The switch between the caller's projects and all they can see. */
function ScopeSwitch({ scope, onChange }: { scope: Scope; onChange: (scope: Scope) => void }) {
  return (
    <div role="group" aria-label="Which projects" className="inline-flex rounded-md border border-slate-300 p-0.5">
      {(['member', 'all'] as const).map((value) => (
        <button
          key={value}
          type="button"
          aria-pressed={scope === value}
          onClick={() => onChange(value)}
          className={`rounded px-3 py-1 text-sm font-medium ${focusRing} ${scope === value ? 'bg-slate-900 text-white' : 'text-slate-700 hover:bg-slate-100'}`}
        >
          {value === 'member' ? 'Mine' : 'All visible'}
        </button>
      ))}
    </div>
  )
}

export function ProjectsView() {
  const { status } = useSession()
  const anonymous = status === 'unauthenticated'
  const [chosenScope, setScope] = useState<Scope>('member')
  const scope: Scope = anonymous ? 'all' : chosenScope
  const [page, setPage] = useState(1)
  const projects = useQuery({
    queryKey: ['projects', scope, page],
    queryFn: () =>
      apiList<Project>(`/api/v1/projects?${new URLSearchParams({ page: String(page), page_size: String(PAGE_SIZE), ...(scope === 'member' ? { member: 'true' } : {}) })}`),
    placeholderData: keepPreviousData,
  })

  return (
    <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10">
      <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">Projects</h1>
      <p className="mt-2 text-slate-600">
        A project is the first part of an image name: <code className="rounded bg-slate-200 px-1">host/project/image:tag</code>. Private projects are visible to their members only.
      </p>
      <div className="mt-8 grid items-start gap-6 lg:grid-cols-[1fr_20rem]">
        <Panel
          title={anonymous ? 'Public projects' : scope === 'member' ? 'My projects' : 'All projects I can see'}
          headingId="project-list-heading"
          roomy
          tools={
            !anonymous && (
              <ScopeSwitch
                scope={scope}
                onChange={(value) => {
                  setScope(value)
                  setPage(1)
                }}
              />
            )
          }
        >
          <QueryList
            query={projects}
            loadingLabel="Loading projects"
            empty={<EmptyNote>{anonymous ? 'No public projects yet.' : 'No projects yet. Create one with the form.'}</EmptyNote>}
          >
            {({ items, total }) => (
              <>
                <ul aria-label="Projects" className="divide-y divide-slate-200" data-testid="project-list">
                  {items.map((project) => (
                    <li key={project.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-5 py-3">
                      <Link href={`/projects/${encodeURIComponent(project.name)}`} className={`rounded font-mono text-base font-medium text-sky-800 hover:underline ${focusRing}`}>
                        {project.name}
                      </Link>
                      <VisibilityBadge isPublic={project.public} />
                      <span className="ml-auto text-sm text-slate-500">
                        {project.role ? (ROLE_NAMES[project.role] ?? project.role) : 'Not a member'}
                        {typeof project.repositoryCount === 'number' && ` · ${countOf(project.repositoryCount, 'repository')}`}
                      </span>
                    </li>
                  ))}
                </ul>
                <PageFooter page={page} total={total} pageSize={PAGE_SIZE} onChange={setPage} noun="project" />
              </>
            )}
          </QueryList>
        </Panel>
        {anonymous ? (
          <Card title="Your projects" headingId="sign-in-heading">
            <SignInHint>to see your private projects and create new ones.</SignInHint>
          </Card>
        ) : (
          <CreateProjectForm />
        )}
      </div>
    </main>
  )
}
