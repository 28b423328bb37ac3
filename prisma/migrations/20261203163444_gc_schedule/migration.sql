-- CreateEnum
CREATE TYPE "GcRunStatus" AS ENUM ('running', 'succeeded', 'failed', 'cancelled');

-- AlterTable
ALTER TABLE "Blob" ADD COLUMN     "deletingAt" TIMESTAMPTZ(3),
ADD COLUMN     "goneAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "ScheduledJob" (
    "kind" TEXT NOT NULL,
    "scope" TEXT NOT NULL DEFAULT '',
    "schedule" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "params" JSONB NOT NULL DEFAULT '{}',
    "nextRunAt" TIMESTAMPTZ(3) NOT NULL,
    "lastRunAt" TIMESTAMPTZ(3),
    "updatedBy" TEXT,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ScheduledJob_pkey" PRIMARY KEY ("kind","scope")
);

-- CreateTable
CREATE TABLE "GcRun" (
    "id" SERIAL NOT NULL,
    "status" "GcRunStatus" NOT NULL DEFAULT 'running',
    "dryRun" BOOLEAN NOT NULL,
    "deleteUntagged" BOOLEAN NOT NULL,
    "gracePeriodSeconds" INTEGER NOT NULL,
    "trigger" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "blobsDeleted" INTEGER NOT NULL DEFAULT 0,
    "bytesFreed" BIGINT NOT NULL DEFAULT 0,
    "artifactsDeleted" INTEGER NOT NULL DEFAULT 0,
    "uploadsDeleted" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "log" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "GcRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ScheduledJob_nextRunAt_idx" ON "ScheduledJob"("nextRunAt");

-- CreateIndex
CREATE INDEX "GcRun_startedAt_idx" ON "GcRun"("startedAt");
