'use client'
// The filter bar of an audit log page: operation, operator, resource (a prefix) and a time range,
// all applied by the server (lib/audit's filters). The operation box suggests the operations the
// registry records and accepts any other (entries added later by other features).
import { useId } from 'react'
import { Button, inputClass } from '../ui'

export interface AuditFilterValues {
  action: string
  actor: string
  resource: string
  /** `datetime-local` values (the browser's local time); empty for no bound. */
  from: string
  to: string
}

export const NO_FILTERS: AuditFilterValues = { action: '', actor: '', resource: '', from: '', to: '' }

const OPERATIONS = [
  'artifact.push',
  'artifact.pull',
  'artifact.delete',
  'tag.create',
  'tag.delete',
  'repository.create',
  'repository.update',
  'repository.delete',
  'project.create',
  'project.visibility',
  'project.proxy',
  'project.delete',
  'member.add',
  'member.update',
  'member.remove',
  'robot.create',
  'robot.refresh',
  'robot.delete',
  'webhook.create',
  'webhook.update',
  'webhook.delete',
  'token.create',
  'token.revoke',
  'login',
  'user.create',
  'user.update',
  'user.password',
  'user.delete',
  'registry.create',
  'registry.update',
  'registry.delete',
  'settings.update',
]

/** The query string of the filters that are set (times as ISO instants), for the audit-logs API. */
export function filterQuery(values: AuditFilterValues): string {
  const params = new URLSearchParams()
  for (const key of ['action', 'actor', 'resource'] as const) if (values[key].trim()) params.set(key, values[key].trim())
  for (const key of ['from', 'to'] as const) {
    const time = values[key] ? new Date(values[key]) : null
    if (time && !Number.isNaN(time.getTime())) params.set(key, time.toISOString())
  }
  return params.toString()
}

export function AuditFilters({ values, onChange }: { values: AuditFilterValues; onChange: (values: AuditFilterValues) => void }) {
  const id = useId()
  const field = (key: keyof AuditFilterValues, label: string, props: React.InputHTMLAttributes<HTMLInputElement>) => (
    <div className="min-w-0">
      <label htmlFor={`${id}-${key}`} className="block text-xs font-medium text-slate-600">
        {label}
      </label>
      <input id={`${id}-${key}`} value={values[key]} onChange={(event) => onChange({ ...values, [key]: event.target.value })} className={inputClass} {...props} />
    </div>
  )
  const filtered = Object.values(values).some((value) => value !== '')
  return (
    <form
      role="search"
      aria-label="Filter the audit log"
      className="grid gap-3 border-b border-slate-200 px-4 py-3 sm:grid-cols-2 lg:grid-cols-[repeat(5,minmax(0,1fr))_auto] lg:items-end"
      onSubmit={(event) => event.preventDefault()}
    >
      {field('action', 'Operation', { list: `${id}-operations`, placeholder: 'Any', autoComplete: 'off' })}
      <datalist id={`${id}-operations`}>
        {OPERATIONS.map((operation) => (
          <option key={operation} value={operation} />
        ))}
      </datalist>
      {field('actor', 'Operator', { placeholder: 'Anyone', autoComplete: 'off' })}
      {field('resource', 'Resource starts with', { placeholder: 'e.g. library/app', autoComplete: 'off' })}
      {field('from', 'From', { type: 'datetime-local' })}
      {field('to', 'To', { type: 'datetime-local' })}
      <Button type="button" variant="secondary" disabled={!filtered} onClick={() => onChange(NO_FILTERS)}>
        Clear
      </Button>
    </form>
  )
}
