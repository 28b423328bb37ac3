'use client'
// The history of a project's tag retention runs, newest first, refreshed while one runs: per
// repository, what went (or, for a dry run, would go) and which rule kept each of the rest.
import { useQuery } from '@tanstack/react-query'
import type { RetentionRunView } from '@/lib/retention/schema'
import { apiList, errorMessage } from '../api'
import { shortDigest } from '../format'
import { Panel } from '../panel'
import type { Project } from '../projects-view'
import { ErrorMessage } from '../ui'
import { TimeAgo } from '../widgets'

export function RetentionRuns({ project }: { project: Project }) {
  const runs = useQuery({
    queryKey: ['retention-runs', project.name],
    queryFn: () => apiList<RetentionRunView>(`/api/v1/projects/${encodeURIComponent(project.name)}/retention/runs?page_size=20`),
    refetchInterval: (query) => (query.state.data?.items.some((run) => run.status === 'running') ? 1000 : false),
  })
  return (
    <Panel title="History" headingId="retention-history-heading" roomy>
      <div className="space-y-2 p-5">
        {runs.isError && <ErrorMessage>{errorMessage(runs.error)}</ErrorMessage>}
        {runs.data?.items.length === 0 && <p className="text-sm text-slate-500">No runs yet.</p>}
        <ul className="space-y-2" data-testid="retention-runs">
          {runs.data?.items.map((item) => (
            <li key={item.id} className="rounded border border-slate-200" data-testid="retention-run">
              <details>
                <summary className="cursor-pointer px-3 py-2 text-sm">
                  <span className="font-medium">
                    {item.dryRun ? 'Dry run' : 'Run'} {item.id}
                  </span>{' '}
                  · {item.trigger} · <span data-testid="retention-run-status">{item.status}</span> · {item.deleted} {item.dryRun ? 'would be deleted' : 'deleted'}, {item.retained}{' '}
                  retained · <TimeAgo value={item.startedAt} />
                </summary>
                <div className="space-y-3 border-t border-slate-100 px-3 py-2 text-xs">
                  {item.error && <ErrorMessage>{item.error}</ErrorMessage>}
                  {item.repositories.map((repo) => (
                    <div key={repo.repository}>
                      <h3 className="font-mono font-semibold">{repo.repository}</h3>
                      <ul className="mt-1 space-y-0.5">
                        {repo.deleted.map((artifact) => (
                          <li key={artifact.digest} className="text-red-800">
                            {item.dryRun ? 'would delete' : 'deleted'} <span className="font-mono">{shortDigest(artifact.digest)}</span> {artifact.tags.join(', ') || '(untagged)'}
                          </li>
                        ))}
                        {repo.retained.map((artifact) => (
                          <li key={artifact.digest} className="text-slate-700">
                            kept <span className="font-mono">{shortDigest(artifact.digest)}</span> {artifact.tags.join(', ') || '(untagged)'}: {artifact.reason}
                          </li>
                        ))}
                      </ul>
                    </div>
                  ))}
                </div>
              </details>
            </li>
          ))}
        </ul>
      </div>
    </Panel>
  )
}
