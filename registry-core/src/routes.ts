// The /v2 route table: per route its path, and per method the access it needs and its handler, so
// what a request may do and what it does are read in one place. A route's parameters are typed by
// the route (no optional `name`/`reference` to assert on).
import type { RegistryContext, RequestContext } from './context'
import { RegistryError } from './errors'
import { assertName } from './grammar'
import { sendJson } from './http'
import type { AccessRequest, Action } from './ports'
import { deleteBlob, getBlob } from './handlers/blobs'
import { listCatalog, listReferrers, listTags } from './handlers/listing'
import { deleteManifest, getManifest, putManifest } from './handlers/manifests'
import { cancelUpload, getUploadStatus, patchUpload, putUpload, startUpload } from './handlers/uploads'

export interface RepositoryParams {
  /** Repository name, validated. */
  name: string
}

export interface ReferenceParams extends RepositoryParams {
  /** The last path segment, decoded: manifest reference, blob digest, upload id or referrers subject. */
  reference: string
}

/** The parameters each route's path yields. */
interface RouteParams {
  base: object
  catalog: object
  tags: RepositoryParams
  manifest: ReferenceParams
  blob: ReferenceParams
  uploadStart: RepositoryParams
  upload: ReferenceParams
  referrers: ReferenceParams
}

export type RouteName = keyof RouteParams

/** A matched route and its parameters; `RouteMatch<'manifest'>` has a `name` and a `reference`. */
export type RouteMatch<R extends RouteName = RouteName> = { [K in R]: { route: K } & RouteParams[K] }[R]

interface Endpoint<P> {
  access: (params: P) => AccessRequest
  handle: (ctx: RegistryContext, rc: RequestContext, params: P) => Promise<void>
}

interface Route<P> {
  /** The path with its parameters named, not filled in: a label for the route that holds no repository name. */
  template: string
  /** The route's parameters when `pathname` is its path; throws NAME_INVALID for a malformed name. */
  match: (pathname: string) => P | undefined
  methods: Partial<Record<string, Endpoint<P>>>
}

const baseAccess = (): AccessRequest => ({ type: 'base' })
const catalogAccess = (): AccessRequest => ({ type: 'catalog' })
const repositoryAccess =
  (action: Action) =>
  ({ name }: RepositoryParams): AccessRequest => ({ type: 'repository', repository: name, actions: [action] })
const pull = repositoryAccess('pull')
const push = repositoryAccess('push')
const remove = repositoryAccess('delete')

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new RegistryError('NAME_INVALID', { message: 'malformed percent-encoding in path' })
  }
}

function validName(segment: string): string {
  const name = decode(segment)
  assertName(name)
  return name
}

function exactPath(...paths: string[]): (pathname: string) => object | undefined {
  return (pathname) => (paths.includes(pathname) ? {} : undefined)
}

/** `pattern` captures the repository name. */
function repositoryPath(pattern: RegExp): (pathname: string) => RepositoryParams | undefined {
  return (pathname) => {
    const name = pattern.exec(pathname)?.[1]
    return name === undefined ? undefined : { name: validName(name) }
  }
}

/** `pattern` captures the repository name, then the reference. */
function referencePath(pattern: RegExp): (pathname: string) => ReferenceParams | undefined {
  return (pathname) => {
    const [, name, reference] = pattern.exec(pathname) ?? []
    if (name === undefined || reference === undefined) return undefined
    return { name: validName(name), reference: decode(reference) }
  }
}

const serveBase = async (_ctx: RegistryContext, rc: RequestContext): Promise<void> => sendJson(rc.res, 200, {})

const ROUTES: { [K in RouteName]: Route<RouteParams[K]> } = {
  base: {
    template: '/v2/',
    match: exactPath('/v2', '/v2/'),
    methods: { GET: { access: baseAccess, handle: serveBase }, HEAD: { access: baseAccess, handle: serveBase } },
  },
  catalog: {
    template: '/v2/_catalog',
    match: exactPath('/v2/_catalog'),
    methods: { GET: { access: catalogAccess, handle: (ctx, rc) => listCatalog(ctx, rc) } },
  },
  uploadStart: {
    template: '/v2/{name}/blobs/uploads/',
    match: repositoryPath(/^\/v2\/(.+)\/blobs\/uploads\/?$/),
    methods: { POST: { access: push, handle: (ctx, rc, { name }) => startUpload(ctx, rc, name) } },
  },
  upload: {
    template: '/v2/{name}/blobs/uploads/{uuid}',
    match: referencePath(/^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/),
    methods: {
      GET: { access: push, handle: (ctx, rc, { name, reference }) => getUploadStatus(ctx, rc, name, reference) },
      PATCH: { access: push, handle: (ctx, rc, { name, reference }) => patchUpload(ctx, rc, name, reference) },
      PUT: { access: push, handle: (ctx, rc, { name, reference }) => putUpload(ctx, rc, name, reference) },
      DELETE: { access: push, handle: (ctx, rc, { name, reference }) => cancelUpload(ctx, rc, name, reference) },
    },
  },
  tags: {
    template: '/v2/{name}/tags/list',
    match: repositoryPath(/^\/v2\/(.+)\/tags\/list$/),
    methods: { GET: { access: pull, handle: (ctx, rc, { name }) => listTags(ctx, rc, name) } },
  },
  manifest: {
    template: '/v2/{name}/manifests/{reference}',
    match: referencePath(/^\/v2\/(.+)\/manifests\/([^/]+)$/),
    methods: {
      GET: { access: pull, handle: (ctx, rc, { name, reference }) => getManifest(ctx, rc, name, reference) },
      HEAD: { access: pull, handle: (ctx, rc, { name, reference }) => getManifest(ctx, rc, name, reference) },
      PUT: { access: push, handle: (ctx, rc, { name, reference }) => putManifest(ctx, rc, name, reference) },
      DELETE: { access: remove, handle: (ctx, rc, { name, reference }) => deleteManifest(ctx, rc, name, reference) },
    },
  },
  referrers: {
    template: '/v2/{name}/referrers/{digest}',
    match: referencePath(/^\/v2\/(.+)\/referrers\/([^/]+)$/),
    methods: { GET: { access: pull, handle: (ctx, rc, { name, reference }) => listReferrers(ctx, rc, name, reference) } },
  },
  blob: {
    template: '/v2/{name}/blobs/{digest}',
    match: referencePath(/^\/v2\/(.+)\/blobs\/([^/]+)$/),
    methods: {
      GET: { access: pull, handle: (ctx, rc, { name, reference }) => getBlob(ctx, rc, name, reference) },
      HEAD: { access: pull, handle: (ctx, rc, { name, reference }) => getBlob(ctx, rc, name, reference) },
      DELETE: { access: remove, handle: (ctx, rc, { name, reference }) => deleteBlob(ctx, rc, name, reference) },
    },
  },
}

/** Matching order: upload paths before the blob path, whose pattern would also take them. */
const MATCH_ORDER: RouteName[] = ['base', 'catalog', 'uploadStart', 'upload', 'tags', 'manifest', 'referrers', 'blob']

export function isRegistryPath(url: string | undefined): boolean {
  if (!url) return false
  return url === '/v2' || url.startsWith('/v2/') || url.startsWith('/v2?')
}

function matchOne<R extends RouteName>(route: R, pathname: string): RouteMatch<R> | undefined {
  const params = ROUTES[route].match(pathname)
  return params === undefined ? undefined : { route, ...params }
}

/** Matches a /v2 path. Throws NAME_INVALID for a malformed repository name, 404 for unknown paths. */
export function matchRoute(pathname: string): RouteMatch {
  for (const route of MATCH_ORDER) {
    const match = matchOne(route, pathname)
    if (match) return match
  }
  throw new RegistryError('NAME_UNKNOWN', { status: 404, message: 'no such registry endpoint' })
}

export interface BoundEndpoint {
  /** What the caller must be allowed to do. */
  access: AccessRequest
  handle: (ctx: RegistryContext, rc: RequestContext) => Promise<void>
}

/** The template of a matched route's path, e.g. `/v2/{name}/manifests/{reference}`. */
export function routeTemplate(match: RouteMatch): string {
  return ROUTES[match.route].template
}

/** The endpoint serving `method` on a matched route; throws 405 UNSUPPORTED for methods it does not serve. */
export function endpoint<R extends RouteName>(match: RouteMatch<R>, method: string): BoundEndpoint {
  const methods: Route<RouteParams[R]>['methods'] = ROUTES[match.route].methods
  const served = methods[method]
  if (served === undefined) {
    throw new RegistryError('UNSUPPORTED', {
      message: `method ${method} not allowed here`,
      headers: { Allow: Object.keys(methods).join(', ') },
    })
  }
  return { access: served.access(match), handle: (ctx, rc) => served.handle(ctx, rc, match) }
}
