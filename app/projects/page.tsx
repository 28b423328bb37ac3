import type { Metadata } from 'next'
import { ProjectsView } from '@/components/projects-view'

export const metadata: Metadata = { title: 'Projects · Harbormaster registry' }

export default function ProjectsPage() {
  return <ProjectsView />
}
