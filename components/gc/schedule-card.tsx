'use client'
// When garbage collection runs by itself: never, hourly, daily, weekly or a cron expression (UTC).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import type { GcSchedule } from '@/lib/gc/schema'
import { api, errorMessage } from '../api'
import { exactTime } from '../format'
import { Button, Card, ErrorMessage, SelectField, SuccessMessage, TextField } from '../ui'
import { LoadingRows } from '../widgets'
import { GcOptions, graceSeconds, type GcOptionsValue } from './options'

const SCHEDULE_KEY = ['gc-schedule']
const NAMED = ['hourly', 'daily', 'weekly'] as const
type Choice = 'none' | (typeof NAMED)[number] | 'custom'

function choiceOf(schedule: GcSchedule): Choice {
  if (!schedule.schedule || !schedule.enabled) return 'none'
  return (NAMED as readonly string[]).includes(schedule.schedule) ? (schedule.schedule as Choice) : 'custom'
}

export function GcScheduleCard() {
  const query = useQuery({ queryKey: SCHEDULE_KEY, queryFn: async () => (await api<GcSchedule>('/api/v1/system/gc/schedule')).data })
  return (
    <Card title="Schedule" headingId="gc-schedule-heading" description="Times are in UTC. A scheduled run happens once, whichever server runs it.">
      {query.isPending ? (
        <LoadingRows rows={2} label="Loading the schedule" />
      ) : query.isError ? (
        <ErrorMessage>{errorMessage(query.error)}</ErrorMessage>
      ) : (
        <ScheduleForm schedule={query.data} />
      )}
    </Card>
  )
}

function ScheduleForm({ schedule }: { schedule: GcSchedule }) {
  const queryClient = useQueryClient()
  const [choice, setChoice] = useState<Choice>(choiceOf(schedule))
  const [cron, setCron] = useState(choiceOf(schedule) === 'custom' ? (schedule.schedule ?? '') : '0 3 * * *')
  const [options, setOptions] = useState<GcOptionsValue>({ deleteUntagged: schedule.deleteUntagged, graceHours: String(schedule.gracePeriodSeconds / 3600) })
  const [notice, setNotice] = useState<string | null>(null)
  useEffect(() => setNotice(null), [choice, cron, options])
  const save = useMutation({
    mutationFn: async () => {
      if (choice === 'none') {
        await api('/api/v1/system/gc/schedule', { method: 'DELETE' })
        return null
      }
      const seconds = graceSeconds(options)
      if (seconds === null) throw new Error('The grace period must be a number of hours (0 or more).')
      const body = { schedule: choice === 'custom' ? cron : choice, enabled: true, deleteUntagged: options.deleteUntagged, gracePeriodSeconds: seconds }
      return (await api<GcSchedule>('/api/v1/system/gc/schedule', { method: 'PUT', body })).data
    },
    onSuccess: async (saved) => {
      setNotice(saved?.nextRunAt ? `Saved. Next run: ${exactTime(saved.nextRunAt)}.` : 'Saved: garbage collection runs only when started here.')
      await queryClient.invalidateQueries({ queryKey: SCHEDULE_KEY })
    },
  })
  return (
    <form
      className="space-y-4"
      onSubmit={(event) => {
        event.preventDefault()
        save.mutate()
      }}
    >
      <SelectField label="Runs" value={choice} onChange={(event) => setChoice(event.target.value as Choice)}>
        <option value="none">Only when started here</option>
        <option value="hourly">Hourly</option>
        <option value="daily">Daily (00:00 UTC)</option>
        <option value="weekly">Weekly (Sunday 00:00 UTC)</option>
        <option value="custom">Cron expression</option>
      </SelectField>
      {choice === 'custom' && (
        <TextField
          label="Cron expression"
          value={cron}
          onChange={(event) => setCron(event.target.value)}
          required
          hint='Minute hour day month weekday, e.g. "0 3 * * *" (03:00 UTC daily).'
        />
      )}
      {choice !== 'none' && <GcOptions value={options} onChange={setOptions} />}
      {schedule.nextRunAt && choice !== 'none' && (
        <p className="text-sm text-slate-600" data-testid="gc-next-run">
          Next run: {exactTime(schedule.nextRunAt)}
        </p>
      )}
      <Button type="submit" disabled={save.isPending}>
        Save schedule
      </Button>
      <div aria-live="polite" className="space-y-2">
        <SuccessMessage>{notice}</SuccessMessage>
        <ErrorMessage>{save.isError ? errorMessage(save.error) : null}</ErrorMessage>
      </div>
    </form>
  )
}
