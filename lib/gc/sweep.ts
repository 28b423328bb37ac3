// The blob sweep: deletes the bytes of blobs that no manifest of any repository references, through
// the BlobStore port (so every store gets it), safely while pushes go on in any process.
//
// The protocol (every step is settled by row locks in PostgreSQL, never by timing):
//
// A blob row is live, `deletingAt` (unlinked from every repository, bytes about to go) or `goneAt`
// (bytes deleted; the row stays as a tombstone). A candidate is a live blob that no
// ArtifactReference names and that was neither created nor linked to a repository within the grace
// period (a blob pushed but whose manifest has not come yet).
//
// 1. Mark, one transaction per batch: lock the candidates' blob rows (FOR UPDATE), then their
//    repository links (FOR UPDATE: this waits for every manifest PUT that holds one of them, since
//    putManifest takes KEY SHARE locks on the links of the blobs it references, until its commit);
//    then, in a new statement that sees what those PUTs committed, re-check the conditions, delete
//    the links of those still unreferenced and set their `deletingAt`.
//    - A manifest PUT that committed first is seen by the re-check: its blobs are kept.
//    - A manifest PUT that comes after finds the links gone: its blobs are missing and the PUT
//      answers BLOB_UNKNOWN (the client pushes them again). No manifest is stored without its blobs.
// 2. Delete, one transaction per batch: lock the rows still `deletingAt` (FOR UPDATE), delete their
//    bytes from the store, and mark them `goneAt`, then commit.
//
// A blob upload (or mount) links a blob with an INSERT … ON CONFLICT DO UPDATE on its row, which
// locks the row and so orders it against both steps (lib/registry/prisma-index.ts):
//    - before step 1: the blob is linked again within the grace period and is not a candidate;
//    - between the steps: the link clears `deletingAt` (revived) and step 2 skips the row, bytes kept;
//    - after step 2: the link sees `goneAt` and links nothing until it has checked, with the row
//      locked, that the store holds the bytes again (the client stored them after the delete);
//      otherwise the upload answers BLOB_UNKNOWN and the client pushes the blob again.
// So no repository links a blob whose bytes are gone, and no manifest references one.
//
// 3. Purge: a tombstone is deleted once it is older than the upload expiry (UPLOAD_PURGE_AFTER,
//    default 24 hours). It only matters to a link that comes after the delete from a request that
//    stored (or found) the blob's bytes before it: without the row, that link would insert a fresh
//    live row over bytes that are gone. Such a request links right after storing, within one
//    request; the upload expiry, after which the collection treats an upload as abandoned and
//    removes it, is far longer than that. Until then the tombstone keeps the check of step 2's
//    "after" case.
import type { BlobStore } from '@registry-core'
import type { PrismaClient } from '../db/prisma'

/** Blobs handled per transaction. */
export const SWEEP_BATCH = 1000
/** Store deletions in flight at once within a batch (an object store answers each in a round trip). */
const DELETE_CONCURRENCY = 8

export interface SweepCandidate {
  digest: string
  size: bigint
}

/**
 * The live blobs, after `after` in digest order, that nothing references and that neither were
 * created nor linked within the grace period; `ignoreArtifacts`: references from these artifacts do
 * not count (a dry run with deleteUntagged). The anti-joins repeat `> after` (implied by the join)
 * so that PostgreSQL's merge anti-join starts the references' index there too: without it every
 * batch scanned the references from the first digest on, and a sweep's cost grew with the square
 * of the number of blobs.
 */
export async function findCandidates(prisma: PrismaClient, graceSeconds: number, after: string, limit: number, ignoreArtifacts: number[] = []): Promise<SweepCandidate[]> {
  return prisma.$queryRaw<SweepCandidate[]>`
    SELECT b."digest", b."size" FROM "Blob" b
     WHERE b."digest" > ${after}
       AND b."deletingAt" IS NULL AND b."goneAt" IS NULL
       AND b."createdAt" < now() - make_interval(secs => ${graceSeconds})
       AND NOT EXISTS (SELECT 1 FROM "ArtifactReference" r WHERE r."digest" = b."digest" AND r."digest" > ${after} AND r."artifactId" <> ALL(${ignoreArtifacts}::int[]))
       AND NOT EXISTS (SELECT 1 FROM "RepositoryBlob" rb WHERE rb."digest" = b."digest" AND rb."digest" > ${after} AND rb."createdAt" >= now() - make_interval(secs => ${graceSeconds}))
     ORDER BY b."digest"
     LIMIT ${limit}`
}

/** Step 1 for a batch of candidates: the digests marked `deletingAt` (unlinked). */
export async function markBatch(prisma: PrismaClient, digests: string[], graceSeconds: number): Promise<string[]> {
  if (!digests.length) return []
  return prisma.$transaction(
    async (tx) => {
      const locked = await tx.$queryRaw<{ digest: string }[]>`
        SELECT "digest" FROM "Blob" WHERE "digest" = ANY(${digests}::text[]) AND "deletingAt" IS NULL AND "goneAt" IS NULL
         ORDER BY "digest" FOR UPDATE`
      if (!locked.length) return []
      const lockedDigests = locked.map((row) => row.digest)
      await tx.$queryRaw`
        SELECT 1 FROM "RepositoryBlob" WHERE "digest" = ANY(${lockedDigests}::text[])
         ORDER BY "repositoryId", "digest" FOR UPDATE`
      const marked = await tx.$queryRaw<{ digest: string }[]>`
        UPDATE "Blob" b SET "deletingAt" = now()
         WHERE b."digest" = ANY(${lockedDigests}::text[])
           AND b."createdAt" < now() - make_interval(secs => ${graceSeconds})
           AND NOT EXISTS (SELECT 1 FROM "ArtifactReference" r WHERE r."digest" = b."digest")
           AND NOT EXISTS (SELECT 1 FROM "RepositoryBlob" rb WHERE rb."digest" = b."digest" AND rb."createdAt" >= now() - make_interval(secs => ${graceSeconds}))
        RETURNING b."digest"`
      const markedDigests = marked.map((row) => row.digest)
      if (markedDigests.length) await tx.$executeRaw`DELETE FROM "RepositoryBlob" WHERE "digest" = ANY(${markedDigests}::text[])`
      return markedDigests
    },
    { timeout: 60_000 },
  )
}

/** Step 2 for a batch: deletes the bytes of the rows still `deletingAt`; resolves which blobs went and their bytes (as the store held them). */
export async function deleteBatch(prisma: PrismaClient, blobs: BlobStore, digests: string[]): Promise<{ deleted: string[]; bytes: bigint }> {
  if (!digests.length) return { deleted: [], bytes: 0n }
  return prisma.$transaction(
    async (tx) => {
      const rows = await tx.$queryRaw<{ digest: string }[]>`
        SELECT "digest" FROM "Blob" WHERE "digest" = ANY(${digests}::text[]) AND "deletingAt" IS NOT NULL
         ORDER BY "digest" FOR UPDATE`
      let bytes = 0n
      const queue = rows.map((row) => row.digest)
      const worker = async () => {
        for (let digest = queue.shift(); digest !== undefined; digest = queue.shift()) {
          const stored = await blobs.stat(digest)
          await blobs.delete(digest)
          if (stored) bytes += BigInt(stored.size)
        }
      }
      await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, queue.length) }, worker))
      const gone = rows.map((row) => row.digest)
      await tx.$executeRaw`UPDATE "Blob" SET "goneAt" = now(), "deletingAt" = NULL WHERE "digest" = ANY(${gone}::text[])`
      return { deleted: gone, bytes }
    },
    { timeout: 300_000 },
  )
}

/** Rows left `deletingAt` by a collection that stopped between its steps (a crash): they are finished first. */
export async function unfinishedDeletions(prisma: PrismaClient, limit: number): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ digest: string }[]>`SELECT "digest" FROM "Blob" WHERE "deletingAt" IS NOT NULL ORDER BY "digest" LIMIT ${limit}`
  return rows.map((row) => row.digest)
}

/** Step 3: deletes tombstones (`goneAt`) older than `before`; resolves how many went. */
export async function purgeTombstones(prisma: PrismaClient, before: Date): Promise<number> {
  return prisma.$executeRaw`DELETE FROM "Blob" WHERE "goneAt" < ${before}`
}

/** What step 3 would delete (a dry run). */
export async function countTombstones(prisma: PrismaClient, before: Date): Promise<number> {
  const rows = await prisma.$queryRaw<{ count: bigint }[]>`SELECT count(*) AS "count" FROM "Blob" WHERE "goneAt" < ${before}`
  return Number(rows[0]?.count ?? 0)
}
