import type { Metadata } from 'next'
import { ProjectDetail } from '@/components/project-detail'

export const metadata: Metadata = { title: 'Project · Harbormaster registry' }

export default async function ProjectPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params
  return <ProjectDetail name={decodeURIComponent(name)} />
}
