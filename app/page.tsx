import { headers } from 'next/headers'

// The registry's front page: what this is and how to push to it, with the host the visitor used.
export default async function HomePage() {
  const host = (await headers()).get('host') ?? 'localhost:5000'
  const commands = [
    `docker login ${host}`,
    `docker tag alpine:latest ${host}/library/alpine:latest`,
    `docker push ${host}/library/alpine:latest`,
    `docker pull ${host}/library/alpine:latest`,
  ]
  return (
    <main className="mx-auto max-w-3xl px-6 py-16">
      <h1 className="text-3xl font-semibold tracking-tight">Harbormaster registry</h1>
      <p className="mt-4 text-slate-600">
        An OCI Distribution v1.1 registry. Pull anonymously; push and delete with the administrator account.
      </p>
      <h2 className="mt-10 text-lg font-medium">Push an image</h2>
      <pre className="mt-3 overflow-x-auto rounded-lg bg-slate-900 p-4 text-sm text-slate-100">
        <code>{commands.join('\n')}</code>
      </pre>
      <p className="mt-4 text-sm text-slate-500">
        Served over plain HTTP? Add <code className="rounded bg-slate-200 px-1">{host}</code> to{' '}
        <code className="rounded bg-slate-200 px-1">insecure-registries</code> in Docker&apos;s daemon.json, or pass{' '}
        <code className="rounded bg-slate-200 px-1">--tls-verify=false</code> to podman and skopeo.
      </p>
    </main>
  )
}
