'use client'
// Project settings: visibility (`project:update`), the storage quota (system administrators), and deletion with the name typed as confirmation
// (`project:delete`).
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useRouter } from 'next/navigation'
import { useEffect, useState } from 'react'
import { api, errorMessage } from './api'
import { countOf } from './format'
import { allows, type Project } from './projects-view'
import { Button, Card, ErrorMessage, SuccessMessage } from './ui'
import { ConfirmDialog } from './widgets'
import { QuotaSetting } from './quota/quota-setting'

export function ProjectSettings({ project }: { project: Project }) {
  const queryClient = useQueryClient()
  const router = useRouter()
  const base = `/api/v1/projects/${encodeURIComponent(project.name)}`
  const canUpdate = allows(project, 'project:update')
  const canDelete = allows(project, 'project:delete')
  const [message, setMessage] = useState<string | null>(null)
  const [deleting, setDeleting] = useState(false)
  // Shown at once; put back when the server refuses.
  const [selected, setSelected] = useState(project.public)
  useEffect(() => setSelected(project.public), [project.public])

  const visibility = useMutation({
    mutationFn: (isPublic: boolean) => api(base, { method: 'PATCH', body: { public: isPublic } }),
    onError: () => setSelected(project.public),
    onSuccess: async (_, isPublic) => {
      setMessage(`${project.name} is now ${isPublic ? 'public' : 'private'}.`)
      await queryClient.invalidateQueries({ queryKey: ['project', project.name] })
      await queryClient.invalidateQueries({ queryKey: ['projects'] })
    },
  })
  const remove = useMutation({
    mutationFn: () => api(`${base}?force=true`, { method: 'DELETE' }),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: ['project', project.name] })
      await queryClient.invalidateQueries({ queryKey: ['projects'] })
      router.push('/projects')
    },
  })

  return (
    <div className="max-w-2xl space-y-6">
      <Card title="Visibility" headingId="visibility-heading">
        <fieldset disabled={!canUpdate || visibility.isPending} className="space-y-2">
          <legend className="sr-only">Project visibility</legend>
          {[
            { value: false, label: 'Private', text: 'Only members can see and pull.' },
            { value: true, label: 'Public', text: 'Anyone, even without an account, can see and pull. Pushing still needs a role.' },
          ].map((option) => (
            <label
              key={option.label}
              className="flex cursor-pointer items-start gap-3 rounded-md border border-slate-200 p-3 has-[:checked]:border-sky-600 has-[:checked]:bg-sky-50"
            >
              <input
                type="radio"
                name="visibility"
                className="mt-1"
                checked={selected === option.value}
                onChange={() => {
                  setMessage(null)
                  setSelected(option.value)
                  visibility.mutate(option.value)
                }}
              />
              <span>
                <span className="block text-sm font-medium">{option.label}</span>
                <span className="block text-xs text-slate-600">{option.text}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="mt-3 space-y-2">
          <SuccessMessage>{message}</SuccessMessage>
          <ErrorMessage testId="visibility-error">{visibility.isError ? errorMessage(visibility.error) : null}</ErrorMessage>
        </div>
      </Card>
      <QuotaSetting project={project} />
      {canDelete && (
        <section aria-labelledby="danger-heading" className="rounded-xl border border-red-200 bg-white p-5 shadow-sm">
          <h2 id="danger-heading" className="text-lg font-semibold text-red-800">
            Delete project
          </h2>
          <p className="mt-1 text-sm text-slate-600">Deletes {project.name} with all its repositories, artifacts, tags, members and robot accounts. This cannot be undone.</p>
          <Button variant="danger" className="mt-4" onClick={() => setDeleting(true)}>
            Delete project…
          </Button>
        </section>
      )}
      <ConfirmDialog
        open={deleting}
        title={`Delete project ${project.name}?`}
        confirmLabel="Delete project"
        typed={project.name}
        action={remove}
        onCancel={() => setDeleting(false)}
        onConfirm={() => remove.mutate()}
      >
        <p>
          Everything in <strong className="font-mono">{project.name}</strong> goes:{' '}
          {project.repositoryCount === undefined ? 'all repositories' : countOf(project.repositoryCount, 'repository')} with their artifacts and tags, its members and robot
          accounts.
        </p>
      </ConfirmDialog>
    </div>
  )
}
