'use client'
// The project's tag retention (`retention:manage`: project admins and maintainers): the rules in
// Harbor's vocabulary and the schedule, a dry run and a real run, and the history of runs with, per
// repository, what went and which rule kept each of the rest.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import type { RetentionPolicyView, RetentionRule, RetentionRunView } from '@/lib/retention/schema'
import { RETENTION_TEMPLATES, RETENTION_TEMPLATE_LABELS } from '@/lib/retention/templates'
import { api, errorMessage } from '../api'
import { FormPanel, Panel } from '../panel'
import type { Project } from '../projects-view'
import { Button, ErrorMessage, SelectField, SuccessMessage, TextField } from '../ui'
import { RetentionRuns } from './retention-runs'

const NEW_RULE: RetentionRule = { template: 'latestPushedK', n: 10, repositories: '**', tags: '**', untagged: false, disabled: false }

export function RetentionPolicy({ project }: { project: Project }) {
  const queryClient = useQueryClient()
  const base = `/api/v1/projects/${encodeURIComponent(project.name)}/retention`
  const policy = useQuery({ queryKey: ['retention', project.name], queryFn: async () => (await api<RetentionPolicyView>(base)).data })
  const [rules, setRules] = useState<RetentionRule[]>([])
  const [schedule, setSchedule] = useState('')
  const [message, setMessage] = useState<string | null>(null)
  // The form starts from the saved policy once: a refetch must not wipe what is being edited (and
  // nothing can be edited before it is there).
  const [loaded, setLoaded] = useState(false)
  useEffect(() => {
    if (policy.data && !loaded) {
      setRules(policy.data.rules)
      setSchedule(policy.data.schedule ?? '')
      setLoaded(true)
    }
  }, [policy.data, loaded])

  const save = useMutation({
    mutationFn: () =>
      api<RetentionPolicyView>(base, {
        method: 'PUT',
        body: { rules: rules.map(({ n, ...rest }) => (rest.template === 'always' ? rest : { ...rest, n })), schedule: schedule.trim() || null },
      }),
    onSuccess: async () => {
      setMessage('Retention policy saved.')
      await queryClient.invalidateQueries({ queryKey: ['retention', project.name] })
    },
  })
  const run = useMutation({
    mutationFn: (dryRun: boolean) => api<RetentionRunView>(`${base}/runs`, { method: 'POST', body: { dryRun } }),
    onSuccess: async ({ data }) => {
      setMessage(`${data.dryRun ? 'Dry run' : 'Run'} ${data.id} started.`)
      await queryClient.invalidateQueries({ queryKey: ['retention-runs', project.name] })
    },
  })
  const change = (index: number, patch: Partial<RetentionRule>) => setRules(rules.map((rule, i) => (i === index ? { ...rule, ...patch } : rule)))

  return (
    <div className="space-y-6">
      <Panel title="Tag retention rules" headingId="retention-heading" roomy>
        <div className="space-y-4 p-5">
          <p className="text-sm text-slate-600">
            In the repositories a rule matches, artifacts no rule retains are deleted. A kept artifact keeps all its tags; index children and signatures stay with what they belong
            to; immutable tags are never deleted.
          </p>
          <SuccessMessage>{message}</SuccessMessage>
          {policy.isError && <ErrorMessage>{errorMessage(policy.error)}</ErrorMessage>}
          <ol className="space-y-3" data-testid="retention-rules">
            {rules.map((rule, index) => (
              <li key={index} className="grid gap-2 rounded border border-slate-200 p-3 sm:grid-cols-6" data-testid="retention-rule">
                <div className="sm:col-span-2">
                  <SelectField label={`Rule ${index + 1}: retain`} value={rule.template} onChange={(e) => change(index, { template: e.target.value as RetentionRule['template'] })}>
                    {RETENTION_TEMPLATES.map((template) => (
                      <option key={template} value={template}>
                        {RETENTION_TEMPLATE_LABELS[template]}
                      </option>
                    ))}
                  </SelectField>
                </div>
                {rule.template !== 'always' && <TextField label="#" type="number" min={0} value={rule.n ?? 0} onChange={(e) => change(index, { n: Number(e.target.value) })} />}
                <TextField label="Repositories" value={rule.repositories} onChange={(e) => change(index, { repositories: e.target.value })} />
                <TextField label="Tags" value={rule.tags} onChange={(e) => change(index, { tags: e.target.value })} />
                <div className="flex flex-col justify-end gap-1 text-sm">
                  <label className="flex items-center gap-2">
                    <input type="checkbox" checked={rule.untagged} onChange={(e) => change(index, { untagged: e.target.checked })} /> untagged too
                  </label>
                  <label className="flex items-center gap-2">
                    <input type="checkbox" checked={rule.disabled} onChange={(e) => change(index, { disabled: e.target.checked })} /> disabled
                  </label>
                  <Button
                    variant="ghost"
                    className="px-2 py-0.5 text-red-700"
                    aria-label={`Remove rule ${index + 1}`}
                    onClick={() => setRules(rules.filter((_, i) => i !== index))}
                  >
                    Remove
                  </Button>
                </div>
              </li>
            ))}
          </ol>
          {rules.length === 0 && <p className="text-sm text-slate-500">No rules: retention deletes nothing.</p>}
          <div className="flex flex-wrap items-end gap-3">
            <Button variant="secondary" onClick={() => setRules([...rules, NEW_RULE])} disabled={!loaded || rules.length >= 15}>
              Add rule
            </Button>
            <div className="w-64">
              <TextField label="Schedule" value={schedule} placeholder="none" onChange={(e) => setSchedule(e.target.value)} hint="hourly, daily, weekly or a cron expression" />
            </div>
            <Button onClick={() => save.mutate()} disabled={!loaded || save.isPending}>
              Save policy
            </Button>
          </div>
          <ErrorMessage>{save.isError ? errorMessage(save.error) : null}</ErrorMessage>
        </div>
      </Panel>
      <FormPanel title="Run" headingId="retention-run-heading">
        <div className="flex flex-wrap gap-3">
          <Button variant="secondary" onClick={() => run.mutate(true)} disabled={run.isPending}>
            Dry run
          </Button>
          <Button variant="danger" onClick={() => run.mutate(false)} disabled={run.isPending}>
            Run now
          </Button>
        </div>
        <ErrorMessage>{run.isError ? errorMessage(run.error) : null}</ErrorMessage>
      </FormPanel>
      <RetentionRuns project={project} />
    </div>
  )
}
