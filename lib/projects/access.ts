// Loading a project by name together with the caller's relation to it, and asking the policy.
// Every project-scoped domain operation starts here, so objects are always looked up within the
// project named in the request and after `can()` said yes.
import type { PrismaClient } from '../db/prisma'
import { can, canSystem, type ProjectAction, type SystemAction, type ProjectContext, type ProjectRole, type Subject } from '../auth/permissions'
import { forbidden, notFound, unauthorized } from '../errors'

export interface ProjectRow {
  id: number
  name: string
  public: boolean
  createdAt: Date
  updatedAt: Date
}

export interface LoadedProject {
  project: ProjectRow
  context: ProjectContext
}

type ProjectReader = Pick<PrismaClient, 'project' | 'member'>

/** The project and the subject's context in it, or null when it does not exist. */
export async function loadProject(prisma: ProjectReader, subject: Subject, name: string): Promise<LoadedProject | null> {
  const project = await prisma.project.findUnique({
    where: { name },
    select: { id: true, name: true, public: true, createdAt: true, updatedAt: true },
  })
  if (!project) return null
  let role: ProjectRole | null = null
  if (subject.kind === 'user') {
    const member = await prisma.member.findUnique({
      where: { projectId_userId: { projectId: project.id, userId: subject.userId } },
      select: { role: true },
    })
    role = member?.role ?? null
  }
  return { project, context: { projectId: project.id, public: project.public, role } }
}

/**
 * The project, if the subject may do `action` in it. A project the subject may not even see is
 * reported as missing (404) so private project names do not leak; anonymous callers get 401.
 */
export async function requireProject(prisma: ProjectReader, subject: Subject, name: string, action: ProjectAction): Promise<LoadedProject> {
  const loaded = await loadProject(prisma, subject, name)
  const visible = loaded !== null && can(subject, 'project:read', loaded.context)
  if (!visible) {
    if (subject.kind === 'anonymous') throw unauthorized()
    throw notFound(`project ${name} not found`)
  }
  if (!can(subject, action, loaded.context)) {
    if (subject.kind === 'anonymous') throw unauthorized()
    throw forbidden(`you are not allowed to ${describe(action)} in project ${name}`)
  }
  return loaded
}

function describe(action: ProjectAction): string {
  switch (action) {
    case 'project:read':
      return 'see this project'
    case 'repository:pull':
      return 'pull'
    case 'repository:push':
      return 'push or create repositories'
    case 'repository:delete':
      return 'delete repositories'
    case 'member:list':
      return 'list members'
    case 'member:manage':
      return 'manage members'
    case 'robot:list':
      return 'list robot accounts'
    case 'robot:manage':
      return 'manage robot accounts'
    case 'project:update':
      return 'change project settings'
    case 'project:delete':
      return 'delete the project'
    case 'webhook:manage':
      return 'manage webhooks'
    case 'audit:read':
      return 'read the audit log'
    case 'immutable:manage':
      return 'manage tag immutability rules'
    case 'retention:manage':
      return 'manage tag retention'
  }
}

/** A system-level permission (`canSystem`): 401 for anonymous callers, 403 for the others. */
export function requireSystem(subject: Subject, action: SystemAction, message: string): void {
  if (canSystem(subject, action)) return
  if (subject.kind === 'anonymous') throw unauthorized()
  throw forbidden(message)
}
