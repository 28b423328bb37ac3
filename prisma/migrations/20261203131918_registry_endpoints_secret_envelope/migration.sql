-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "proxyRegistryId" INTEGER;

-- AlterTable: webhook secrets move into the secret envelope (lib/secrets). The clear-text values are
-- kept under new names, not dropped: the server seals them into the envelope columns at start
-- (lib/webhooks/seal-plaintext.ts), which needs the key that only the running server has.
ALTER TABLE "WebhookPolicy" RENAME COLUMN "authHeader" TO "plaintextAuthHeader";
ALTER TABLE "WebhookPolicy" RENAME COLUMN "secret" TO "plaintextSecret";
ALTER TABLE "WebhookPolicy" ADD COLUMN     "authHeaderEnvelope" TEXT,
ADD COLUMN     "secretEnvelope" TEXT;

-- CreateTable
CREATE TABLE "RegistryEndpoint" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "username" TEXT,
    "credentialEnvelope" TEXT,
    "insecure" BOOLEAN NOT NULL DEFAULT false,
    "createdBy" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RegistryEndpoint_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "RegistryEndpoint_name_key" ON "RegistryEndpoint"("name");

-- CreateIndex
CREATE INDEX "Project_proxyRegistryId_idx" ON "Project"("proxyRegistryId");

-- AddForeignKey
ALTER TABLE "Project" ADD CONSTRAINT "Project_proxyRegistryId_fkey" FOREIGN KEY ("proxyRegistryId") REFERENCES "RegistryEndpoint"("id") ON DELETE NO ACTION ON UPDATE CASCADE;
