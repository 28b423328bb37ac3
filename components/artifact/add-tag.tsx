'use client'
// The form that adds a tag to this artifact; a tag that names another artifact is not moved.
import { useState, type FormEvent } from 'react'
import { errorMessage } from '../api'
import { Button, ErrorMessage, SuccessMessage, inputClass } from '../ui'
import { TAG_PATTERN, useAddTag } from './use-add-tag'

export function AddTag({ project, repository, digest }: { project: string; repository: string; digest: string }) {
  const [name, setName] = useState('')
  const [added, setAdded] = useState<string | null>(null)
  const add = useAddTag(project, repository, digest, (tag, created) => {
    setAdded(created ? `Tag ${tag} added.` : `This artifact already has the tag ${tag}.`)
    setName('')
  })
  const trimmed = name.trim()
  const invalid = trimmed !== '' && !TAG_PATTERN.test(trimmed)
  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    setAdded(null)
    if (trimmed) add.mutate(trimmed)
  }
  return (
    <form onSubmit={onSubmit} className="mt-4 space-y-2 border-t border-slate-200 pt-4" aria-labelledby="add-tag-heading" noValidate>
      <h3 id="add-tag-heading" className="text-sm font-semibold">
        Add a tag
      </h3>
      <div className="flex flex-wrap items-start gap-2">
        <div className="min-w-0 flex-1">
          <label htmlFor="add-tag-name" className="sr-only">
            Tag name
          </label>
          <input
            id="add-tag-name"
            value={name}
            onChange={(event) => {
              setName(event.target.value)
              if (add.isError) add.reset()
            }}
            placeholder="e.g. stable"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={invalid || add.isError}
            aria-describedby="add-tag-hint"
            className={`${inputClass} mt-0 font-mono`}
          />
        </div>
        <Button type="submit" disabled={!trimmed || add.isPending}>
          {add.isPending ? 'Adding…' : 'Add tag'}
        </Button>
      </div>
      <p id="add-tag-hint" className={`text-xs ${invalid ? 'text-amber-700' : 'text-slate-500'}`}>
        Letters, digits, “_”, “.” and “-”; up to 128 characters, not starting with “.” or “-”. A tag that names another artifact is not moved.
      </p>
      <ErrorMessage testId="add-tag-error">{add.isError ? errorMessage(add.error) : null}</ErrorMessage>
      <SuccessMessage>{added}</SuccessMessage>
    </form>
  )
}
