import { redirect } from 'next/navigation'

/** /projects/<name>/repositories is the project's first tab, /projects/<name>. */
export default async function RepositoriesPage({ params }: { params: Promise<{ name: string }> }) {
  redirect(`/projects/${(await params).name}`)
}
