'use client'
// One garbage collection run's log, refreshed while the run goes on.
import { useQuery } from '@tanstack/react-query'
import { api, errorMessage } from '../api'
import { ErrorMessage } from '../ui'
import { LoadingRows } from '../widgets'
import { GC_RUNS_KEY } from './keys'

export function RunLog({ id, running }: { id: number; running: boolean }) {
  const log = useQuery({
    queryKey: [...GC_RUNS_KEY, 'log', id],
    queryFn: async () => (await api<{ log: string }>(`/api/v1/system/gc/${id}/log`)).data.log,
    refetchInterval: running ? 1000 : false,
  })
  if (log.isPending) return <LoadingRows rows={2} label="Loading the log" />
  if (log.isError) return <ErrorMessage>{errorMessage(log.error)}</ErrorMessage>
  return (
    <pre data-testid="gc-run-log" className="max-h-80 overflow-auto whitespace-pre-wrap break-all rounded-md border border-slate-200 bg-white p-3 font-mono text-xs text-slate-800">
      {log.data || 'Nothing logged yet.'}
    </pre>
  )
}
