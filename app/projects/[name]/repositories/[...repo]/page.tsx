import { HydrationBoundary } from '@tanstack/react-query'
import type { Metadata } from 'next'
import { ArtifactView } from '@/components/artifact-view'
import { RepositoryView } from '@/components/repository-view'
import { prefetchRepositoryPage } from '@/app/projects/prefetch'

type Params = { name: string; repo: string[] }

// A catch-all cannot be followed by more segments, so `…/<repository path>/artifacts/<digest>` is
// recognised here: the last two segments are `artifacts` and a digest (algorithm:hex).
function parse(segments: string[]): { repository: string; digest?: string } {
  const parts = segments.map(decodeURIComponent)
  const n = parts.length
  if (n >= 3 && parts[n - 2] === 'artifacts' && /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(parts[n - 1])) {
    return { repository: parts.slice(0, -2).join('/'), digest: parts[n - 1] }
  }
  return { repository: parts.join('/') }
}

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  const { name, repo } = await params
  const { repository, digest } = parse(repo)
  const full = `${decodeURIComponent(name)}/${repository}`
  return { title: digest ? `${full}@${digest.slice(0, 19)}…` : full }
}

export default async function RepositoryPage({ params }: { params: Promise<Params> }) {
  const { name, repo } = await params
  const project = decodeURIComponent(name)
  const { repository, digest } = parse(repo)
  if (digest) return <ArtifactView project={project} repository={repository} digest={digest} />
  // The first page of artifacts comes with the HTML (app/projects/prefetch.ts): no fetch before the table shows.
  return (
    <HydrationBoundary state={await prefetchRepositoryPage(project, repository)}>
      <RepositoryView project={project} repository={repository} />
    </HydrationBoundary>
  )
}
