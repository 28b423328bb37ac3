// The audit log: who did what to which resource, when and from where. Written by the domain
// modules (inside their transaction when they have one) and by the login path; read by system
// admins (everything) and project admins (their project's entries).
import { z } from 'zod'
import type { PrismaClient } from '../db/prisma'
import type { Prisma } from '../generated/prisma/client'
import { subjectName, type Subject } from '../auth/permissions'
import { skipTake, type Page, type PageRequest } from '../pagination'
import { requireProject, requireSystem } from '../projects/access'

/** Who is calling a domain operation: the policy subject and, for the audit log, the client address. */
export interface Caller {
  subject: Subject
  remoteAddress?: string
}

export interface AuditEntryInput {
  /** Username, robot name, or '' / 'anonymous' for anonymous callers. */
  actor: string
  /** e.g. `token.create`, `member.add`, `project.delete`, `login`. */
  action: string
  /** e.g. `user`, `project`, `member`, `token`, `robot`, `settings`. */
  resourceType: string
  /** e.g. the project name, `project/username`, the robot's full name. */
  resource: string
  projectId?: number | null
  success?: boolean
  remoteAddress?: string | null
  detail?: Prisma.InputJsonValue
}

/** Anything with the auditLog delegate: the client or a transaction client. */
export type AuditWriter = Pick<PrismaClient, 'auditLog'>

export async function recordAudit(prisma: AuditWriter, entry: AuditEntryInput): Promise<void> {
  await prisma.auditLog.create({
    data: {
      actor: entry.actor,
      action: entry.action,
      resourceType: entry.resourceType,
      resource: entry.resource,
      projectId: entry.projectId ?? null,
      success: entry.success ?? true,
      remoteAddress: entry.remoteAddress ?? null,
      ...(entry.detail === undefined ? {} : { detail: entry.detail }),
    },
  })
}

/** The audit entry fields that come from the caller. */
export function auditActor(caller: Caller): { actor: string; remoteAddress: string | null } {
  return { actor: subjectName(caller.subject) || 'anonymous', remoteAddress: caller.remoteAddress ?? null }
}

/**
 * The list filters (query parameters), all optional and combined with AND: `actor` and `action`
 * exact (the dashboard offers the known operations), `resource_type` exact, `resource` a prefix (so
 * `library/app` finds `library/app:1.0` and `library/app@sha256:…`), `from`/`to` an inclusive time
 * range (a `from` after `to` finds nothing). Each is served by an index of the AuditLog table (prisma/schema.prisma).
 */
export const auditFilterSchema = z.object({
  actor: z.string().max(256).optional(),
  action: z.string().max(128).optional(),
  resource_type: z.string().max(128).optional(),
  resource: z.string().max(512).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('entries at or after this time'),
  to: z.iso.datetime({ offset: true }).optional().describe('entries at or before this time'),
})
export type AuditFilter = z.infer<typeof auditFilterSchema>

export interface AuditEntry {
  id: number
  at: Date
  actor: string
  action: string
  resourceType: string
  resource: string
  projectId: number | null
  success: boolean
  remoteAddress: string | null
  detail: unknown
}

/** The wire shape of an AuditEntry (OpenAPI). */
export const auditEntrySchema = z.object({
  id: z.number(),
  at: z.iso.datetime(),
  actor: z.string(),
  action: z.string(),
  resourceType: z.string(),
  resource: z.string(),
  projectId: z.number().nullable(),
  success: z.boolean(),
  remoteAddress: z.string().nullable(),
  detail: z.unknown().describe('what changed, per action (JSON)'),
})

async function readEntries(prisma: PrismaClient, where: Prisma.AuditLogWhereInput, filter: AuditFilter, page: PageRequest): Promise<Page<AuditEntry>> {
  const full: Prisma.AuditLogWhereInput = {
    ...where,
    ...(filter.actor ? { actor: filter.actor } : {}),
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.resource_type ? { resourceType: filter.resource_type } : {}),
    ...(filter.resource ? { resource: { startsWith: filter.resource } } : {}),
    ...(filter.from || filter.to ? { at: { ...(filter.from ? { gte: new Date(filter.from) } : {}), ...(filter.to ? { lte: new Date(filter.to) } : {}) } } : {}),
  }
  const [rows, total] = await Promise.all([
    prisma.auditLog.findMany({ where: full, orderBy: [{ at: 'desc' }, { id: 'desc' }], ...skipTake(page) }),
    prisma.auditLog.count({ where: full }),
  ])
  return { items: rows.map((row) => ({ ...row, id: Number(row.id), detail: row.detail ?? null })), total }
}

/** Every entry, newest first: system admins only. */
export async function listAuditLog(prisma: PrismaClient, caller: Caller, filter: AuditFilter, page: PageRequest): Promise<Page<AuditEntry>> {
  requireSystem(caller.subject, 'system:admin', 'only system administrators may read the audit log')
  return readEntries(prisma, {}, filter, page)
}

/** A project's entries, newest first: its project admins (and system admins). */
export async function listProjectAuditLog(prisma: PrismaClient, caller: Caller, projectName: string, filter: AuditFilter, page: PageRequest): Promise<Page<AuditEntry>> {
  const { project } = await requireProject(prisma, caller.subject, projectName, 'audit:read')
  return readEntries(prisma, { projectId: project.id }, filter, page)
}
