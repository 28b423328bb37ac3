// Enforcement of tag immutability at the registry index (lib/registry/prisma-index.ts), the one
// place every write goes through: /v2 pushes and deletes, the REST API and the dashboard (which call
// the same index) and retention (which deletes through it). The index throws the registry-core
// error `immutableTagError` builds, so the engine stays unaware of rules.
//
// The rules are read in the same round trip as the tag's current artifact. A push that re-points a
// protected tag is refused; the first push of a tag matching a rule is allowed (two concurrent first
// pushes of the same new tag can still both land, the later one winning, as in Harbor).
import type { PrismaClient } from '../generated/prisma/client'
import { statement, type SqlExecutor } from '../db/sql'
import { immutableTagError, protectedTag, ruleProtecting, type ActiveImmutableRule } from './match'

type RuleRow = ActiveImmutableRule & { current: string | null }

/** The project's enabled rules, each row with the digest tag $3 of repository $1 names now (null: none). */
const RULES_AND_TAG = statement(
  'immutability_rules_and_tag',
  `SELECT ir."id", ir."repositories", ir."tags",
          (SELECT a."digest" FROM "Tag" t
             JOIN "Repository" r ON r."id" = t."repositoryId"
             JOIN "Artifact" a ON a."id" = t."artifactId"
            WHERE r."name" = $1 AND t."name" = $3) AS "current"
     FROM "ImmutableRule" ir JOIN "Project" p ON p."id" = ir."projectId"
    WHERE p."name" = $2 AND ir."enabled"
    ORDER BY ir."id"`,
)

/**
 * Throws DENIED when `tag` exists, is protected, and would change: re-pointed at `digest`, or
 * deleted (`digest` null). A tag that does not exist yet, or a re-push of the same digest, passes.
 */
export async function assertTagChangeAllowed(sql: SqlExecutor, repository: string, project: string, tag: string, digest: string | null): Promise<void> {
  const rows = await sql.query<RuleRow>(RULES_AND_TAG, [repository, project, tag])
  const current = rows[0]?.current ?? null
  if (current === null || current === digest) return
  const rule = ruleProtecting(rows, repository, tag)
  if (rule) throw immutableTagError(repository, tag, rule)
}

/** Throws DENIED when one of `tags` (the tags of an artifact about to be deleted) is protected. */
export async function assertTagsDeletable(db: Pick<PrismaClient, '$queryRaw'>, repository: string, project: string, tags: readonly string[]): Promise<void> {
  if (!tags.length) return
  const rules = await activeRules(db, project)
  const found = protectedTag(rules, repository, tags)
  if (found) throw immutableTagError(repository, found.tag, found.rule)
}

/** The enabled rules of project `project` (by name), oldest first. */
export async function activeRules(db: Pick<PrismaClient, '$queryRaw'>, project: string): Promise<ActiveImmutableRule[]> {
  return db.$queryRaw<ActiveImmutableRule[]>`
    SELECT ir."id", ir."repositories", ir."tags"
      FROM "ImmutableRule" ir JOIN "Project" p ON p."id" = ir."projectId"
     WHERE p."name" = ${project} AND ir."enabled"
     ORDER BY ir."id"`
}
