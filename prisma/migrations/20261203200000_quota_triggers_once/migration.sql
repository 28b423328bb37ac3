-- Storage quotas (issue #13), the triggers of 20261203170000_storage_quotas expressed once per kind
-- of change, for both kinds of reference a repository holds: a linked blob ("RepositoryBlob",
-- counted at the blob's size) and a manifest ("Artifact", counted at its manifest's size).
--
-- - A reference added: one row trigger for both tables (in place of two near-copies); it finds the
--   project and calls quota_add_reference as before (the limit check, QUOTA_WARNING).
-- - References removed: one statement trigger for both tables, over the statement's deleted rows
--   (a transition table), in place of a row trigger per deleted row. Garbage collection and
--   repository deletes remove thousands of references in one statement; row by row, each updated
--   the project's "ProjectQuota" row again in the same transaction, and every update walked the
--   chain of that row's versions the transaction had made before, so a batch cost grew with its
--   square. Now the statement locks the quota rows of its projects (in id order, before any
--   "ProjectBlob" row: the one lock order), takes each digest's references off once, deletes the
--   "ProjectBlob" rows left without any and subtracts their bytes once per project. The counts are
--   the same as before, row by row.

CREATE FUNCTION "quota_reference_added"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  project_id integer;
BEGIN
  SELECT "projectId" INTO project_id FROM "Repository" WHERE "id" = NEW."repositoryId";
  IF NOT FOUND THEN RETURN NULL; END IF;
  IF TG_TABLE_NAME = 'Artifact' THEN
    PERFORM "quota_add_reference"(project_id, NEW."repositoryId", NEW."digest", NEW."manifestSize"::bigint);
  ELSE
    PERFORM "quota_add_reference"(project_id, NEW."repositoryId", NEW."digest", (SELECT "size" FROM "Blob" WHERE "digest" = NEW."digest"));
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION "quota_references_removed"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM "ProjectQuota"
   WHERE "projectId" IN (SELECT r."projectId" FROM removed JOIN "Repository" r ON r."id" = removed."repositoryId")
   ORDER BY "projectId" FOR UPDATE;
  -- The references taken off per project and digest. A project being deleted (its cascade reaches
  -- the links before its quota row) is left out: its "ProjectBlob" rows go with it, and updating one
  -- in that statement would re-check its foreign key against the project row already gone.
  WITH counted AS (
    SELECT r."projectId", removed."digest", count(*)::integer AS "n"
      FROM removed JOIN "Repository" r ON r."id" = removed."repositoryId"
     WHERE EXISTS (SELECT 1 FROM "Project" p WHERE p."id" = r."projectId")
     GROUP BY r."projectId", removed."digest"
  ), freed AS (
    DELETE FROM "ProjectBlob" pb USING counted c
     WHERE pb."projectId" = c."projectId" AND pb."digest" = c."digest" AND pb."refs" <= c."n"
    RETURNING pb."projectId", pb."size"
  ), kept AS (
    UPDATE "ProjectBlob" pb SET "refs" = pb."refs" - c."n" FROM counted c
     WHERE pb."projectId" = c."projectId" AND pb."digest" = c."digest" AND pb."refs" > c."n"
  )
  UPDATE "ProjectQuota" pq SET "storageUsed" = pq."storageUsed" - f."bytes"
    FROM (SELECT "projectId", sum("size") AS "bytes" FROM freed GROUP BY "projectId") f
   WHERE pq."projectId" = f."projectId";
  RETURN NULL;
END $$;

DROP TRIGGER "RepositoryBlob_quota" ON "RepositoryBlob";
CREATE TRIGGER "RepositoryBlob_quota_added" AFTER INSERT ON "RepositoryBlob"
  FOR EACH ROW EXECUTE FUNCTION "quota_reference_added"();
CREATE TRIGGER "RepositoryBlob_quota_removed" AFTER DELETE ON "RepositoryBlob"
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION "quota_references_removed"();

DROP TRIGGER "Artifact_quota" ON "Artifact";
CREATE TRIGGER "Artifact_quota_added" AFTER INSERT ON "Artifact"
  FOR EACH ROW EXECUTE FUNCTION "quota_reference_added"();
CREATE TRIGGER "Artifact_quota_removed" AFTER DELETE ON "Artifact"
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION "quota_references_removed"();

DROP FUNCTION "quota_repository_blob_changed"();
DROP FUNCTION "quota_artifact_changed"();
DROP FUNCTION "quota_remove_reference"(integer, text);
