import { headers } from 'next/headers'
import Link from 'next/link'
import { getSessionUser } from '@/lib/auth/next-auth'
import { runtime } from '@/lib/runtime'
import { isSignupEnabled } from '@/lib/settings'

// The registry's front page: what this is and how to push to it, with the host the visitor used and,
// when signed in, the visitor's personal namespace.
export default async function HomePage() {
  const host = (await headers()).get('host') ?? 'localhost:5000'
  const user = await getSessionUser()
  const signupEnabled = user ? false : await isSignupEnabled(runtime().prisma)
  const image = user ? `${host}/${user.username}/app:1.0` : `${host}/<username>/app:1.0`
  const commands = [`docker login ${host}`, `docker tag alpine:latest ${image}`, `docker push ${image}`, `docker pull ${image}`]
  const code = 'rounded bg-slate-200 px-1'
  return (
    <main className="mx-auto max-w-3xl px-4 py-12 sm:px-6 sm:py-16">
      <h1 className="text-3xl font-semibold tracking-tight">Harbormaster registry</h1>
      {user ? (
        <p className="mt-4 text-slate-600">
          An OCI Distribution v1.1 registry. Your personal namespace is <code className={code}>{user.username}</code>; create more projects on the{' '}
          <Link href="/projects" className="font-medium text-sky-700 underline hover:text-sky-900">
            projects page
          </Link>
          , and an access token for the command line on your{' '}
          <Link href="/account" className="font-medium text-sky-700 underline hover:text-sky-900">
            account page
          </Link>
          .
        </p>
      ) : signupEnabled ? (
        <p className="mt-4 text-slate-600">
          An OCI Distribution v1.1 registry. Anyone may pull from public projects;{' '}
          <Link href="/signup" className="font-medium text-sky-700 underline hover:text-sky-900">
            sign up
          </Link>{' '}
          to push into your own namespace.
        </p>
      ) : (
        <p className="mt-4 text-slate-600" data-testid="signup-closed">
          An OCI Distribution v1.1 registry. Anyone may pull from public projects;{' '}
          <Link href="/login" className="font-medium text-sky-700 underline hover:text-sky-900">
            log in
          </Link>{' '}
          to push. New accounts are created by an administrator.
        </p>
      )}
      <h2 className="mt-10 text-lg font-medium">Push an image</h2>
      <pre className="mt-3 overflow-x-auto rounded-lg bg-slate-900 p-4 text-sm text-slate-100">
        <code>{commands.join('\n')}</code>
      </pre>
      {user && (
        <p className="mt-4 text-sm text-slate-500">
          <code className={code}>docker login</code> asks for your username and your password, or better, a personal access token.
        </p>
      )}
      <p className="mt-4 text-sm text-slate-500">
        Served over plain HTTP? Add <code className={code}>{host}</code> to <code className={code}>insecure-registries</code> in Docker&apos;s daemon.json, or pass{' '}
        <code className={code}>--tls-verify=false</code> to podman and skopeo.
      </p>
    </main>
  )
}
