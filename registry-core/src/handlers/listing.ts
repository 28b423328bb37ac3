// Lists: GET /v2/<name>/tags/list, GET /v2/_catalog, GET /v2/<name>/referrers/<digest>
import type { RegistryContext, RequestContext } from '../context'
import { RegistryError } from '../errors'
import { assertDigest } from '../grammar'
import { parsePageSize, sendJson } from '../http'
import { MediaTypes } from '../manifest'
import { mergedReferrers } from '../proxy/referrers'
import { STALE_WARNING } from '../proxy/upstream-calls'

/** `last` is an opaque cursor compared as a string; bound it so it cannot bloat a query. */
const MAX_CURSOR_LENGTH = 256
/** Catalog pages default to this many names when the client does not ask for `n`. */
const DEFAULT_CATALOG_PAGE = 1000

interface PageRequest {
  n: number
  last?: string
}

function pageRequest(rc: RequestContext, max: number, fallback: number): PageRequest {
  const n = rc.query.get('n') === null ? fallback : parsePageSize(rc.query.get('n') ?? undefined, max)
  const last = rc.query.get('last') ?? undefined
  if (last !== undefined && last.length > MAX_CURSOR_LENGTH) {
    throw new RegistryError('UNSUPPORTED', { status: 400, message: 'the last parameter is too long' })
  }
  return { n, last }
}

/** Trims the index's n+1 answer to n and says where the next page starts, if there is one. */
function paginate(items: string[], page: PageRequest, path: string): { items: string[]; headers: Record<string, string> } {
  const pageItems = items.slice(0, page.n)
  const last = pageItems.at(-1)
  // No next page when everything fit, or when n is 0 (an empty page has no cursor to continue from).
  if (last === undefined || items.length <= page.n) return { items: pageItems, headers: {} }
  const next = new URLSearchParams({ n: String(page.n), last })
  return { items: pageItems, headers: { Link: `<${path}?${next}>; rel="next"` } }
}

export async function listTags(ctx: RegistryContext, rc: RequestContext, name: string): Promise<void> {
  const page = pageRequest(rc, ctx.limits.maxPageSize, ctx.limits.maxPageSize)
  const tags = await ctx.index.listTags(name, { n: Math.max(page.n, 1), last: page.last })
  if (tags === null) throw new RegistryError('NAME_UNKNOWN', { detail: { name } })
  const { items, headers } = paginate(tags, page, `/v2/${name}/tags/list`)
  sendJson(rc.res, 200, { name, tags: items }, headers)
}

export async function listCatalog(ctx: RegistryContext, rc: RequestContext): Promise<void> {
  const page = pageRequest(rc, ctx.limits.maxPageSize, Math.min(DEFAULT_CATALOG_PAGE, ctx.limits.maxPageSize))
  const names = await ctx.index.listRepositories({ n: Math.max(page.n, 1), last: page.last }, rc.actor)
  const { items, headers } = paginate(names, page, '/v2/_catalog')
  sendJson(rc.res, 200, { repositories: items }, headers)
}

export async function listReferrers(ctx: RegistryContext, rc: RequestContext, name: string, digest: string): Promise<void> {
  assertDigest(digest)
  const artifactType = rc.query.get('artifactType') ?? undefined
  const local = await ctx.index.listReferrers(name, digest, artifactType)
  const { manifests, stale } = rc.upstream ? await mergedReferrers(ctx, rc.upstream, name, digest, local, artifactType) : { manifests: local, stale: false }
  sendJson(
    rc.res,
    200,
    { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests },
    {
      'Content-Type': MediaTypes.ociIndex,
      ...(artifactType !== undefined ? { 'OCI-Filters-Applied': 'artifactType' } : {}),
      ...(stale ? { Warning: STALE_WARNING } : {}),
    },
  )
}
