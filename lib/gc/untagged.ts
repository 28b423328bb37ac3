// Untagged artifacts (deleteUntagged): a manifest of a repository with no tag, that no index of the
// repository references (an index child stays while its index does), that is not a referrer of a
// subject still present in the repository (signatures and SBOMs of a kept image stay), and that was
// pushed before the grace period (children of a multi-platform push arrive untagged before their
// index). Deleting one can make others eligible (the children of a deleted index, the referrers of a
// deleted subject): the collection repeats the pass until nothing more goes.
//
// Each batch is deleted in a transaction that first locks the artifact rows (FOR UPDATE), which
// waits for a concurrent tag push or index push (they hold KEY SHARE locks on the artifact until
// they commit), and then re-checks the conditions in a new statement: an artifact tagged or
// referenced meanwhile is kept; a push that comes after re-creates the manifest with its references.
import { Prisma } from '../generated/prisma/client'
import type { PrismaClient } from '../db/prisma'

export interface UntaggedArtifact {
  id: number
  repository: string
  digest: string
}

/** The conditions, on artifact alias `a`. */
function eligible(graceSeconds: number): Prisma.Sql {
  return Prisma.sql`
        NOT EXISTS (SELECT 1 FROM "Tag" t WHERE t."artifactId" = a."id")
    AND NOT EXISTS (SELECT 1 FROM "ArtifactReference" ref JOIN "Artifact" p ON p."id" = ref."artifactId"
                     WHERE ref."digest" = a."digest" AND ref."kind" = 'manifest' AND p."repositoryId" = a."repositoryId" AND p."id" <> a."id")
    AND (a."subjectDigest" IS NULL OR NOT EXISTS (SELECT 1 FROM "Artifact" s WHERE s."repositoryId" = a."repositoryId" AND s."digest" = a."subjectDigest"))
    AND a."pushedAt" < now() - make_interval(secs => ${graceSeconds})`
}

export async function findUntagged(prisma: PrismaClient, graceSeconds: number, afterId: number, limit: number): Promise<UntaggedArtifact[]> {
  return prisma.$queryRaw<UntaggedArtifact[]>`
    SELECT a."id", r."name" AS "repository", a."digest" FROM "Artifact" a JOIN "Repository" r ON r."id" = a."repositoryId"
     WHERE a."id" > ${afterId} AND ${eligible(graceSeconds)}
     ORDER BY a."id" LIMIT ${limit}`
}

/** Deletes those of `ids` still eligible once locked; resolves what went. */
export async function deleteUntaggedBatch(prisma: PrismaClient, ids: number[], graceSeconds: number): Promise<UntaggedArtifact[]> {
  if (!ids.length) return []
  return prisma.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM "Artifact" WHERE "id" = ANY(${ids}::int[]) ORDER BY "id" FOR UPDATE`
      return tx.$queryRaw<UntaggedArtifact[]>`
        WITH gone AS (
          DELETE FROM "Artifact" a WHERE a."id" = ANY(${ids}::int[]) AND ${eligible(graceSeconds)}
          RETURNING a."id", a."repositoryId", a."digest"
        )
        SELECT gone."id", r."name" AS "repository", gone."digest" FROM gone JOIN "Repository" r ON r."id" = gone."repositoryId"`
    },
    { timeout: 60_000 },
  )
}
