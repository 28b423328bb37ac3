import type { Metadata } from 'next'
import { notFound } from 'next/navigation'
import { projectTab } from '@/components/project-tabs'

type Params = { name: string; tab: string }

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  const { name, tab } = await params
  return { title: `${projectTab(tab)?.label ?? 'Not found'} · ${decodeURIComponent(name)}` }
}

/** A tab other than repositories (which is /projects/<name> itself); the layout renders the project. */
export default async function ProjectTabPage({ params }: { params: Promise<Params> }) {
  const { tab } = await params
  if (tab === 'repositories' || !projectTab(tab)) notFound()
  return null
}
