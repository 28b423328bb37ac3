// Search across the projects and repositories the caller may read (the same SQL condition as the
// /v2 catalog: lib/auth/project-access.ts `readableProjectsSql`). Case-insensitive substring match,
// at most 20 of each, names in byte order.
import { z } from 'zod'
import { Prisma } from '../generated/prisma/client'
import type { PrismaClient } from '../db/prisma'
import type { Caller } from '../audit'
import { actorFor, parseActorId, readableProjectsSql } from '../auth/project-access'
import { listedOnItsOwn } from '../artifacts/listed'
import { type SearchResult } from './schema'

// The response shapes live in ./schema (the dashboard imports them too); the request shapes here.
export * from './schema'

export const SEARCH_LIMIT = 20

export const searchQuerySchema = z.object({
  q: z.string({ error: 'q is required' }).min(1, 'q is required').max(128, 'q must be at most 128 characters'),
})

export async function search(prisma: PrismaClient, caller: Caller, q: string): Promise<SearchResult> {
  const identity = parseActorId(actorFor(caller.subject).id)
  const needle = q.toLowerCase()
  const [projects, repositories] = await Promise.all([
    prisma.$queryRaw<{ name: string; public: boolean; repositoryCount: bigint }[]>`
      SELECT p."name", p."public", (SELECT count(*) FROM "Repository" r WHERE r."projectId" = p."id") AS "repositoryCount"
        FROM "Project" p
       WHERE strpos(lower(p."name"), ${needle}) > 0 AND ${readableProjectsSql(identity, Prisma.raw('p."id"'))}
       ORDER BY p."name" COLLATE "C" LIMIT ${SEARCH_LIMIT}`,
    prisma.$queryRaw<{ name: string; projectName: string; description: string; artifactCount: bigint; pullCount: bigint; lastPushedAt: Date | null }[]>`
      SELECT r."name", p."name" AS "projectName", r."description", r."pullCount", r."lastPushedAt",
             (SELECT count(*) FROM "Artifact" a WHERE a."repositoryId" = r."id" AND ${listedOnItsOwn('a')}) AS "artifactCount"
        FROM "Repository" r JOIN "Project" p ON p."id" = r."projectId"
       WHERE strpos(lower(r."name"), ${needle}) > 0 AND ${readableProjectsSql(identity, Prisma.raw('r."projectId"'))}
       ORDER BY r."name" COLLATE "C" LIMIT ${SEARCH_LIMIT}`,
  ])
  return {
    projects: projects.map((p) => ({ name: p.name, public: p.public, repositoryCount: Number(p.repositoryCount) })),
    repositories: repositories.map((r) => ({
      name: r.name,
      projectName: r.projectName,
      description: r.description,
      artifactCount: Number(r.artifactCount),
      pullCount: Number(r.pullCount),
      lastPushedAt: r.lastPushedAt ? new Date(r.lastPushedAt).toISOString() : null,
    })),
  }
}
