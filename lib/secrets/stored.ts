// The columns that hold sealed values, as one list, for checks across all of them.
import type { PrismaClient } from '../db/prisma'
import type { SecretBox } from './envelope'

/**
 * Rows whose sealed values were not sealed with `box`'s key (a replica given another SECRET_KEY, a
 * replaced DATA_DIR/secret-key): they cannot be opened until the server has that key again.
 */
export async function rowsSealedWithOtherKeys(prisma: Pick<PrismaClient, '$queryRaw'>, box: SecretBox): Promise<number> {
  const ours = `v1:${box.keyId}:%`
  const [{ rows }] = await prisma.$queryRaw<{ rows: number }[]>`
    SELECT ((SELECT count(*) FROM "WebhookPolicy" WHERE "secretEnvelope" NOT LIKE ${ours} OR "authHeaderEnvelope" NOT LIKE ${ours})
          + (SELECT count(*) FROM "RegistryEndpoint" WHERE "credentialEnvelope" NOT LIKE ${ours}))::int AS "rows"`
  return rows
}
