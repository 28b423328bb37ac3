// One project page for all its tabs: the layout stays mounted while the tab URL changes, so moving
// between tabs keeps the loaded project and the focus; the pages below only name the tab (title).
// The project and the first page of its repositories come with the HTML (app/projects/prefetch.ts),
// whichever tab is opened: a layout is not told which one, and that page is one small query.
import { HydrationBoundary } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { ProjectDetail } from '@/components/project-detail'
import { prefetchProjectPage } from '@/app/projects/prefetch'

export default async function ProjectLayout({ params, children }: { params: Promise<{ name: string }>; children: ReactNode }) {
  const { name } = await params
  const project = decodeURIComponent(name)
  return (
    <HydrationBoundary state={await prefetchProjectPage(project)}>
      <ProjectDetail name={project} />
      {children}
    </HydrationBoundary>
  )
}
