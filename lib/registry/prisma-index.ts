// The registry index on PostgreSQL / PGlite: what exists in which repository.
//
// The hot paths (blob lookups and links, manifest reads and writes, upload sessions) are plain SQL
// statements run through the client's SQL executor (lib/db/sql.ts: named prepared statements on
// PostgreSQL), one round trip each; the rest goes through Prisma. Writes that can race
// between requests or replicas (linkBlob, the upserts inside putManifest) are single INSERT … ON
// CONFLICT statements, so concurrent pushes of the same blob, manifest, tag or repository never fail
// on a unique constraint. Tag and repository listings are byte-lexically ordered (COLLATE "C", which
// is also the column collation, so the unique indexes serve them; see prisma/schema.prisma).
import { Prisma, type PrismaClient } from '../generated/prisma/client'
import { sqlExecutor } from '../db/prisma'
import { statement, type SqlExecutor, type Statement } from '../db/sql'
import {
  RegistryError,
  type Actor,
  type BlobStore,
  type DeleteManifestResult,
  type Descriptor,
  type Digest,
  type ManifestRecord,
  type ManifestReference,
  type Page,
  type PutManifestOptions,
  type PutManifestResult,
  type RegistryIndex,
  type StoredManifest,
  type UploadRecord,
  type UploadSession,
} from '@registry-core'
import { parseActorId, projectNameOf, readableProjectsSql } from '../auth/project-access'
import { insertEventSql, policyWantsSql, signalOutbox } from '../webhooks/outbox'
import { quotaDenial } from '../quota'
import { assertTagChangeAllowed, assertTagsDeletable } from '../immutability/enforce'

const toNumber = (v: bigint | number | string): number => (typeof v === 'number' ? v : Number(v))

function toBuffer(v: Uint8Array | Buffer | string): Buffer {
  if (Buffer.isBuffer(v)) return v
  if (typeof v === 'string') return Buffer.from(v, 'base64')
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength)
}

/** Page size + 1 (the engine uses the extra row to decide on a `Link` header), as a sane integer. */
function limitOf(page: Page): number {
  const n = Number.isFinite(page.n) ? Math.max(0, Math.floor(page.n)) : 0
  return Math.min(n, 1_000_000) + 1
}

/** The project a repository belongs to: its first path component ('' for a name without one, which matches no project). */
function projectOf(repository: string): string {
  return projectNameOf(repository) ?? ''
}

/** A repository can only be created inside an existing project (never auto-created). */
function missingProject(repository: string): RegistryError {
  return new RegistryError('NAME_UNKNOWN', {
    message: `project "${projectNameOf(repository) ?? repository}" does not exist`,
    detail: { name: repository },
  })
}

/** The operator named in webhook events. */
function operatorOf(actor: Actor | undefined): string {
  return actor?.name || 'anonymous'
}

/** References with duplicate digests collapsed (an image may list the same layer twice). */
function uniqueReferences(refs: ManifestReference[]): ManifestReference[] {
  const seen = new Map<string, ManifestReference>()
  for (const r of refs) if (!seen.has(r.digest)) seen.set(r.digest, r)
  return [...seen.values()]
}

const FIND_BLOB = statement(
  'registry_find_blob',
  `SELECT b."size"
     FROM "RepositoryBlob" rb
     JOIN "Repository" r ON r."id" = rb."repositoryId"
     JOIN "Blob" b ON b."digest" = rb."digest"
    WHERE r."name" = $1 AND rb."digest" = $2`,
)

/**
 * One statement: the blob, the repository (only written when it does not exist yet, in the existing
 * project $4 named by its first component; ON CONFLICT covers a concurrent creation), the link of
 * blob $2 (size $3) to repository $1 and, when $5 names one, upload session $5 (started at $6)
 * recorded closed, whether it was recorded before or not. Safe to run concurrently for the same
 * digest/repo. "linked" 0 means the project does not exist: nothing is written, the session stays as
 * it was and the push fails cleanly.
 *
 * `onlyIntoEmptySession`: for a PUT that brought the whole blob to a session it did not read first.
 * Everything happens only when session $5 is unrecorded, or recorded open with no bytes received
 * (locked, so a concurrent PATCH or cancel is seen); "session" false means nothing was written and
 * the caller takes the ordinary path. "recorded" says whether the session had been recorded.
 *
 * Garbage collection (lib/gc/sweep.ts has the whole protocol): the blob row is locked like an update
 * (ON CONFLICT DO UPDATE locks it even when its WHERE is false), so this waits for a sweep holding it.
 * A blob the sweep has unlinked but not yet deleted ("deletingAt") is revived here, and the sweep
 * then leaves it alone. A blob whose bytes the sweep has deleted ("goneAt") is not linked ("gone"
 * true, nothing else written): the caller checks the store first (`reviveGoneBlob`).
 */
function linkBlobStatement(name: string, onlyIntoEmptySession: boolean) {
  const session = onlyIntoEmptySession
    ? `session AS (
     SELECT "size", "closedAt" FROM "Upload" WHERE "id" = $5::text FOR UPDATE
   ), `
    : ''
  const usable = 'NOT EXISTS (SELECT 1 FROM session WHERE "closedAt" IS NOT NULL OR "size" <> 0)'
  const gate = onlyIntoEmptySession ? ` AND ${usable}` : ''
  return statement(
    name,
    `WITH ${session}blob AS (
     INSERT INTO "Blob" ("digest", "size") SELECT $2, $3::bigint WHERE TRUE${gate}
     ON CONFLICT ("digest") DO UPDATE SET "deletingAt" = NULL
      WHERE "Blob"."deletingAt" IS NOT NULL OR "Blob"."goneAt" IS NOT NULL
     RETURNING "goneAt"
   ), gone AS (
     SELECT 1 FROM blob WHERE "goneAt" IS NOT NULL
   ), existing AS (
     SELECT "id" FROM "Repository" WHERE "name" = $1${gate}
   ), created AS (
     INSERT INTO "Repository" ("name", "projectId")
     SELECT $1, p."id" FROM "Project" p
      WHERE p."name" = $4 AND NOT EXISTS (SELECT 1 FROM existing)${gate}
     ON CONFLICT ("name") DO UPDATE SET "name" = EXCLUDED."name"
     RETURNING "id"
   ), link AS (
     INSERT INTO "RepositoryBlob" ("repositoryId", "digest")
     SELECT "id", $2 FROM (SELECT "id" FROM existing UNION ALL SELECT "id" FROM created) repo WHERE NOT EXISTS (SELECT 1 FROM gone)
     ON CONFLICT DO NOTHING
   ), closed_upload AS (
     INSERT INTO "Upload" ("id", "repositoryName", "size", "startedAt", "updatedAt", "closedAt")
     SELECT $5::text, $1, $3::bigint, $6::timestamptz, now(), now()
      WHERE $5::text IS NOT NULL AND EXISTS (SELECT 1 FROM existing UNION ALL SELECT 1 FROM created) AND NOT EXISTS (SELECT 1 FROM gone)
     ON CONFLICT ("id") DO UPDATE SET "size" = EXCLUDED."size", "updatedAt" = EXCLUDED."updatedAt", "closedAt" = EXCLUDED."closedAt"
      WHERE "Upload"."closedAt" IS NULL
   )
   SELECT ${onlyIntoEmptySession ? usable : 'true'} AS "session",
          ${onlyIntoEmptySession ? 'EXISTS (SELECT 1 FROM session)' : 'false'} AS "recorded",
          (SELECT count(*) FROM existing) + (SELECT count(*) FROM created) AS "linked",
          EXISTS (SELECT 1 FROM gone) AS "gone"`,
  )
}

const LINK_BLOB = linkBlobStatement('registry_link_blob', false)
const COMPLETE_EMPTY_UPLOAD = linkBlobStatement('registry_complete_empty_upload', true)

const MANIFEST_BY_TAG = statement(
  'registry_manifest_by_tag',
  `SELECT a."digest", a."mediaType", a."content"
     FROM "Tag" t
     JOIN "Repository" r ON r."id" = t."repositoryId"
     JOIN "Artifact" a ON a."id" = t."artifactId"
    WHERE r."name" = $1 AND t."name" = $2`,
)

const MANIFESTS_BY_TAGS = statement(
  'registry_manifests_by_tags',
  `SELECT t."name" AS "reference", a."digest", a."mediaType", a."content"
     FROM "Tag" t
     JOIN "Repository" r ON r."id" = t."repositoryId"
     JOIN "Artifact" a ON a."id" = t."artifactId"
    WHERE r."name" = $1 AND t."name" = ANY ($2::text[])`,
)

const MANIFESTS_BY_DIGESTS = statement(
  'registry_manifests_by_digests',
  `SELECT a."digest" AS "reference", a."digest", a."mediaType", a."content"
     FROM "Artifact" a
     JOIN "Repository" r ON r."id" = a."repositoryId"
    WHERE r."name" = $1 AND a."digest" = ANY ($2::text[])`,
)

const MANIFEST_BY_DIGEST = statement(
  'registry_manifest_by_digest',
  `SELECT a."digest", a."mediaType", a."content"
     FROM "Artifact" a
     JOIN "Repository" r ON r."id" = a."repositoryId"
    WHERE r."name" = $1 AND a."digest" = $2`,
)

// One statement, so one round trip and atomic by itself: check that every reference ($1-$5, one
// array element per reference) is present in repository $6 (KEY SHARE locks keep a concurrent unlink
// or delete from removing them before commit), and only when none is missing, create the repository
// if needed (in project $7), upsert the artifact (idempotent by digest; a re-push refreshes
// pushedAt), its references (when new) and the tag $16 (moved if needed). A manifest cached from an
// upstream ($18) need not have its references present, and is no push: it queues no PUSH_ARTIFACT.
// The repository's lastPushedAt is refreshed at most once a second: writing the one repository row
// on every push would make concurrent pushes into a repository wait for each other's commit.
const PUT_MANIFEST = statement(
  'registry_put_manifest',
  `WITH input AS (
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[])
       AS i("digest", "kind", "size", "mediaType", "platform")
   ), repo AS (
     SELECT "id", "projectId" FROM "Repository" WHERE "name" = $6
   ), present_blobs AS (
     SELECT rb."digest" FROM "RepositoryBlob" rb JOIN repo ON rb."repositoryId" = repo."id"
      WHERE rb."digest" IN (SELECT "digest" FROM input WHERE "kind" = 'blob')
        FOR KEY SHARE OF rb
   ), present_manifests AS (
     SELECT a."digest" FROM "Artifact" a JOIN repo ON a."repositoryId" = repo."id"
      WHERE a."digest" IN (SELECT "digest" FROM input WHERE "kind" = 'manifest')
        FOR KEY SHARE OF a
   ), missing AS (
     SELECT i."digest" FROM input i
      WHERE NOT $18::boolean
        AND ((i."kind" = 'blob' AND i."digest" NOT IN (SELECT "digest" FROM present_blobs))
         OR (i."kind" = 'manifest' AND i."digest" NOT IN (SELECT "digest" FROM present_manifests)))
   ), created_repo AS (
     INSERT INTO "Repository" ("name", "projectId", "lastPushedAt")
     SELECT $6, p."id", now() FROM "Project" p
      WHERE p."name" = $7 AND NOT EXISTS (SELECT 1 FROM missing) AND NOT EXISTS (SELECT 1 FROM repo)
     ON CONFLICT ("name") DO UPDATE SET "lastPushedAt" = now(), "updatedAt" = now()
     RETURNING "id", "projectId"
   ), saved_repo AS (
     SELECT "id", "projectId" FROM repo WHERE NOT EXISTS (SELECT 1 FROM missing)
     UNION ALL SELECT "id", "projectId" FROM created_repo
   ), pushed_repo AS (
     UPDATE "Repository" r SET "lastPushedAt" = now(), "updatedAt" = now()
       FROM repo
      WHERE r."id" = repo."id" AND NOT EXISTS (SELECT 1 FROM missing)
        AND (r."lastPushedAt" IS NULL OR r."lastPushedAt" < now() - interval '1 second')
   ), artifact AS (
     INSERT INTO "Artifact" ("repositoryId", "digest", "mediaType", "artifactType", "content",
                             "manifestSize", "size", "subjectDigest", "annotations")
     SELECT saved_repo."id", $8, $9, $10, $11::bytea, $12::int, $13::bigint, $14, $15::jsonb
       FROM saved_repo
     ON CONFLICT ("repositoryId", "digest") DO UPDATE SET "pushedAt" = now()
     RETURNING "id", ("xmax" = 0) AS "inserted"
   ), saved_references AS (
     INSERT INTO "ArtifactReference" ("artifactId", "digest", "kind", "size", "mediaType", "platform")
     SELECT artifact."id", i."digest", i."kind"::"ReferenceKind", i."size", i."mediaType", i."platform"::jsonb
       FROM artifact, input i WHERE artifact."inserted"
     ON CONFLICT DO NOTHING
   ), saved_tag AS (
     INSERT INTO "Tag" ("repositoryId", "name", "artifactId")
     SELECT saved_repo."id", $16::text, artifact."id" FROM saved_repo, artifact
      WHERE $16::text IS NOT NULL
     ON CONFLICT ("repositoryId", "name") DO UPDATE SET "artifactId" = EXCLUDED."artifactId", "updatedAt" = now()
   ), event AS (
     ${insertEventSql()}
     SELECT 'PUSH_ARTIFACT', saved_repo."projectId", $6, $8, CASE WHEN $16::text IS NULL THEN '{}'::text[] ELSE ARRAY[$16::text] END,
            $9, $13::bigint, $17
       FROM saved_repo
      WHERE NOT $18::boolean AND ${policyWantsSql('PUSH_ARTIFACT', 'saved_repo."projectId"')}
     RETURNING 1
   )
   SELECT ARRAY(SELECT "digest" FROM missing) AS "missing", EXISTS (SELECT 1 FROM saved_repo) AS "saved",
          EXISTS (SELECT 1 FROM event) AS "queued"`,
)

/**
 * A page of repository $1's tags, at most $2, after $3 in TAGS_AFTER: one row whose array is the page
 * (byte order, read off the `(repositoryId, name)` unique index), no row when the repository does not exist.
 */
const tagsStatement = (name: string, after: string) =>
  statement(
    name,
    `SELECT ARRAY(SELECT t."name" FROM "Tag" t WHERE t."repositoryId" = r."id"${after} ORDER BY t."name" COLLATE "C" LIMIT $2) AS "tags"
       FROM "Repository" r WHERE r."name" = $1`,
  )
const TAGS = tagsStatement('registry_tags', '')
const TAGS_AFTER = tagsStatement('registry_tags_after', ' AND t."name" COLLATE "C" > $3')

const GET_UPLOAD = statement('registry_get_upload', `SELECT "id", "repositoryName", "size", "startedAt", "closedAt" FROM "Upload" WHERE "id" = $1 AND "repositoryName" = $2`)

/** Records an open session; a row that exists already is only touched, and only while it is open. */
const OPEN_UPLOAD = statement(
  'registry_open_upload',
  `INSERT INTO "Upload" ("id", "repositoryName", "size", "startedAt", "updatedAt") VALUES ($1, $2, 0, $3, now())
   ON CONFLICT ("id") DO UPDATE SET "updatedAt" = EXCLUDED."updatedAt" WHERE "Upload"."closedAt" IS NULL
   RETURNING "id"`,
)

const UPDATE_UPLOAD = statement('registry_update_upload', `UPDATE "Upload" SET "size" = $2::bigint, "updatedAt" = now() WHERE "id" = $1 AND "closedAt" IS NULL RETURNING "id"`)

/** Records a session closed (cancelled), recorded before or not; no row back when it already was. */
const CLOSE_UPLOAD = statement(
  'registry_close_upload',
  `INSERT INTO "Upload" ("id", "repositoryName", "size", "startedAt", "updatedAt", "closedAt") VALUES ($1, $2, 0, $3, now(), now())
   ON CONFLICT ("id") DO UPDATE SET "updatedAt" = EXCLUDED."updatedAt", "closedAt" = EXCLUDED."closedAt" WHERE "Upload"."closedAt" IS NULL
   RETURNING "id"`,
)

export interface PrismaRegistryIndexOptions {
  /**
   * The store behind the index: a link to a blob whose bytes garbage collection deleted checks that
   * the bytes are there again before reviving it. Without it such a link fails with BLOB_UNKNOWN.
   */
  blobs?: Pick<BlobStore, 'stat'>
}

/** How often a link retries after reviving a swept blob (a sweep can take it again in between). */
const REVIVE_ATTEMPTS = 3

export class PrismaRegistryIndex implements RegistryIndex {
  private readonly sql: SqlExecutor

  constructor(
    private readonly db: PrismaClient,
    private readonly options: PrismaRegistryIndexOptions = {},
  ) {
    this.sql = sqlExecutor(db)
  }

  // ---------------------------------------------------------------- blobs

  async findBlob(repository: string, digest: Digest): Promise<{ size: number } | null> {
    const rows = await this.sql.query<{ size: bigint | string }>(FIND_BLOB, [repository, digest])
    return rows.length ? { size: toNumber(rows[0].size) } : null
  }

  async linkBlob(repository: string, digest: Digest, size: number): Promise<void> {
    await this.link(repository, digest, size, null)
  }

  async completeUpload(session: UploadSession, digest: Digest, size: number): Promise<void> {
    await this.link(session.repository, digest, size, session)
  }

  async completeEmptyUpload(session: UploadSession, digest: Digest, size: number): Promise<{ recorded: boolean } | null> {
    const rows = await this.quotaChecked(session.repository, digest, undefined, () =>
      this.linkRevivingGone<{ session: boolean; recorded: boolean; linked: bigint | string | number }>(COMPLETE_EMPTY_UPLOAD, digest, size, [
        session.repository,
        digest,
        String(size),
        projectOf(session.repository),
        session.id,
        session.startedAt,
      ]),
    )
    if (!rows.length || !rows[0].session) return null
    if (Number(rows[0].linked) === 0) throw missingProject(session.repository)
    return { recorded: rows[0].recorded }
  }

  private async link(repository: string, digest: Digest, size: number, upload: UploadSession | null): Promise<void> {
    const rows = await this.quotaChecked(repository, digest, undefined, () =>
      this.linkRevivingGone<{ linked: bigint | string | number }>(LINK_BLOB, digest, size, [
        repository,
        digest,
        String(size),
        projectOf(repository),
        upload?.id ?? null,
        upload?.startedAt ?? null,
      ]),
    )
    if (!rows.length || Number(rows[0].linked) === 0) throw missingProject(repository)
  }

  /**
   * Runs a statement that adds to the project's usage; a quota refusal (raised by the database's
   * quota triggers, which roll the whole statement back) becomes the registry's DENIED, after the
   * QUOTA_EXCEED event is recorded.
   */
  private async quotaChecked<T>(repository: string, digest: Digest, actor: Actor | undefined, statement: () => Promise<T>): Promise<T> {
    try {
      return await statement()
    } catch (error) {
      // The blob paths are not told who pushes: their events name no operator (as Harbor's quota events).
      throw (await quotaDenial(this.db, error, repository, digest, actor ? operatorOf(actor) : '')) ?? error
    }
  }

  /** Runs a link statement; when it meets a blob whose bytes GC deleted, revives it (or fails) and runs it again. */
  private async linkRevivingGone<Row>(link: Statement, digest: Digest, size: number, values: unknown[]): Promise<Row[]> {
    for (let attempt = 1; ; attempt++) {
      const rows = await this.sql.query<Row & { gone: boolean }>(link, values)
      if (!rows[0]?.gone) return rows
      if (attempt === REVIVE_ATTEMPTS) throw blobUnknown(digest)
      await this.reviveGoneBlob(digest, size)
    }
  }

  /**
   * A blob GC deleted is being linked again: its bytes are back only if the client stored them after
   * the sweep deleted them. Checked while the row is locked (a sweep cannot take it meanwhile); when
   * they are there the tombstone is cleared, with a fresh creation time (the grace period starts
   * again), else BLOB_UNKNOWN: the client pushes the blob again.
   */
  private async reviveGoneBlob(digest: Digest, size: number): Promise<void> {
    const store = this.options.blobs
    if (!store) throw blobUnknown(digest)
    await this.db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<{ goneAt: Date | null }[]>`SELECT "goneAt" FROM "Blob" WHERE "digest" = ${digest} FOR UPDATE`
        if (!rows.length || rows[0].goneAt === null) return
        const stored = await store.stat(digest)
        if (!stored || stored.size !== size) throw blobUnknown(digest)
        await tx.$executeRaw`UPDATE "Blob" SET "goneAt" = NULL, "deletingAt" = NULL, "size" = ${size}, "createdAt" = now() WHERE "digest" = ${digest}`
      },
      { timeout: 30_000 },
    )
  }

  async unlinkBlob(repository: string, digest: Digest): Promise<boolean> {
    const { count } = await this.db.repositoryBlob.deleteMany({ where: { digest, repository: { name: repository } } })
    return count > 0
  }

  // ---------------------------------------------------------------- manifests and tags

  async getManifest(repository: string, reference: { tag: string } | { digest: Digest }): Promise<StoredManifest | null> {
    type Row = { digest: string; mediaType: string; content: Uint8Array }
    const rows =
      'tag' in reference ? await this.sql.query<Row>(MANIFEST_BY_TAG, [repository, reference.tag]) : await this.sql.query<Row>(MANIFEST_BY_DIGEST, [repository, reference.digest])
    if (!rows.length) return null
    const row = rows[0]
    return { digest: row.digest, mediaType: row.mediaType, content: toBuffer(row.content) }
  }

  /** Many manifests of one repository in at most two round trips (the manifest cache's batched re-reads). */
  async getManifests(repository: string, references: ({ tag: string } | { digest: Digest })[]): Promise<(StoredManifest | null)[]> {
    type Row = { reference: string; digest: string; mediaType: string; content: Uint8Array }
    const tags = references.flatMap((r) => ('tag' in r ? [r.tag] : []))
    const digests = references.flatMap((r) => ('digest' in r ? [r.digest] : []))
    const [byTag, byDigest] = await Promise.all([
      tags.length ? this.sql.query<Row>(MANIFESTS_BY_TAGS, [repository, tags]) : [],
      digests.length ? this.sql.query<Row>(MANIFESTS_BY_DIGESTS, [repository, digests]) : [],
    ])
    const found = (rows: Row[]) => new Map(rows.map((row) => [row.reference, { digest: row.digest, mediaType: row.mediaType, content: toBuffer(row.content) }]))
    const tagged = found(byTag)
    const digested = found(byDigest)
    return references.map((r) => ('tag' in r ? tagged.get(r.tag) : digested.get(r.digest)) ?? null)
  }

  async putManifest(repository: string, manifest: ManifestRecord, tag?: string, actor?: Actor, options: PutManifestOptions = {}): Promise<PutManifestResult> {
    const refs = uniqueReferences(manifest.references)
    const size = BigInt(manifest.content.length) + refs.reduce((sum, r) => sum + BigInt(r.size), 0n)
    const annotations = manifest.annotations ? JSON.stringify(manifest.annotations) : null
    // A proxy-cache project mirrors its upstream, whose tags move: immutability governs hosted content.
    if (tag !== undefined && options.cached !== true) await assertTagChangeAllowed(this.sql, repository, projectOf(repository), tag, manifest.digest)
    const rows = await this.quotaChecked(repository, manifest.digest, actor, () =>
      this.sql.query<{ missing: string[]; saved: boolean; queued: boolean }>(PUT_MANIFEST, [
        refs.map((r) => r.digest),
        refs.map((r) => r.kind),
        refs.map((r) => String(r.size)),
        refs.map((r) => r.mediaType),
        refs.map((r) => (r.platform ? JSON.stringify(r.platform) : null)),
        repository,
        projectOf(repository),
        manifest.digest,
        manifest.mediaType,
        manifest.artifactType ?? null,
        manifest.content,
        manifest.content.length,
        String(size),
        manifest.subject?.digest ?? null,
        annotations,
        tag ?? null,
        operatorOf(actor),
        options.cached === true,
      ]),
    )
    const missing = rows[0]?.missing ?? []
    if (missing.length) return { ok: false, missing }
    // Nothing missing yet nothing saved: the project named by the repository does not exist.
    if (!rows[0]?.saved) throw missingProject(repository)
    if (rows[0].queued) signalOutbox()
    return { ok: true }
  }

  async tagCheckedAt(repository: string, tag: string): Promise<Date | null> {
    const rows = await this.db.$queryRaw<{ checkedUpstreamAt: Date | null }[]>`
      SELECT t."checkedUpstreamAt" FROM "Tag" t JOIN "Repository" r ON r."id" = t."repositoryId"
       WHERE r."name" = ${repository} AND t."name" = ${tag}`
    return rows[0]?.checkedUpstreamAt ?? null
  }

  async markTagChecked(repository: string, tag: string, at: Date): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "Tag" t SET "checkedUpstreamAt" = ${at}
        FROM "Repository" r
       WHERE r."id" = t."repositoryId" AND r."name" = ${repository} AND t."name" = ${tag}`
  }

  async deleteTag(repository: string, tag: string, actor?: Actor): Promise<{ digest: Digest } | null> {
    await assertTagChangeAllowed(this.sql, repository, projectOf(repository), tag, null)
    const rows = await this.db.$queryRaw<{ digest: string; queued: boolean }[]>`
      WITH gone AS (
        DELETE FROM "Tag" t
         USING "Repository" r, "Artifact" a
         WHERE r."id" = t."repositoryId" AND a."id" = t."artifactId"
           AND r."name" = ${repository} AND t."name" = ${tag}
        RETURNING a."digest", a."mediaType", a."size", r."projectId"
      ), event AS (
        ${Prisma.raw(insertEventSql())}
        SELECT 'DELETE_TAG', gone."projectId", ${repository}, gone."digest", ARRAY[${tag}]::text[], gone."mediaType", gone."size", ${operatorOf(actor)}
          FROM gone
         WHERE ${Prisma.raw(policyWantsSql('DELETE_TAG', 'gone."projectId"'))}
        RETURNING 1
      )
      SELECT gone."digest", EXISTS (SELECT 1 FROM event) AS "queued" FROM gone`
    if (!rows.length) return null
    if (rows[0].queued) signalOutbox()
    return { digest: rows[0].digest }
  }

  async deleteManifest(repository: string, digest: Digest, actor?: Actor): Promise<DeleteManifestResult | null> {
    // Race-free in PostgreSQL, not by timing. First the manifest and the children it references are
    // locked (FOR UPDATE conflicts with the KEY SHARE locks putManifest takes on the manifests an index
    // references, and with the foreign-key check of a new tag), so an index or tag that commits first
    // is seen by the statements below (each takes a fresh snapshot) and one that comes later finds the
    // manifest gone (putManifest answers it as missing). Then: refused while another index of the
    // repository references it; else it, its tags and its children that nothing else needs go at once.
    const outcome = await this.db.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: number; digest: string; repositoryId: number }[]>`
        SELECT a."id", a."digest", a."repositoryId" FROM "Artifact" a
          JOIN "Repository" r ON r."id" = a."repositoryId"
         WHERE r."name" = ${repository}
           AND (a."digest" = ${digest} OR a."digest" IN (
                 SELECT ref."digest" FROM "ArtifactReference" ref
                   JOIN "Artifact" t ON t."id" = ref."artifactId"
                  WHERE t."repositoryId" = r."id" AND t."digest" = ${digest} AND ref."kind" = 'manifest'))
         ORDER BY a."id"
           FOR UPDATE OF a`
      const target = locked.find((row) => row.digest === digest)
      if (!target) return null
      const parents = await tx.$queryRaw<{ digest: string }[]>`
        SELECT DISTINCT p."digest" FROM "ArtifactReference" ref
          JOIN "Artifact" p ON p."id" = ref."artifactId"
         WHERE ref."digest" = ${digest} AND ref."kind" = 'manifest'
           AND p."repositoryId" = ${target.repositoryId} AND p."id" <> ${target.id}
         ORDER BY p."digest"`
      if (parents.length) return { ok: false as const, referencedBy: parents.map((p) => p.digest) }
      // The lock above makes a concurrent tagging wait, so the tags read here are all the artifact has.
      const tags = await tx.$queryRaw<{ name: string }[]>`SELECT "name" FROM "Tag" WHERE "artifactId" = ${target.id} ORDER BY "name" COLLATE "C"`
      await assertTagsDeletable(
        tx,
        repository,
        projectOf(repository),
        tags.map((t) => t.name),
      )
      const candidates = locked.filter((row) => row.id !== target.id).map((row) => row.id)
      // The tags are deleted explicitly (the FK cascade would not tell us their names); the references
      // of what goes cascade. One webhook event per deleted manifest.
      const rows = await tx.$queryRaw<{ digest: string; mediaType: string; isTarget: boolean; tags: string[]; queued: boolean }[]>`
        WITH target AS (
          SELECT a."id", a."repositoryId", r."projectId" FROM "Artifact" a
            JOIN "Repository" r ON r."id" = a."repositoryId"
           WHERE a."id" = ${target.id}
        ), children AS (
          SELECT c."id" FROM "Artifact" c, target
           WHERE c."id" = ANY(${candidates}::int[])
             AND NOT EXISTS (SELECT 1 FROM "Tag" t WHERE t."artifactId" = c."id")
             AND NOT EXISTS (
                   SELECT 1 FROM "ArtifactReference" ref
                     JOIN "Artifact" p ON p."id" = ref."artifactId"
                    WHERE ref."digest" = c."digest" AND ref."kind" = 'manifest'
                      AND p."repositoryId" = target."repositoryId" AND p."id" <> target."id")
        ), gone_tags AS (
          DELETE FROM "Tag" WHERE "artifactId" IN (SELECT "id" FROM target) RETURNING "name"
        ), gone AS (
          DELETE FROM "Artifact" WHERE "id" IN (SELECT "id" FROM target UNION ALL SELECT "id" FROM children)
          RETURNING "id", "digest", "mediaType", "size"
        ), gone_tag_names AS (
          SELECT ARRAY(SELECT "name"::text FROM gone_tags ORDER BY "name" COLLATE "C") AS "tags"
        ), event AS (
          ${Prisma.raw(insertEventSql())}
          SELECT 'DELETE_ARTIFACT', target."projectId", ${repository}, gone."digest",
                 CASE WHEN gone."id" = target."id" THEN gone_tag_names."tags" ELSE '{}'::text[] END,
                 gone."mediaType", gone."size", ${operatorOf(actor)}
            FROM target, gone, gone_tag_names
           WHERE ${Prisma.raw(policyWantsSql('DELETE_ARTIFACT', 'target."projectId"'))}
          RETURNING 1
        )
        SELECT gone."digest", gone."mediaType", gone."id" = target."id" AS "isTarget", gone_tag_names."tags",
               EXISTS (SELECT 1 FROM event) AS "queued"
          FROM gone, target, gone_tag_names
         ORDER BY gone."digest"`
      const deleted = rows.find((row) => row.isTarget)
      if (!deleted) return null
      return {
        ok: true as const,
        mediaType: deleted.mediaType,
        tags: deleted.tags ?? [],
        children: rows.filter((row) => !row.isTarget).map((row) => ({ digest: row.digest, mediaType: row.mediaType })),
        queued: deleted.queued,
      }
    })
    if (!outcome || !outcome.ok) return outcome
    const { queued, ...result } = outcome
    if (queued) signalOutbox()
    return result
  }

  // ---------------------------------------------------------------- listings

  async listTags(repository: string, page: Page): Promise<string[] | null> {
    // One round trip, one row: none means no such repository.
    const rows =
      page.last === undefined
        ? await this.sql.query<{ tags: string[] }>(TAGS, [repository, limitOf(page)])
        : await this.sql.query<{ tags: string[] }>(TAGS_AFTER, [repository, limitOf(page), page.last])
    return rows.length ? rows[0].tags : null
  }

  async listRepositories(page: Page, actor: Actor): Promise<string[]> {
    // Only what the actor may read (lib/auth/project-access.ts encodes the subject in Actor.id).
    // Walks the byte-ordered unique index on "name" and filters by project, so a page costs at most
    // the rows it skips plus the limit (capped by the engine's maximum page size).
    const after = page.last !== undefined ? Prisma.sql`"name" COLLATE "C" > ${page.last}` : Prisma.sql`TRUE`
    const readable = readableProjectsSql(parseActorId(actor.id), Prisma.raw('"projectId"'))
    const rows = await this.db.$queryRaw<{ name: string }[]>`
      SELECT "name" FROM "Repository" WHERE ${after} AND ${readable}
       ORDER BY "name" COLLATE "C" LIMIT ${limitOf(page)}`
    return rows.map((r) => r.name)
  }

  async listReferrers(repository: string, digest: Digest, artifactType?: string): Promise<Descriptor[]> {
    const rows = await this.db.artifact.findMany({
      where: {
        repository: { name: repository },
        subjectDigest: digest,
        ...(artifactType !== undefined ? { artifactType } : {}),
      },
      select: { mediaType: true, digest: true, manifestSize: true, artifactType: true, annotations: true },
      orderBy: { id: 'asc' },
    })
    return rows.map((a) => {
      const d: Descriptor = { mediaType: a.mediaType, digest: a.digest, size: a.manifestSize }
      if (a.artifactType !== null) d.artifactType = a.artifactType
      if (a.annotations !== null && typeof a.annotations === 'object' && !Array.isArray(a.annotations)) d.annotations = a.annotations as Record<string, string>
      return d
    })
  }

  // ---------------------------------------------------------------- upload sessions

  async getUpload(repository: string, id: string): Promise<UploadRecord | null> {
    const rows = await this.sql.query<UploadRow & { closedAt: Date | null }>(GET_UPLOAD, [id, repository])
    if (!rows.length) return null
    return rows[0].closedAt ? { state: 'closed' } : { state: 'open', session: toSession(rows[0]) }
  }

  async openUpload(session: UploadSession): Promise<boolean> {
    const rows = await this.sql.query(OPEN_UPLOAD, [session.id, session.repository, session.startedAt])
    return rows.length > 0
  }

  async updateUpload(id: string, size: number): Promise<boolean> {
    const rows = await this.sql.query(UPDATE_UPLOAD, [id, String(size)])
    return rows.length > 0
  }

  async closeUpload(session: UploadSession): Promise<boolean> {
    const rows = await this.sql.query(CLOSE_UPLOAD, [session.id, session.repository, session.startedAt])
    return rows.length > 0
  }

  async deleteUpload(id: string): Promise<void> {
    await this.db.upload.deleteMany({ where: { id } })
  }

  async purgeClosedUploads(before: Date): Promise<number> {
    // Ended before `before`, so started before it too: the id has expired and cannot come back.
    const { count } = await this.db.upload.deleteMany({ where: { closedAt: { not: null }, updatedAt: { lt: before } } })
    return count
  }

  async listStaleUploads(before: Date, limit: number): Promise<UploadSession[]> {
    const rows = await this.db.upload.findMany({
      where: { closedAt: null, updatedAt: { lt: before } },
      orderBy: { updatedAt: 'asc' },
      take: Math.max(0, Math.floor(limit)),
    })
    return rows.map(toSession)
  }
}

type UploadRow = { id: string; repositoryName: string; size: bigint | string; startedAt: Date }

function blobUnknown(digest: Digest): RegistryError {
  return new RegistryError('BLOB_UNKNOWN', { message: 'the blob was garbage-collected meanwhile: push it again', detail: { digest } })
}

function toSession(row: UploadRow): UploadSession {
  return { id: row.id, repository: row.repositoryName, size: toNumber(row.size), startedAt: row.startedAt }
}
