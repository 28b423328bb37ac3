// After a tag or an artifact changes, every view of the repository's artifacts is stale: the artifact
// page, its tag list, the repository's artifact list and the repository's counts.
import type { QueryClient } from '@tanstack/react-query'

export async function invalidateArtifacts(queryClient: QueryClient, project: string, repository: string): Promise<void> {
  for (const key of ['artifact-tags', 'artifact', 'artifacts', 'repository']) await queryClient.invalidateQueries({ queryKey: [key, project, repository] })
}
