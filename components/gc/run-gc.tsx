'use client'
// Run garbage collection now, or a dry run that only counts what would go.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { GcRun } from '@/lib/gc/schema'
import { api, errorMessage } from '../api'
import { Button, Card, ErrorMessage, SuccessMessage } from '../ui'
import { GcOptions, graceSeconds, type GcOptionsValue } from './options'
import { GC_RUNS_KEY } from './keys'

export function RunGc() {
  const queryClient = useQueryClient()
  const [options, setOptions] = useState<GcOptionsValue>({ deleteUntagged: false, graceHours: '2' })
  const [notice, setNotice] = useState<string | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const start = useMutation({
    mutationFn: async (dryRun: boolean) => {
      const seconds = graceSeconds(options)
      if (seconds === null) throw new Error('The grace period must be a number of hours (0 or more).')
      return (await api<GcRun>('/api/v1/system/gc', { method: 'POST', body: { dryRun, deleteUntagged: options.deleteUntagged, gracePeriodSeconds: seconds } })).data
    },
    onMutate: () => {
      setNotice(null)
      setProblem(null)
    },
    onSuccess: async (run) => {
      setNotice(`${run.dryRun ? 'Dry run' : 'Garbage collection'} #${run.id} started. Its progress shows in the history below.`)
      await queryClient.invalidateQueries({ queryKey: GC_RUNS_KEY })
    },
    onError: (error) => setProblem(errorMessage(error)),
  })
  return (
    <Card title="Run now" headingId="gc-run-heading" description="A dry run counts what would be deleted and deletes nothing.">
      <GcOptions value={options} onChange={setOptions} />
      <div className="mt-5 flex flex-wrap gap-2">
        <Button variant="secondary" disabled={start.isPending} onClick={() => start.mutate(true)}>
          Dry run
        </Button>
        <Button disabled={start.isPending} onClick={() => start.mutate(false)}>
          Run garbage collection
        </Button>
      </div>
      <div className="mt-4 space-y-2" aria-live="polite">
        <SuccessMessage>{notice}</SuccessMessage>
        <ErrorMessage testId="gc-run-error">{problem}</ErrorMessage>
      </div>
    </Card>
  )
}
