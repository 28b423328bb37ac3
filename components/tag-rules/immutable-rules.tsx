'use client'
// The project's tag immutability rules (`immutable:manage`: project admins and maintainers): list,
// add, enable or disable, delete. A matching tag that exists cannot be re-pointed or deleted.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { ImmutableRuleView } from '@/lib/immutability/schema'
import { api, errorMessage } from '../api'
import { DataTable, EmptyNote, QueryList, type Column } from '../data-table'
import { FormPanel, Panel } from '../panel'
import type { Project } from '../projects-view'
import { Button, ErrorMessage, SuccessMessage, TextField } from '../ui'

const COLUMNS: Column[] = [{ label: 'Repositories' }, { label: 'Tags' }, { label: 'Status' }, { label: 'Manage', hidden: true }]

export function ImmutableRules({ project }: { project: Project }) {
  const queryClient = useQueryClient()
  const base = `/api/v1/projects/${encodeURIComponent(project.name)}/immutable-rules`
  const key = ['immutable-rules', project.name]
  const rules = useQuery({
    queryKey: key,
    queryFn: async () => {
      const items = (await api<ImmutableRuleView[]>(base)).data
      return { items, total: items.length }
    },
  })
  const refresh = () => queryClient.invalidateQueries({ queryKey: key })
  const [message, setMessage] = useState<string | null>(null)
  const [repositories, setRepositories] = useState('**')
  const [tags, setTags] = useState('')

  const add = useMutation({
    mutationFn: () => api<ImmutableRuleView>(base, { method: 'POST', body: { repositories, tags } }),
    onSuccess: async ({ data }) => {
      setMessage(`Rule added: tags "${data.tags}" in repositories "${data.repositories}" are immutable.`)
      setTags('')
      await refresh()
    },
  })
  const toggle = useMutation({
    mutationFn: (rule: ImmutableRuleView) => api(`${base}/${rule.id}`, { method: 'PATCH', body: { enabled: !rule.enabled } }),
    onSuccess: async (_, rule) => {
      setMessage(`Rule ${rule.id} ${rule.enabled ? 'disabled' : 'enabled'}.`)
      await refresh()
    },
  })
  const remove = useMutation({
    mutationFn: (rule: ImmutableRuleView) => api(`${base}/${rule.id}`, { method: 'DELETE' }),
    onSuccess: async (_, rule) => {
      setMessage(`Rule ${rule.id} deleted.`)
      await refresh()
    },
  })

  return (
    <div className="grid items-start gap-6 lg:grid-cols-[1fr_18rem]">
      <Panel title="Tag immutability rules" headingId="immutable-heading">
        <div className="space-y-2 px-4 pt-3 empty:hidden">
          <SuccessMessage>{message}</SuccessMessage>
          <ErrorMessage>{toggle.isError ? errorMessage(toggle.error) : remove.isError ? errorMessage(remove.error) : null}</ErrorMessage>
        </div>
        <QueryList
          query={rules}
          loadingLabel="Loading immutability rules"
          empty={<EmptyNote testId="immutable-empty">No rules: every tag can be pushed again or deleted.</EmptyNote>}
        >
          {({ items }) => (
            <DataTable columns={COLUMNS} testId="immutable-table">
              {items.map((rule) => (
                <tr key={rule.id}>
                  <td className="px-4 py-2.5 font-mono text-xs">{rule.repositories}</td>
                  <td className="px-4 py-2.5 font-mono text-xs">{rule.tags}</td>
                  <td className="px-4 py-2.5">{rule.enabled ? 'Enabled' : <span className="text-slate-500">Disabled</span>}</td>
                  <td className="whitespace-nowrap px-4 py-2.5 text-right">
                    <Button variant="ghost" className="px-2 py-1" aria-label={`${rule.enabled ? 'Disable' : 'Enable'} rule ${rule.id}`} onClick={() => toggle.mutate(rule)}>
                      {rule.enabled ? 'Disable' : 'Enable'}
                    </Button>
                    <Button variant="ghost" className="px-2 py-1 text-red-700" aria-label={`Delete rule ${rule.id}`} onClick={() => remove.mutate(rule)}>
                      Delete
                    </Button>
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </QueryList>
      </Panel>
      <FormPanel title="Add a rule" headingId="add-immutable-heading">
        <form
          className="space-y-3"
          onSubmit={(event) => {
            event.preventDefault()
            add.mutate()
          }}
        >
          <TextField label="Repositories" value={repositories} onChange={(e) => setRepositories(e.target.value)} hint="Glob on the name inside the project: ** for all" required />
          <TextField label="Tags" value={tags} onChange={(e) => setTags(e.target.value)} hint="Glob, e.g. v* or {release,stable}-*" required />
          <ErrorMessage>{add.isError ? errorMessage(add.error) : null}</ErrorMessage>
          <Button type="submit" disabled={add.isPending}>
            Add rule
          </Button>
        </form>
      </FormPanel>
    </div>
  )
}
