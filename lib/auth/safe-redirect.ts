// Where to send the browser after signing in: only somewhere on this site. The target is parsed the
// way the browser will parse it (tabs and newlines dropped, `\` as `/`, `//host` as another host),
// against this site's origin, and anything that resolves elsewhere falls back. Pure: shared by the
// login form (browser) and next-auth's redirect callback (server).

/** Pages that make no sense to return to after signing in. */
const AUTH_PAGES = /^\/(login|signup)(\/|$|\?|#)/

/**
 * `target` resolved against `origin` as an absolute URL on that origin, or `fallback` (resolved the
 * same way) when it points to another origin, is unparsable or is the login/signup page.
 */
export function safeRedirect(target: string | null | undefined, origin: string, fallback: string): string {
  const base = new URL(origin).origin
  const fallbackUrl = new URL(fallback, base).href
  if (!target) return fallbackUrl
  let url: URL
  try {
    url = new URL(target, base)
  } catch {
    return fallbackUrl
  }
  if (url.origin !== base) return fallbackUrl
  // `/.//host` resolves to the path `//host`: never hand a path like that on.
  const path = url.pathname.replace(/^\/{2,}/, '/')
  if (AUTH_PAGES.test(path)) return fallbackUrl
  return `${base}${path}${url.search}${url.hash}`
}

/** The same, as a path for client-side navigation (always one leading `/`, never `//`). */
export function safeRedirectPath(target: string | null | undefined, origin: string, fallback = '/projects'): string {
  const url = new URL(safeRedirect(target, origin, fallback))
  return `${url.pathname}${url.search}${url.hash}`
}
