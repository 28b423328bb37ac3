'use client'
// The form on the projects page that creates a project (name, visibility and, for system admins, the
// registry endpoint it is a proxy cache of).
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import type { Project } from '@/lib/projects/schema'
import { api, errorMessage } from '../api'
import { Button, Card, ErrorMessage, NAME_PATTERN, SuccessMessage, TextField } from '../ui'
import { ProxyCacheSelect, proxyOf } from './proxy-cache-select'

export function CreateProjectForm() {
  const queryClient = useQueryClient()
  const [created, setCreated] = useState<string | null>(null)
  const create = useMutation({
    mutationFn: (input: { name: string; public: boolean; proxy?: { registryId: number } }) => api<Project>('/api/v1/projects', { method: 'POST', body: input }),
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
    create.mutate({ name: String(form.get('name') ?? '').trim(), public: form.get('visibility') === 'public', proxy: proxyOf(form) }, { onSuccess: () => formElement.reset() })
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
        <ProxyCacheSelect />
        <ErrorMessage testId="create-project-error">{create.isError ? errorMessage(create.error) : null}</ErrorMessage>
        <SuccessMessage>{created ? `Project ${created} created.` : null}</SuccessMessage>
        <Button type="submit" disabled={create.isPending} className="w-full">
          {create.isPending ? 'Creating…' : 'Create project'}
        </Button>
      </form>
    </Card>
  )
}
