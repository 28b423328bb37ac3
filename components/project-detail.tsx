'use client'
// One project: its visibility, the caller's role, and how to push into it. A project the caller may
// not see answers 404 from the API and shows "not found" here (never whether it exists).
import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { useEffect, useState } from 'react'
import { api, errorMessage, ApiError, formatDate } from './api'
import { ROLE_NAMES, type Project } from './projects-view'
import { ErrorMessage, VisibilityBadge, focusRing } from './ui'

export function ProjectDetail({ name }: { name: string }) {
  const project = useQuery({
    queryKey: ['project', name],
    queryFn: async () => (await api<Project>(`/api/v1/projects/${encodeURIComponent(name)}`)).data,
  })
  const [host, setHost] = useState('HOST')
  useEffect(() => setHost(window.location.host), [])

  return (
    <main className="mx-auto max-w-3xl px-4 py-8 sm:px-6 sm:py-10">
      <p className="text-sm">
        <Link href="/projects" className={`rounded text-sky-700 hover:underline ${focusRing}`}>
          ← Projects
        </Link>
      </p>
      {project.isPending ? (
        <p className="mt-6 text-sm text-slate-500">Loading…</p>
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
          <div className="mt-4 flex flex-wrap items-center gap-3">
            <h1 className="font-mono text-2xl font-semibold tracking-tight">{project.data.name}</h1>
            <VisibilityBadge isPublic={project.data.public} />
          </div>
          <dl className="mt-6 grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
            <dt className="text-slate-500">Your role</dt>
            <dd>{project.data.role ? (ROLE_NAMES[project.data.role] ?? project.data.role) : 'Not a member'}</dd>
            {typeof project.data.repositoryCount === 'number' && (
              <>
                <dt className="text-slate-500">Repositories</dt>
                <dd>{project.data.repositoryCount}</dd>
              </>
            )}
            <dt className="text-slate-500">Created</dt>
            <dd>{formatDate(project.data.createdAt)}</dd>
          </dl>
          <h2 className="mt-8 text-lg font-medium">Push an image</h2>
          <pre className="mt-3 overflow-x-auto rounded-lg bg-slate-900 p-4 text-sm text-slate-100">
            <code>
              {[
                `docker login ${host}`,
                `docker tag alpine:latest ${host}/${project.data.name}/app:1.0`,
                `docker push ${host}/${project.data.name}/app:1.0`,
              ].join('\n')}
            </code>
          </pre>
        </>
      )}
    </main>
  )
}
