-- AlterTable
ALTER TABLE "WebhookEvent" ADD COLUMN     "quota" JSONB;

-- CreateTable
CREATE TABLE "ProjectQuota" (
    "projectId" INTEGER NOT NULL,
    "storageLimit" BIGINT NOT NULL DEFAULT -1,
    "storageUsed" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProjectQuota_pkey" PRIMARY KEY ("projectId")
);

-- CreateTable
CREATE TABLE "ProjectBlob" (
    "projectId" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "refs" INTEGER NOT NULL,

    CONSTRAINT "ProjectBlob_pkey" PRIMARY KEY ("projectId","digest")
);

-- AddForeignKey
ALTER TABLE "ProjectQuota" ADD CONSTRAINT "ProjectQuota_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProjectBlob" ADD CONSTRAINT "ProjectBlob_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Storage quotas (issue #13). A project's usage is the size of the distinct digests its repositories
-- hold (blobs linked to a repository, manifests), each counted once however many repositories hold
-- it, as Harbor counts. It is kept exact by the triggers below, in the same transaction as every
-- change that adds or removes a reference (a blob link, a mount, a manifest, an unlink, an artifact
-- or repository delete, garbage collection), whichever code makes it. Each change first locks the
-- project's "ProjectQuota" row: changes to one project's usage are serialised there, so concurrent
-- pushes can never together pass the limit, and taking that row before any "ProjectBlob" row keeps
-- one lock order (no deadlock). A reference that would take the usage over a limit (>= 0) raises
-- SQLSTATE RQ001 with the figures as JSON in DETAIL; the statement, and so the link or manifest,
-- is rolled back, and lib/quota maps the error to the registry's DENIED.

CREATE FUNCTION "quota_add_reference"(project_id integer, repository_id integer, ref_digest text, ref_size bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  pq "ProjectQuota"%ROWTYPE;
  first_reference boolean;
  threshold numeric;
BEGIN
  SELECT * INTO pq FROM "ProjectQuota" WHERE "projectId" = project_id FOR UPDATE;
  -- No row: the project is being deleted with everything in it.
  IF NOT FOUND THEN RETURN; END IF;
  INSERT INTO "ProjectBlob" AS pb ("projectId", "digest", "size", "refs") VALUES (project_id, ref_digest, ref_size, 1)
  ON CONFLICT ("projectId", "digest") DO UPDATE SET "refs" = pb."refs" + 1
  RETURNING pb."refs" = 1 INTO first_reference;
  IF NOT first_reference THEN RETURN; END IF;
  IF pq."storageLimit" >= 0 AND pq."storageUsed" + ref_size > pq."storageLimit" THEN
    RAISE EXCEPTION 'quota exceeded' USING ERRCODE = 'RQ001',
      DETAIL = json_build_object('projectId', project_id, 'used', pq."storageUsed", 'limit', pq."storageLimit", 'needed', ref_size)::text;
  END IF;
  UPDATE "ProjectQuota" SET "storageUsed" = "storageUsed" + ref_size WHERE "projectId" = project_id;
  -- QUOTA_WARNING when this reference takes the usage across the warning threshold (the
  -- quotaWarningPercent setting, default 85). Written only when a policy wants it (as the outbox does).
  IF pq."storageLimit" > 0 THEN
    threshold := pq."storageLimit" * COALESCE((SELECT ("value" #>> '{}')::numeric FROM "Setting" WHERE "key" = 'quotaWarningPercent'), 85) / 100;
    IF pq."storageUsed" < threshold AND pq."storageUsed" + ref_size >= threshold THEN
      INSERT INTO "WebhookEvent" ("type", "projectId", "repository", "digest", "tags", "size", "operator", "quota")
      SELECT 'QUOTA_WARNING', project_id, r."name", ref_digest, '{}'::text[], ref_size, '',
             jsonb_build_object('used', pq."storageUsed" + ref_size, 'limit', pq."storageLimit", 'needed', ref_size)
        FROM "Repository" r
       WHERE r."id" = repository_id
         AND EXISTS (SELECT 1 FROM "WebhookPolicy" w
                      WHERE w."enabled" AND (w."projectId" = project_id OR w."projectId" IS NULL)
                        AND 'QUOTA_WARNING' = ANY (w."eventTypes"));
    END IF;
  END IF;
END $$;

CREATE FUNCTION "quota_remove_reference"(project_id integer, ref_digest text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  remaining integer;
  freed bigint;
BEGIN
  PERFORM 1 FROM "ProjectQuota" WHERE "projectId" = project_id FOR UPDATE;
  IF NOT FOUND THEN RETURN; END IF;
  -- The project itself is being deleted (its cascade reaches the links before its quota row): its
  -- "ProjectBlob" rows go with it. Updating one twice in that statement would re-check its foreign
  -- key against the project row already gone, and fail the delete.
  IF NOT EXISTS (SELECT 1 FROM "Project" WHERE "id" = project_id) THEN RETURN; END IF;
  UPDATE "ProjectBlob" SET "refs" = "refs" - 1 WHERE "projectId" = project_id AND "digest" = ref_digest
  RETURNING "refs", "size" INTO remaining, freed;
  IF NOT FOUND OR remaining > 0 THEN RETURN; END IF;
  DELETE FROM "ProjectBlob" WHERE "projectId" = project_id AND "digest" = ref_digest;
  UPDATE "ProjectQuota" SET "storageUsed" = "storageUsed" - freed WHERE "projectId" = project_id;
END $$;

CREATE FUNCTION "quota_repository_blob_changed"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  project_id integer;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT "projectId" INTO project_id FROM "Repository" WHERE "id" = NEW."repositoryId";
    IF FOUND THEN
      PERFORM "quota_add_reference"(project_id, NEW."repositoryId", NEW."digest", (SELECT "size" FROM "Blob" WHERE "digest" = NEW."digest"));
    END IF;
  ELSE
    SELECT "projectId" INTO project_id FROM "Repository" WHERE "id" = OLD."repositoryId";
    IF FOUND THEN PERFORM "quota_remove_reference"(project_id, OLD."digest"); END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "RepositoryBlob_quota" AFTER INSERT OR DELETE ON "RepositoryBlob"
  FOR EACH ROW EXECUTE FUNCTION "quota_repository_blob_changed"();

CREATE FUNCTION "quota_artifact_changed"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  project_id integer;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT "projectId" INTO project_id FROM "Repository" WHERE "id" = NEW."repositoryId";
    IF FOUND THEN PERFORM "quota_add_reference"(project_id, NEW."repositoryId", NEW."digest", NEW."manifestSize"::bigint); END IF;
  ELSE
    SELECT "projectId" INTO project_id FROM "Repository" WHERE "id" = OLD."repositoryId";
    IF FOUND THEN PERFORM "quota_remove_reference"(project_id, OLD."digest"); END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "Artifact_quota" AFTER INSERT OR DELETE ON "Artifact"
  FOR EACH ROW EXECUTE FUNCTION "quota_artifact_changed"();

-- A repository's links and manifests are deleted before the repository itself (not by the foreign
-- keys' cascade, after it), so the triggers above still find the project they count against.
CREATE FUNCTION "quota_repository_deleting"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "Artifact" WHERE "repositoryId" = OLD."id";
  DELETE FROM "RepositoryBlob" WHERE "repositoryId" = OLD."id";
  RETURN OLD;
END $$;

CREATE TRIGGER "Repository_quota" BEFORE DELETE ON "Repository"
  FOR EACH ROW EXECUTE FUNCTION "quota_repository_deleting"();

-- Every project has its quota row, limited by the defaultStorageLimit setting (-1, unlimited, without it).
CREATE FUNCTION "quota_project_created"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "ProjectQuota" ("projectId", "storageLimit")
  VALUES (NEW."id", COALESCE((SELECT ("value" #>> '{}')::bigint FROM "Setting" WHERE "key" = 'defaultStorageLimit'), -1));
  RETURN NULL;
END $$;

CREATE TRIGGER "Project_quota" AFTER INSERT ON "Project"
  FOR EACH ROW EXECUTE FUNCTION "quota_project_created"();

-- What existing projects hold (the same count lib/quota's recount makes).
INSERT INTO "ProjectBlob" ("projectId", "digest", "size", "refs")
SELECT "projectId", "digest", max("size"), count(*)
  FROM (SELECT r."projectId", rb."digest", b."size"
          FROM "RepositoryBlob" rb JOIN "Repository" r ON r."id" = rb."repositoryId" JOIN "Blob" b ON b."digest" = rb."digest"
        UNION ALL
        SELECT r."projectId", a."digest", a."manifestSize"::bigint
          FROM "Artifact" a JOIN "Repository" r ON r."id" = a."repositoryId") held
 GROUP BY "projectId", "digest";

INSERT INTO "ProjectQuota" ("projectId", "storageUsed")
SELECT p."id", COALESCE((SELECT sum(pb."size") FROM "ProjectBlob" pb WHERE pb."projectId" = p."id"), 0)
  FROM "Project" p;
