-- AlterTable
ALTER TABLE "Tag" ADD COLUMN     "checkedUpstreamAt" TIMESTAMPTZ(3);
