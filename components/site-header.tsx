'use client'
// The header on every page: the registry's name, and either sign up / log in, or the signed-in
// user with their pages (Admin for system admins) and a log out button; the API reference for everyone.
// One row at every width: below the lg breakpoint the links fold into a Menu button's panel.
import { useQueryClient } from '@tanstack/react-query'
import Link from 'next/link'
import { usePathname, useRouter } from 'next/navigation'
import { signOut, useSession } from 'next-auth/react'
import { useEffect, useId, useRef, useState } from 'react'
import { HeaderSearch } from './header-search'
import { focusRing } from './ui'

const linkClass = `rounded-md px-2.5 py-1.5 text-sm font-medium text-slate-200 hover:bg-slate-800 hover:text-white ${focusRing} focus-visible:outline-sky-400`

/** `signupEnabled`: the admin's sign-up switch; when off, no "Sign up" link. */
export function SiteHeader({ signupEnabled }: { signupEnabled: boolean }) {
  const navId = useId()
  const { data: session, status } = useSession()
  const pathname = usePathname()
  const router = useRouter()
  const queryClient = useQueryClient()
  const [leaving, setLeaving] = useState(false)
  const [menuOpen, setMenuOpen] = useState(false)
  const bar = useRef<HTMLDivElement>(null)
  useEffect(() => setMenuOpen(false), [pathname])
  useEffect(() => {
    if (!menuOpen) return
    const onPointer = (event: MouseEvent) => {
      if (bar.current && !bar.current.contains(event.target as Node)) setMenuOpen(false)
    }
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setMenuOpen(false)
    }
    document.addEventListener('mousedown', onPointer)
    document.addEventListener('keydown', onKey)
    return () => {
      document.removeEventListener('mousedown', onPointer)
      document.removeEventListener('keydown', onKey)
    }
  }, [menuOpen])

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

  const navClass = `${menuOpen ? 'flex' : 'hidden'} absolute inset-x-0 top-full z-30 flex-col items-stretch gap-1 border-t border-slate-700 bg-slate-900 px-4 py-3 shadow-lg sm:px-6 lg:static lg:flex lg:flex-row lg:items-center lg:gap-2 lg:border-0 lg:p-0 lg:shadow-none`
  const current = (href: string) => (pathname === href || pathname.startsWith(`${href}/`) ? 'page' : undefined)

  return (
    <header className="bg-slate-900 text-white">
      <div ref={bar} className="relative mx-auto flex max-w-5xl items-center gap-3 px-4 py-3 sm:px-6 lg:gap-4">
        <Link href="/" className={`shrink-0 rounded-md text-base font-semibold tracking-tight ${focusRing} focus-visible:outline-sky-400`}>
          Harbormaster
        </Link>
        <div className="flex min-w-0 flex-1 justify-end">{status !== 'loading' && <HeaderSearch className="w-full max-w-64" />}</div>
        {status !== 'loading' && (
          <button
            type="button"
            aria-expanded={menuOpen}
            aria-controls={navId}
            onClick={() => setMenuOpen((open) => !open)}
            className={`shrink-0 rounded-md border border-slate-600 px-2.5 py-1.5 text-sm font-medium text-white hover:bg-slate-800 lg:hidden ${focusRing} focus-visible:outline-sky-400`}
          >
            <span aria-hidden="true">☰</span> Menu
          </button>
        )}
        {status === 'authenticated' && session?.user ? (
          <nav id={navId} aria-label="Account" className={navClass}>
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
            <span className="min-w-0 px-2.5 py-1.5 text-sm text-slate-300 lg:max-w-48 lg:truncate lg:px-1 lg:py-0" data-testid="signed-in-user">
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
          <nav id={navId} aria-label="Account" className={navClass}>
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
