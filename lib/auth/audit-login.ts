// Audit entries for logins (success and failure), through lib/audit's `recordAudit`.
// A failed audit write must not turn a login into a 500, so errors are swallowed here.
import type { PrismaClient } from '../db/prisma'
import { recordAudit, type AuditEntryInput } from '../audit'

export async function recordLoginAudit(prisma: PrismaClient, entry: AuditEntryInput): Promise<void> {
  try {
    await recordAudit(prisma, { ...entry, actor: entry.actor.slice(0, 255), resource: entry.resource.slice(0, 255) })
  } catch {
    // The database being down shows up elsewhere.
  }
}
