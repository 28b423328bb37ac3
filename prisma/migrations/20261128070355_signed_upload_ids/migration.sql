-- Upload sessions are now recorded lazily under engine-signed ids and kept, closed, until the id expires.
-- Sessions started before this migration had unsigned ids: they stop working and the purge removes them.
-- AlterTable
ALTER TABLE "Upload" ADD COLUMN     "closedAt" TIMESTAMPTZ(3);
