// The access policy, in one place: who may do what in a project. Every entry point (/v2 and the
// token service, the REST API, the pages) asks `can()`; none of them decides on its own.
// The matrix follows Harbor's project roles.

export type ProjectRole = 'projectAdmin' | 'maintainer' | 'developer' | 'guest' | 'limitedGuest'

export const PROJECT_ROLES: readonly ProjectRole[] = ['projectAdmin', 'maintainer', 'developer', 'guest', 'limitedGuest']

/** What can be done to a project and what it holds. */
export type ProjectAction =
  /** See the project, its repositories, artifacts and tags. */
  | 'project:read'
  /** Pull content (`/v2` GET/HEAD). */
  | 'repository:pull'
  /** Push content: create repositories, upload blobs, put manifests and tags, edit descriptions. */
  | 'repository:push'
  /** Delete artifacts, tags and repositories. */
  | 'repository:delete'
  /** See who the members are. */
  | 'member:list'
  /** Add, change and remove members. */
  | 'member:manage'
  /** See robot accounts. */
  | 'robot:list'
  /** Create, change, refresh and delete robot accounts. */
  | 'robot:manage'
  /** Change visibility and other settings. */
  | 'project:update'
  /** Delete the project. */
  | 'project:delete'
  /** Manage webhook policies and read their delivery logs. */
  | 'webhook:manage'
  /** Read the project's audit log. */
  | 'audit:read'
  /** Create, change and delete tag immutability rules (Harbor: project admins and maintainers). */
  | 'immutable:manage'
  /** Manage, run and read the tag retention policy (Harbor: project admins and maintainers). */
  | 'retention:manage'

/** Every project action, in the order the API lists them (the record makes the compiler check it is complete). */
const EVERY_PROJECT_ACTION: Record<ProjectAction, true> = {
  'project:read': true,
  'repository:pull': true,
  'repository:push': true,
  'repository:delete': true,
  'member:list': true,
  'member:manage': true,
  'robot:list': true,
  'robot:manage': true,
  'project:update': true,
  'project:delete': true,
  'webhook:manage': true,
  'audit:read': true,
  'immutable:manage': true,
  'retention:manage': true,
}
export const PROJECT_ACTIONS = Object.keys(EVERY_PROJECT_ACTION) as ProjectAction[]

const ROLE_ACTIONS: Record<ProjectRole, ReadonlySet<ProjectAction>> = {
  limitedGuest: new Set(['project:read', 'repository:pull']),
  // Every role but limited guest reads the project's audit log, as in Harbor (its log:list).
  guest: new Set(['project:read', 'repository:pull', 'member:list', 'audit:read']),
  developer: new Set(['project:read', 'repository:pull', 'member:list', 'repository:push', 'audit:read']),
  maintainer: new Set([
    'project:read',
    'repository:pull',
    'member:list',
    'repository:push',
    'repository:delete',
    'robot:list',
    'audit:read',
    'immutable:manage',
    'retention:manage',
  ]),
  projectAdmin: new Set<ProjectAction>([
    'project:read',
    'repository:pull',
    'member:list',
    'repository:push',
    'repository:delete',
    'robot:list',
    'robot:manage',
    'member:manage',
    'project:update',
    'project:delete',
    'webhook:manage',
    'audit:read',
    'immutable:manage',
    'retention:manage',
  ]),
}

/** What anyone, signed in or not, may do in a public project. */
const PUBLIC_ACTIONS: ReadonlySet<ProjectAction> = new Set(['project:read', 'repository:pull'])

/** The registry actions a robot can be granted per project, and what they allow. */
export type RobotAction = 'pull' | 'push' | 'delete'
const ROBOT_ACTIONS: Record<RobotAction, ProjectAction[]> = {
  pull: ['project:read', 'repository:pull'],
  push: ['project:read', 'repository:push'],
  delete: ['project:read', 'repository:delete'],
}

/** Access token permission levels and the ceiling each puts on the owner's rights. */
export type TokenPermission = 'read' | 'readWrite' | 'readWriteDelete'
const TOKEN_CEILING: Record<TokenPermission, ReadonlySet<ProjectAction>> = {
  read: new Set(['project:read', 'repository:pull', 'member:list', 'robot:list']),
  readWrite: new Set(['project:read', 'repository:pull', 'member:list', 'robot:list', 'repository:push']),
  readWriteDelete: new Set(['project:read', 'repository:pull', 'member:list', 'robot:list', 'repository:push', 'repository:delete']),
}

/**
 * Who is asking. A user may act through an access token, whose permission caps what the user could
 * otherwise do (and never reaches account or project management).
 */
export type Subject =
  | { kind: 'anonymous' }
  | { kind: 'user'; userId: number; username: string; isAdmin: boolean; token?: { id: number; permission: TokenPermission } }
  | { kind: 'robot'; robotId: number; name: string; grants: ReadonlyMap<number, ReadonlySet<RobotAction>> }

export const ANONYMOUS_SUBJECT: Subject = Object.freeze({ kind: 'anonymous' })

/** The project as far as a decision needs it: its id, visibility and the subject's role in it. */
export interface ProjectContext {
  projectId: number
  public: boolean
  /** The subject's membership role, if a user who is a member. */
  role?: ProjectRole | null
}

export function can(subject: Subject, action: ProjectAction, project: ProjectContext): boolean {
  if (project.public && PUBLIC_ACTIONS.has(action)) return true
  switch (subject.kind) {
    case 'anonymous':
      return false
    case 'robot': {
      const granted = subject.grants.get(project.projectId)
      return granted !== undefined && [...granted].some((robotAction) => ROBOT_ACTIONS[robotAction].includes(action))
    }
    case 'user': {
      const allowedByRole = subject.isAdmin || (project.role != null && ROLE_ACTIONS[project.role].has(action))
      if (!allowedByRole) return false
      return subject.token === undefined || TOKEN_CEILING[subject.token.permission].has(action)
    }
  }
}

/** The project actions `can()` allows the subject, so clients show only what the caller may use. */
export function permittedActions(subject: Subject, project: ProjectContext): ProjectAction[] {
  return PROJECT_ACTIONS.filter((action) => can(subject, action, project))
}

/** A private project the subject holds no role or grant in: what a missing project would be to it. */
const UNRELATED_PRIVATE_PROJECT: ProjectContext = Object.freeze({ projectId: 0, public: false, role: null })

/**
 * Whether the subject may learn that no project of some name exists. A caller learns that a project
 * exists only if it may read it, so for everyone who could not read such a project (were it created
 * private without them) a missing project must look exactly like one it cannot read. Only system
 * administrators, who read every project, get the clear "does not exist".
 */
export function mayLearnProjectIsMissing(subject: Subject): boolean {
  return can(subject, 'project:read', UNRELATED_PRIVATE_PROJECT)
}

/** System-level actions (not tied to one project). */
export type SystemAction =
  /** Create a project (any signed-in user; not through an access token or a robot). */
  | 'project:create'
  /** List users, change admin flags, switch signup, create system robots, read the whole audit log. */
  | 'system:admin'

export function canSystem(subject: Subject, action: SystemAction): boolean {
  if (subject.kind !== 'user' || subject.token !== undefined) return false
  return action === 'project:create' || subject.isAdmin
}

/** The registry actions (`pull`, `push`, `delete`) a subject holds on a project, for tokens and /v2. */
export function registryActions(subject: Subject, project: ProjectContext): RobotAction[] {
  const actions: RobotAction[] = []
  if (can(subject, 'repository:pull', project)) actions.push('pull')
  if (can(subject, 'repository:push', project)) actions.push('push')
  if (can(subject, 'repository:delete', project)) actions.push('delete')
  return actions
}

/** A display name for logs and token `sub` claims. */
export function subjectName(subject: Subject): string {
  switch (subject.kind) {
    case 'anonymous':
      return ''
    case 'user':
      return subject.username
    case 'robot':
      return subject.name
  }
}
