// The /v2 route table: which path and method go to which handler, and what access each needs.
// Authorization is declared here, next to the routes, so it can be read in one place.
import { RegistryError } from './errors'
import { assertName } from './grammar'
import type { AccessRequest, Action } from './ports'

export type RouteName =
  | 'base'
  | 'catalog'
  | 'tags'
  | 'manifest'
  | 'blob'
  | 'uploadStart'
  | 'upload'
  | 'referrers'

export interface RouteMatch {
  route: RouteName
  /** Repository name, validated. */
  name?: string
  /** The last path segment: manifest reference, blob digest, upload id or referrers subject. */
  reference?: string
}

const PATTERNS: Array<[RouteName, RegExp]> = [
  ['uploadStart', /^\/v2\/(.+)\/blobs\/uploads\/?$/],
  ['upload', /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/],
  ['tags', /^\/v2\/(.+)\/tags\/list$/],
  ['manifest', /^\/v2\/(.+)\/manifests\/([^/]+)$/],
  ['referrers', /^\/v2\/(.+)\/referrers\/([^/]+)$/],
  ['blob', /^\/v2\/(.+)\/blobs\/([^/]+)$/],
]

/** Which methods each route serves, and the action each needs on the repository. */
const METHODS: Record<RouteName, Partial<Record<string, Action | null>>> = {
  base: { GET: null, HEAD: null },
  catalog: { GET: null },
  tags: { GET: 'pull' },
  manifest: { GET: 'pull', HEAD: 'pull', PUT: 'push', DELETE: 'delete' },
  blob: { GET: 'pull', HEAD: 'pull', DELETE: 'delete' },
  uploadStart: { POST: 'push' },
  upload: { GET: 'push', PATCH: 'push', PUT: 'push', DELETE: 'push' },
  referrers: { GET: 'pull' },
}

export function isRegistryPath(url: string | undefined): boolean {
  if (!url) return false
  return url === '/v2' || url.startsWith('/v2/') || url.startsWith('/v2?')
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new RegistryError('NAME_INVALID', { message: 'malformed percent-encoding in path' })
  }
}

/** Matches a /v2 path. Throws NAME_INVALID for a malformed repository name, 404 for unknown paths. */
export function matchRoute(pathname: string): RouteMatch {
  if (pathname === '/v2' || pathname === '/v2/') return { route: 'base' }
  if (pathname === '/v2/_catalog') return { route: 'catalog' }
  for (const [route, pattern] of PATTERNS) {
    const match = pattern.exec(pathname)
    if (!match) continue
    const name = decode(match[1])
    assertName(name)
    return { route, name, reference: match[2] === undefined ? undefined : decode(match[2]) }
  }
  throw new RegistryError('NAME_UNKNOWN', { status: 404, message: 'no such registry endpoint' })
}

/** The access a matched route needs for `method`; throws 405 UNSUPPORTED for methods it does not serve. */
export function requiredAccess(match: RouteMatch, method: string): AccessRequest {
  const methods = METHODS[match.route]
  const action = methods[method]
  if (action === undefined) {
    throw new RegistryError('UNSUPPORTED', {
      message: `method ${method} not allowed here`,
      headers: { Allow: Object.keys(methods).join(', ') },
    })
  }
  if (match.route === 'base') return { type: 'base' }
  if (match.route === 'catalog') return { type: 'catalog' }
  return { type: 'repository', repository: match.name!, actions: [action!] }
}
