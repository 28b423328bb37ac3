'use client'
// The header on every page: the registry's name, and either sign up / log in, or the signed-in
// user with their pages (Admin for system admins) and a log out button; the API reference for everyone.
import { useQueryClient } from '@tanstack/react-query'
import Link from 'next/link'
import { usePathname, useRouter } from 'next/navigation'
import { signOut, useSession } from 'next-auth/react'
import { useState } from 'react'
import { HeaderSearch } from './header-search'
import { focusRing } from './ui'

const linkClass = `rounded-md px-2.5 py-1.5 text-sm font-medium text-slate-200 hover:bg-slate-800 hover:text-white ${focusRing} focus-visible:outline-sky-400`

/** `signupEnabled`: the admin's sign-up switch; when off, no "Sign up" link. */
export function SiteHeader({ signupEnabled }: { signupEnabled: boolean }) {
  const { data: session, status } = useSession()
  const pathname = usePathname()
  const router = useRouter()
  const queryClient = useQueryClient()
  const [leaving, setLeaving] = useState(false)

  async function logOut() {
    setLeaving(true)
    try {
      await signOut({ redirect: false })
      queryClient.clear()
      router.push('/')
      router.refresh()
    } finally {
      setLeaving(false)
    }
  }

  const current = (href: string) => (pathname === href || pathname.startsWith(`${href}/`) ? 'page' : undefined)

  return (
    <header className="bg-slate-900 text-white">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3 sm:px-6">
        <Link href="/" className={`mr-auto rounded-md text-base font-semibold tracking-tight ${focusRing} focus-visible:outline-sky-400`}>
          Harbormaster
        </Link>
        {status !== 'loading' && <HeaderSearch />}
        {status === 'authenticated' && session?.user ? (
          <nav aria-label="Account" className="flex flex-wrap items-center gap-1 sm:gap-2">
            <Link href="/projects" aria-current={current('/projects')} className={`${linkClass} aria-[current=page]:bg-slate-800`}>
              Projects
            </Link>
            <Link href="/account" aria-current={current('/account')} className={`${linkClass} aria-[current=page]:bg-slate-800`}>
              Account
            </Link>
            {session.user.isAdmin && (
              <Link href="/admin" aria-current={current('/admin')} className={`${linkClass} aria-[current=page]:bg-slate-800`}>
                Admin
              </Link>
            )}
            <Link href="/api-reference" aria-current={current('/api-reference')} className={`${linkClass} aria-[current=page]:bg-slate-800`}>
              API
            </Link>
            <span className="px-1 text-sm text-slate-300" data-testid="signed-in-user">
              Signed in as <strong className="font-semibold text-white">{session.user.name}</strong>
            </span>
            <button
              type="button"
              onClick={logOut}
              disabled={leaving}
              className={`rounded-md border border-slate-600 px-2.5 py-1.5 text-sm font-medium text-white hover:bg-slate-800 disabled:opacity-60 ${focusRing} focus-visible:outline-sky-400`}
            >
              {leaving ? 'Logging out…' : 'Log out'}
            </button>
          </nav>
        ) : status === 'unauthenticated' ? (
          <nav aria-label="Account" className="flex items-center gap-2">
            <Link href="/api-reference" aria-current={current('/api-reference')} className={`${linkClass} aria-[current=page]:bg-slate-800`}>
              API
            </Link>
            <Link href="/login" aria-current={current('/login')} className={linkClass}>
              Log in
            </Link>
            {signupEnabled && (
              <Link
                href="/signup"
                aria-current={current('/signup')}
                className={`rounded-md bg-sky-600 px-2.5 py-1.5 text-sm font-medium text-white hover:bg-sky-500 ${focusRing} focus-visible:outline-sky-400`}
              >
                Sign up
              </Link>
            )}
          </nav>
        ) : null}
      </div>
    </header>
  )
}
