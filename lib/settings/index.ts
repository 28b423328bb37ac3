// System settings changed at run time by a system admin, stored in the `Setting` table
// (one JSON value per key, shared by every replica).
import { z } from 'zod'
import type { PrismaClient } from '../db/prisma'
import { requireSystem } from '../projects/access'
import { auditActor, recordAudit, type Caller } from '../audit'

// The response shapes live in ./schema (the dashboard imports them too); the request shapes here.
export * from './schema'

export interface Settings {
  /** Whether anyone may create an account (POST /api/v1/users without being an admin). */
  signupEnabled: boolean
}

const DEFAULTS: Settings = { signupEnabled: true }

export const settingsUpdateSchema = z.strictObject({ signupEnabled: z.boolean({ error: 'signupEnabled must be true or false' }).optional() })
export type SettingsUpdate = z.infer<typeof settingsUpdateSchema>

type SettingReader = Pick<PrismaClient, 'setting'>

export async function readSettings(prisma: SettingReader): Promise<Settings> {
  const rows = await prisma.setting.findMany({ where: { key: { in: Object.keys(DEFAULTS) } } })
  const settings: Settings = { ...DEFAULTS }
  for (const row of rows) {
    if (row.key === 'signupEnabled' && typeof row.value === 'boolean') settings.signupEnabled = row.value
  }
  return settings
}

export async function isSignupEnabled(prisma: SettingReader): Promise<boolean> {
  return (await readSettings(prisma)).signupEnabled
}

export async function getSettings(prisma: PrismaClient, caller: Caller): Promise<Settings> {
  requireSystem(caller.subject, 'system:admin', 'only system administrators may read the settings')
  return readSettings(prisma)
}

export async function updateSettings(prisma: PrismaClient, caller: Caller, update: SettingsUpdate): Promise<Settings> {
  requireSystem(caller.subject, 'system:admin', 'only system administrators may change the settings')
  await prisma.$transaction(async (tx) => {
    for (const [key, value] of Object.entries(update)) {
      if (value === undefined) continue
      await tx.setting.upsert({ where: { key }, create: { key, value }, update: { value } })
    }
    await recordAudit(tx, { ...auditActor(caller), action: 'settings.update', resourceType: 'settings', resource: 'system', detail: update })
  })
  return readSettings(prisma)
}
