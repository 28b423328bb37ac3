'use client'
// The form beside a project's repositories that creates one (name + Markdown description).
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import type { Repository } from '@/lib/repositories/schema'
import { api, errorMessage } from '../api'
import { shortRepositoryName } from '../format'
import { FormPanel } from '../panel'
import { Button, ErrorMessage, SuccessMessage, TextAreaField, TextField } from '../ui'

export function CreateRepository({ project }: { project: string }) {
  const queryClient = useQueryClient()
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [done, setDone] = useState<string | null>(null)
  const create = useMutation({
    mutationFn: async () =>
      (await api<Repository>(`/api/v1/projects/${encodeURIComponent(project)}/repositories`, { method: 'POST', body: { name: name.trim(), description } })).data,
    onSuccess: async (repository) => {
      setDone(shortRepositoryName(project, repository?.name ?? name.trim()))
      setName('')
      setDescription('')
      await queryClient.invalidateQueries({ queryKey: ['repositories', project] })
      await queryClient.invalidateQueries({ queryKey: ['project', project] })
    },
  })
  function submit(event: FormEvent) {
    event.preventDefault()
    setDone(null)
    create.mutate()
  }
  return (
    <FormPanel title="Create repository" headingId="create-repository-heading">
      <form onSubmit={submit} className="space-y-3">
        <TextField
          label="Repository name"
          required
          value={name}
          onChange={(event) => setName(event.target.value)}
          autoComplete="off"
          spellCheck={false}
          hint={`Lowercase, e.g. app or team/app. Pushed as ${project}/name.`}
        />
        <TextAreaField
          label="Description"
          rows={4}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
          hint="Markdown: headings, lists, `code`, **bold**, links."
        />
        <ErrorMessage testId="create-repository-error">{create.isError ? errorMessage(create.error) : null}</ErrorMessage>
        <SuccessMessage>{done ? `Repository ${done} created.` : null}</SuccessMessage>
        <Button type="submit" disabled={create.isPending || !name.trim()}>
          {create.isPending ? 'Creating…' : 'Create repository'}
        </Button>
      </form>
    </FormPanel>
  )
}
