'use client'
// The repository's Markdown description, editable by those who may push.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api, errorMessage } from '../api'
import { repositoryApi } from '../format'
import { Markdown } from '../markdown'
import { Button, ErrorMessage, inputClass } from '../ui'

export function Description({ project, repository, description, canEdit }: { project: string; repository: string; description: string; canEdit: boolean }) {
  const queryClient = useQueryClient()
  const [editing, setEditing] = useState(false)
  const [draft, setDraft] = useState(description)
  const save = useMutation({
    mutationFn: () => api(repositoryApi(project, repository), { method: 'PATCH', body: { description: draft } }),
    onSuccess: async () => {
      setEditing(false)
      await queryClient.invalidateQueries({ queryKey: ['repository', project, repository] })
    },
  })
  return (
    <section aria-labelledby="description-heading" className="mt-6 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <div className="flex items-center justify-between gap-3">
        <h2 id="description-heading" className="text-lg font-semibold">
          Description
        </h2>
        {canEdit && !editing && (
          <Button
            variant="secondary"
            onClick={() => {
              setDraft(description)
              save.reset()
              setEditing(true)
            }}
          >
            Edit description
          </Button>
        )}
      </div>
      {editing ? (
        <form
          className="mt-3 space-y-3"
          onSubmit={(event) => {
            event.preventDefault()
            save.mutate()
          }}
        >
          <label htmlFor="description-editor" className="sr-only">
            Description (Markdown)
          </label>
          <textarea id="description-editor" rows={8} value={draft} onChange={(e) => setDraft(e.target.value)} className={`${inputClass} font-mono`} autoFocus />
          <ErrorMessage testId="description-error">{save.isError ? errorMessage(save.error) : null}</ErrorMessage>
          <div className="flex gap-2">
            <Button type="submit" disabled={save.isPending}>
              {save.isPending ? 'Saving…' : 'Save description'}
            </Button>
            <Button variant="secondary" onClick={() => setEditing(false)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : description.trim() ? (
        <div className="mt-3">
          <Markdown source={description} />
        </div>
      ) : (
        <p className="mt-3 text-sm text-slate-500">No description{canEdit ? ' yet.' : '.'}</p>
      )}
    </section>
  )
}
