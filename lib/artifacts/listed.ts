// Which artifacts a repository lists on their own. An untagged manifest that an index of the same
// repository references is part of that index (shown under it, deleted with it), as Harbor does; a
// tagged one keeps its own row. The artifact list, the repository's artifact count and search share
// this one condition so their numbers agree.
import { Prisma } from '../generated/prisma/client'

/** SQL condition on the "Artifact" row aliased `alias`: true when it is listed on its own. */
export function listedOnItsOwn(alias: string): Prisma.Sql {
  const a = Prisma.raw(`"${alias}"`)
  return Prisma.sql`(EXISTS (SELECT 1 FROM "Tag" t WHERE t."artifactId" = ${a}."id")
    OR NOT EXISTS (
      SELECT 1 FROM "ArtifactReference" ref JOIN "Artifact" p ON p."id" = ref."artifactId"
       WHERE ref."digest" = ${a}."digest" AND ref."kind" = 'manifest' AND p."repositoryId" = ${a}."repositoryId"))`
}
