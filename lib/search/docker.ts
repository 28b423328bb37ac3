// `docker search host/term`: Docker Hub's v1 search API (GET /v1/search?q=&n=&page=) over the
// repositories the caller may read (the condition of the REST search and the /v2 catalog,
// lib/auth/project-access.ts `readableProjectsSql`). Case-insensitive substring match on the
// repository name or its description; name matches first, then description matches, each in byte order.
//
// What dockerd sends (moby registry/search*.go): GET /v1/_ping (https first, http for an insecure
// registry), then GET /v1/search?q=<term after host/>&n=<--limit, 1..100, default 25> with
// `X-Docker-Token: true`, which makes it add Basic credentials when the CLI is logged in to the host.
import { z } from 'zod'
import { Prisma } from '../generated/prisma/client'
import type { PrismaClient } from '../db/prisma'
import type { Caller } from '../audit'
import { actorFor, parseActorId, readableProjectsSql } from '../auth/project-access'
import { unauthorized } from '../errors'

export const DOCKER_SEARCH_DEFAULT_LIMIT = 25
export const DOCKER_SEARCH_MAX_LIMIT = 100
/** Far past any real listing; keeps the row offset (page - 1) * n a small safe integer. */
const MAX_PAGE = 1_000_000
/** Docker Hub's short descriptions are at most 100 characters; the CLI shows 45 unless --no-trunc. */
export const SHORT_DESCRIPTION_MAX = 100

const positiveInteger = (name: string, max: number, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be an integer`)
    .min(1, `${name} must be at least 1`)
    .max(max, `${name} must be at most ${max}`)
    .default(fallback)

export const dockerSearchQuerySchema = z.object({
  q: z.string().max(255, 'q must be at most 255 characters').default('').describe('search term (empty: every repository the caller may read)'),
  n: positiveInteger('n', DOCKER_SEARCH_MAX_LIMIT, DOCKER_SEARCH_DEFAULT_LIMIT).describe('results per page (docker search --limit)'),
  page: positiveInteger('page', MAX_PAGE, 1),
})

export type DockerSearchQuery = z.output<typeof dockerSearchQuerySchema>

export const dockerSearchResultSchema = z.object({
  num_results: z.number().int(),
  num_pages: z.number().int(),
  page: z.number().int(),
  page_size: z.number().int(),
  query: z.string(),
  results: z.array(
    z.object({
      name: z.string().describe('the repository as `docker pull <host>/<name>` takes it'),
      description: z.string().describe('the first line of the description, at most 100 characters'),
      star_count: z.number().int(),
      is_official: z.boolean(),
      is_automated: z.boolean(),
    }),
  ),
})

export type DockerSearchResult = z.output<typeof dockerSearchResultSchema>

export const dockerPingSchema = z.object({ standalone: z.boolean() })

/** The first non-blank line of a Markdown description, without heading marks, at most SHORT_DESCRIPTION_MAX characters. */
export function shortDescription(markdown: string): string {
  const line = markdown
    .split(/\r?\n/)
    .map((l) =>
      l
        .replace(/^\s*#+\s*/, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .find((l) => l !== '')
  if (!line) return ''
  const chars = [...line]
  return chars.length <= SHORT_DESCRIPTION_MAX ? line : chars.slice(0, SHORT_DESCRIPTION_MAX - 1).join('') + '…'
}

/**
 * dockerd marks its v1 search with `X-Docker-Token: true` and sends the login's Basic credentials
 * when it has them, so its anonymous search is a logged-out user's: public repositories.
 * containers/image (podman, skopeo, buildah) asks /v1/search without credentials even when logged
 * in, and on any answer but 200 falls back to /v2/_catalog with its token; a 200 to it would hide
 * every private repository from a logged-in podman user. So an anonymous search without dockerd's
 * mark is answered 401, which sends those clients to the catalog.
 */
export async function dockerSearch(prisma: PrismaClient, caller: Caller, query: DockerSearchQuery, client: { markedByDockerd: boolean }): Promise<DockerSearchResult> {
  if (caller.subject.kind === 'anonymous' && !client.markedByDockerd)
    throw unauthorized('an anonymous v1 search must carry X-Docker-Token: true (as dockerd sends it); other clients list /v2/_catalog')
  const identity = parseActorId(actorFor(caller.subject).id)
  const needle = query.q.toLowerCase()
  const nameMatches = Prisma.sql`strpos(lower(r."name"), ${needle}) > 0`
  const where = Prisma.sql`(${nameMatches} OR strpos(lower(r."description"), ${needle}) > 0)
    AND ${readableProjectsSql(identity, Prisma.raw('r."projectId"'))}`
  const [[{ total }], rows] = await Promise.all([
    prisma.$queryRaw<{ total: bigint }[]>`SELECT count(*) AS "total" FROM "Repository" r WHERE ${where}`,
    // Only the head of a description (up to 64 KiB of Markdown) is read: the summary is its first line.
    prisma.$queryRaw<{ name: string; head: string }[]>`
      SELECT r."name", left(ltrim(r."description", E' \t\r\n'), 1024) AS "head"
        FROM "Repository" r
       WHERE ${where}
       ORDER BY (${nameMatches}) DESC, r."name" COLLATE "C"
       LIMIT ${query.n} OFFSET ${(query.page - 1) * query.n}`,
  ])
  const count = Number(total)
  return {
    num_results: count,
    num_pages: Math.ceil(count / query.n),
    page: query.page,
    page_size: query.n,
    query: query.q,
    results: rows.map((r) => ({ name: r.name, description: shortDescription(r.head), star_count: 0, is_official: false, is_automated: false })),
  }
}
