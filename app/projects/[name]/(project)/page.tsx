import type { Metadata } from 'next'

type Params = { name: string }

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  return { title: decodeURIComponent((await params).name) }
}

/** The repositories tab; the layout renders the project. */
export default function ProjectPage() {
  return null
}
