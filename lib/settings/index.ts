// System settings changed at run time by a system admin, stored in the `Setting` table
// (one JSON value per key, shared by every replica).
import { z } from 'zod'
import type { PrismaClient } from '../db/prisma'
import { requireSystem } from '../projects/access'
import { auditActor, recordAudit, type Caller } from '../audit'
import { invalid } from '../errors'
import { invalidateProxyRoutes } from '../proxy/route-cache'
import { DEFAULT_QUOTA_WARNING_PERCENT, UNLIMITED, storageLimitSchema } from '../quota/schema'

// The response shapes live in ./schema (the dashboard imports them too); the request shapes here.
export * from './schema'

export interface Settings {
  /** Whether anyone may create an account (POST /api/v1/users without being an admin). */
  signupEnabled: boolean
  /** The proxy-cache project that serves names that are not local projects (the transparent mirror); null: none. */
  mirrorProject: string | null
  /** The storage quota new projects get (bytes, -1 unlimited); read by the database when a project is created (lib/quota). */
  defaultStorageLimit: number
  /** QUOTA_WARNING fires when a project's usage crosses this share of its quota; read by the database's quota triggers. */
  quotaWarningPercent: number
}

const DEFAULTS: Settings = { signupEnabled: true, mirrorProject: null, defaultStorageLimit: UNLIMITED, quotaWarningPercent: DEFAULT_QUOTA_WARNING_PERCENT }

export const settingsUpdateSchema = z.strictObject({
  signupEnabled: z.boolean({ error: 'signupEnabled must be true or false' }).optional(),
  mirrorProject: z.string({ error: 'mirrorProject must be the name of a proxy-cache project, or null' }).min(1).max(255).nullable().optional(),
  defaultStorageLimit: storageLimitSchema.optional(),
  quotaWarningPercent: z
    .number({ error: 'quotaWarningPercent must be a percentage between 1 and 100' })
    .int({ error: 'quotaWarningPercent must be a whole percentage between 1 and 100' })
    .min(1, { error: 'quotaWarningPercent must be a percentage between 1 and 100' })
    .max(100, { error: 'quotaWarningPercent must be a percentage between 1 and 100' })
    .optional(),
})
export type SettingsUpdate = z.infer<typeof settingsUpdateSchema>

type SettingReader = Pick<PrismaClient, 'setting'>

export async function readSettings(prisma: SettingReader): Promise<Settings> {
  const rows = await prisma.setting.findMany({ where: { key: { in: Object.keys(DEFAULTS) } } })
  const settings: Settings = { ...DEFAULTS }
  for (const row of rows) {
    if (row.key === 'signupEnabled' && typeof row.value === 'boolean') settings.signupEnabled = row.value
    if (row.key === 'mirrorProject' && typeof row.value === 'string') settings.mirrorProject = row.value
    if (row.key === 'defaultStorageLimit' && typeof row.value === 'number') settings.defaultStorageLimit = row.value
    if (row.key === 'quotaWarningPercent' && typeof row.value === 'number') settings.quotaWarningPercent = row.value
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

/** Refuses a mirror project that is not a proxy-cache project (400). */
async function checkMirrorProject(prisma: Pick<PrismaClient, 'project'>, name: string): Promise<void> {
  const project = await prisma.project.findUnique({ where: { name }, select: { proxyRegistryId: true } })
  if (!project) throw invalid(`mirrorProject: there is no project ${name}`)
  if (project.proxyRegistryId === null) throw invalid(`mirrorProject: ${name} is not a proxy-cache project`)
}

export async function updateSettings(prisma: PrismaClient, caller: Caller, update: SettingsUpdate): Promise<Settings> {
  requireSystem(caller.subject, 'system:admin', 'only system administrators may change the settings')
  if (update.mirrorProject) await checkMirrorProject(prisma, update.mirrorProject)
  await prisma.$transaction(async (tx) => {
    for (const [key, value] of Object.entries(update)) {
      if (value === undefined) continue
      // No row is the default (JSON null is not a value Prisma writes plainly).
      if (value === null) await tx.setting.deleteMany({ where: { key } })
      else await tx.setting.upsert({ where: { key }, create: { key, value }, update: { value } })
    }
    await recordAudit(tx, { ...auditActor(caller), action: 'settings.update', resourceType: 'settings', resource: 'system', detail: update })
  })
  if (update.mirrorProject !== undefined) invalidateProxyRoutes()
  return readSettings(prisma)
}

/**
 * MIRROR_PROJECT at start: stored as the setting (an administrator may change it later, until the
 * next start). Returns a problem to log when it names no proxy-cache project (yet): the mirror
 * serves nothing until it does.
 */
export async function applyMirrorProject(prisma: PrismaClient, name: string): Promise<string | null> {
  await prisma.setting.upsert({ where: { key: 'mirrorProject' }, create: { key: 'mirrorProject', value: name }, update: { value: name } })
  return checkMirrorProject(prisma, name).then(
    () => null,
    (error: Error) => error.message,
  )
}
