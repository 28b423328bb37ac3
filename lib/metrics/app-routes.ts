// The Next.js route a path is served by, as its template (`/api/v1/projects/[project]`), from the
// build's routes manifest: a metric label that holds no project or repository name.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'

const manifestSchema = z.object({
  staticRoutes: z.array(z.object({ page: z.string() })),
  dynamicRoutes: z.array(z.object({ page: z.string(), regex: z.string() })),
})

/** Paths no route of the app serves (or served before the build's manifest is known). */
export const OTHER_ROUTE = 'other'
const NEXT_ASSETS = '/_next/*'

export type AppRouteLabeller = (pathname: string) => string

/** Labels paths with the routes of `manifest` (routes-manifest.json's content). */
export function appRouteLabeller(manifest: unknown): AppRouteLabeller {
  const { staticRoutes, dynamicRoutes } = manifestSchema.parse(manifest)
  const pages = new Set(staticRoutes.map((route) => route.page))
  // Next lists dynamic routes most specific first, the order it matches them in.
  const patterns = dynamicRoutes.map((route) => ({ page: route.page, regex: new RegExp(route.regex) }))
  return (pathname) => {
    if (pages.has(pathname)) return pathname
    if (pathname.length > 1 && pathname.endsWith('/') && pages.has(pathname.slice(0, -1))) return pathname.slice(0, -1)
    if (pathname.startsWith('/_next/')) return NEXT_ASSETS
    for (const { page, regex } of patterns) if (regex.test(pathname)) return page
    return OTHER_ROUTE
  }
}

/** The labeller of the production build in `dir` (`.next/routes-manifest.json`); everything is `other` without one (next dev). */
export function loadAppRouteLabeller(dir: string): AppRouteLabeller {
  try {
    return appRouteLabeller(JSON.parse(readFileSync(join(dir, '.next', 'routes-manifest.json'), 'utf8')))
  } catch {
    return (pathname) => (pathname.startsWith('/_next/') ? NEXT_ASSETS : OTHER_ROUTE)
  }
}
