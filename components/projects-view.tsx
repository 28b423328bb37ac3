'use client'
// "My projects": the projects the signed-in user is a member of (or every project they can see),
// with visibility badges, paging, and a form to create a project. Visitors who are not signed in see
// the public projects, read-only, with a hint to log in.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useSession } from 'next-auth/react'
import Link from 'next/link'
import { usePathname } from 'next/navigation'
import type { ProjectAction } from '@/lib/auth/permissions'
import { useState, type FormEvent } from 'react'
import type { Project } from '@/lib/projects/schema'
import { api, errorMessage } from './api'
import { countOf } from './format'
import { Button, Card, ErrorMessage, NAME_PATTERN, SuccessMessage, TextField, VisibilityBadge, focusRing } from './ui'

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

async function fetchProjects(scope: Scope, page: number): Promise<{ items: Project[]; total: number }> {
  const params = new URLSearchParams({ page: String(page), page_size: String(PAGE_SIZE) })
  if (scope === 'member') params.set('member', 'true')
  const { data, headers } = await api<Project[] | { items: Project[] }>(`/api/v1/projects?${params}`)
  const items = Array.isArray(data) ? data : (data?.items ?? [])
  const total = Number(headers.get('x-total-count') ?? items.length)
  return { items, total: Number.isFinite(total) ? total : items.length }
}

export function ProjectsView() {
  const { status } = useSession()
  const anonymous = status === 'unauthenticated'
  const [chosenScope, setScope] = useState<Scope>('member')
  const scope: Scope = anonymous ? 'all' : chosenScope
  const [page, setPage] = useState(1)
  const projects = useQuery({ queryKey: ['projects', scope, page], queryFn: () => fetchProjects(scope, page), placeholderData: (previous) => previous })
  const pages = Math.max(1, Math.ceil((projects.data?.total ?? 0) / PAGE_SIZE))

  return (
    <main className="mx-auto max-w-5xl px-4 py-8 sm:px-6 sm:py-10">
      <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">Projects</h1>
      <p className="mt-2 text-slate-600">
        A project is the first part of an image name: <code className="rounded bg-slate-200 px-1">host/project/image:tag</code>. Private projects are visible to their members only.
      </p>
      <div className="mt-8 grid items-start gap-6 lg:grid-cols-[1fr_20rem]">
        <section aria-labelledby="project-list-heading" className="rounded-xl border border-slate-200 bg-white shadow-sm">
          <div className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 px-5 py-4">
            <h2 id="project-list-heading" className="text-lg font-semibold">
              {anonymous ? 'Public projects' : scope === 'member' ? 'My projects' : 'All projects I can see'}
            </h2>
            {!anonymous && (
              <div role="group" aria-label="Which projects" className="inline-flex rounded-md border border-slate-300 p-0.5">
                {(['member', 'all'] as const).map((value) => (
                  <button
                    key={value}
                    type="button"
                    aria-pressed={scope === value}
                    onClick={() => {
                      setScope(value)
                      setPage(1)
                    }}
                    className={`rounded px-3 py-1 text-sm font-medium ${focusRing} ${scope === value ? 'bg-slate-900 text-white' : 'text-slate-700 hover:bg-slate-100'}`}
                  >
                    {value === 'member' ? 'Mine' : 'All visible'}
                  </button>
                ))}
              </div>
            )}
          </div>
          {projects.isPending ? (
            <p className="px-5 py-6 text-sm text-slate-500">Loading projects…</p>
          ) : projects.isError ? (
            <div className="px-5 py-6">
              <ErrorMessage>{errorMessage(projects.error)}</ErrorMessage>
            </div>
          ) : projects.data.items.length === 0 ? (
            <p className="px-5 py-6 text-sm text-slate-500">{anonymous ? 'No public projects yet.' : 'No projects yet. Create one with the form.'}</p>
          ) : (
            <ul aria-label="Projects" className="divide-y divide-slate-200" data-testid="project-list">
              {projects.data.items.map((project) => (
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
          )}
          {pages > 1 && (
            <nav aria-label="Pages" className="flex items-center justify-between border-t border-slate-200 px-5 py-3 text-sm">
              <Button variant="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
                Previous
              </Button>
              <span>
                Page {page} of {pages}
              </span>
              <Button variant="secondary" disabled={page >= pages} onClick={() => setPage(page + 1)}>
                Next
              </Button>
            </nav>
          )}
        </section>
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

function CreateProjectForm() {
  const queryClient = useQueryClient()
  const [created, setCreated] = useState<string | null>(null)
  const create = useMutation({
    mutationFn: (input: { name: string; public: boolean }) => api<Project>('/api/v1/projects', { method: 'POST', body: input }),
    onSuccess: (_response, input) => {
      setCreated(input.name)
      return queryClient.invalidateQueries({ queryKey: ['projects'] })
    },
  })

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const formElement = event.currentTarget
    const form = new FormData(formElement)
    setCreated(null)
    create.mutate({ name: String(form.get('name') ?? '').trim(), public: form.get('visibility') === 'public' }, { onSuccess: () => formElement.reset() })
  }

  return (
    <Card title="Create a project" headingId="create-project-heading">
      <form onSubmit={submit} className="space-y-4">
        <TextField
          label="Project name"
          name="name"
          required
          minLength={2}
          maxLength={64}
          pattern={NAME_PATTERN}
          autoCapitalize="none"
          spellCheck={false}
          hint="Lowercase letters and digits, separated by . _ or -."
        />
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">Visibility</legend>
          <div className="mt-2 space-y-2">
            <label className="flex items-start gap-2 text-sm">
              <input type="radio" name="visibility" value="private" defaultChecked className="mt-0.5 h-4 w-4 accent-sky-700" />
              <span>
                <span className="font-medium">Private</span>
                <span className="block text-slate-500">Only members can see and pull.</span>
              </span>
            </label>
            <label className="flex items-start gap-2 text-sm">
              <input type="radio" name="visibility" value="public" className="mt-0.5 h-4 w-4 accent-sky-700" />
              <span>
                <span className="font-medium">Public</span>
                <span className="block text-slate-500">Anyone can see and pull; members push.</span>
              </span>
            </label>
          </div>
        </fieldset>
        <ErrorMessage testId="create-project-error">{create.isError ? errorMessage(create.error) : null}</ErrorMessage>
        <SuccessMessage>{created ? `Project ${created} created.` : null}</SuccessMessage>
        <Button type="submit" disabled={create.isPending} className="w-full">
          {create.isPending ? 'Creating…' : 'Create project'}
        </Button>
      </form>
    </Card>
  )
}
