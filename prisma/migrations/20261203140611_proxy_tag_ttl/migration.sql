-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "proxyTagTtlSeconds" INTEGER NOT NULL DEFAULT 300;
