// Replicas that do not share DATA_DIR must be given the same secrets (README, "Replicas"). A replica
// given another value starts and serves, and fails only when a request crosses over (a token from
// another replica refused, an upload that cannot continue, a session signed out, stored credentials
// unreadable). So every replica records at start the ids of its secrets in the database (public or
// one-way values that reveal nothing of the secrets), and says which ones differ from those of the
// replica that started before it. After a deliberate change on all replicas this is said once.
import { createHmac } from 'node:crypto'
import type { PrismaClient } from '../db/prisma'

const SETTING_KEY = 'replica-secret-ids'

/** The ids of the secrets replicas must share, by the variable that sets each. */
export interface SharedSecretIds {
  /** The token signing key's `kid` (upload session ids are signed with a key derived from it). */
  TOKEN_PRIVATE_KEY_FILE: string
  NEXTAUTH_SECRET: string
  /** SecretBox's key id (SECRET_KEY or SECRET_KEY_FILE). */
  SECRET_KEY: string
}

/** A one-way id of the browser session secret. */
export function sessionSecretId(secret: string): string {
  return createHmac('sha256', secret).update('session secret id').digest().subarray(0, 16).toString('hex')
}

/**
 * Records `ids` as this replica's and resolves the variables whose id differs from the one recorded
 * by the replica that started before (none on a first start).
 */
export async function recordSharedSecretIds(prisma: PrismaClient, ids: SharedSecretIds): Promise<(keyof SharedSecretIds)[]> {
  const previous = await prisma.setting.findUnique({ where: { key: SETTING_KEY } })
  const value = { ...ids }
  await prisma.setting.upsert({ where: { key: SETTING_KEY }, create: { key: SETTING_KEY, value }, update: { value } })
  const recorded = (previous?.value ?? {}) as Partial<Record<keyof SharedSecretIds, unknown>>
  return (Object.keys(ids) as (keyof SharedSecretIds)[]).filter((name) => recorded[name] !== undefined && recorded[name] !== ids[name])
}
