// One project page for all its tabs: the layout stays mounted while the tab URL changes, so moving
// between tabs keeps the loaded project and the focus; the pages below only name the tab (title).
import type { ReactNode } from 'react'
import { ProjectDetail } from '@/components/project-detail'

export default async function ProjectLayout({ params, children }: { params: Promise<{ name: string }>; children: ReactNode }) {
  const { name } = await params
  return (
    <>
      <ProjectDetail name={decodeURIComponent(name)} />
      {children}
    </>
  )
}
