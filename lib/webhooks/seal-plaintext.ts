// Webhook secrets and Authorization values were stored in clear text before the secret envelope; the
// migration that introduced it kept them in `plaintextSecret` / `plaintextAuthHeader`. At every start
// this seals what is left there into the envelope columns and clears the clear-text ones. Idempotent
// and safe for replicas starting together: each row is changed only if it still holds the values read.
import type { PrismaClient } from '../db/prisma'
import { SECRET_CONTEXT, type SecretBox } from '../secrets/envelope'

/** Seals the clear-text secrets left from before the envelope; answers how many policies it changed. */
export async function sealPlaintextWebhookSecrets(prisma: PrismaClient, secrets: SecretBox): Promise<number> {
  const rows = await prisma.webhookPolicy.findMany({
    where: { OR: [{ plaintextSecret: { not: null } }, { plaintextAuthHeader: { not: null } }] },
    select: { id: true, plaintextSecret: true, plaintextAuthHeader: true },
  })
  let sealed = 0
  for (const row of rows) {
    const data: { plaintextSecret?: null; secretEnvelope?: string; plaintextAuthHeader?: null; authHeaderEnvelope?: string } = {}
    if (row.plaintextSecret !== null) Object.assign(data, { plaintextSecret: null, secretEnvelope: secrets.seal(row.plaintextSecret, SECRET_CONTEXT.webhookSecret) })
    if (row.plaintextAuthHeader !== null) {
      Object.assign(data, { plaintextAuthHeader: null, authHeaderEnvelope: secrets.seal(row.plaintextAuthHeader, SECRET_CONTEXT.webhookAuthHeader) })
    }
    const { count } = await prisma.webhookPolicy.updateMany({
      where: { id: row.id, plaintextSecret: row.plaintextSecret, plaintextAuthHeader: row.plaintextAuthHeader },
      data,
    })
    sealed += count
  }
  return sealed
}
