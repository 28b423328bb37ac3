// From a repository name to the project and the subject's place in it, for `can()`.
//
// The project is the first path component of a repository name (`team/app/api` -> `team`).
// `projectContext` reads the project and the subject's membership in one query.
// `Actor.id` (what the registry engine hands back to the index) encodes the subject so that the
// catalog can be filtered in SQL: see `actorFor` / `readableProjectsSql`.
import { Prisma } from '../generated/prisma/client'
import type { PrismaClient } from '../db/prisma'
import type { Actor } from '@registry-core'
import { runtime } from '../runtime'
import { ANONYMOUS_SUBJECT, subjectName, type ProjectContext, type ProjectRole, type Subject } from './permissions'

/** The project part of a repository name, or null for a single-component name (no project). */
export function projectNameOf(repository: string): string | null {
  const slash = repository.indexOf('/')
  return slash > 0 ? repository.slice(0, slash) : null
}

export interface ResolvedProject extends ProjectContext {
  name: string
}

/**
 * Project lookups are on every /v2 request authenticated by Basic or made anonymously, so found
 * projects are kept for a few seconds (a missing one is not: it may be created any moment). Changes
 * made in this process (members, visibility, project deletion) clear the cache at once through
 * `invalidateProjectAccess`; other replicas see them within the TTL.
 * The cache is the runtime's, so the server bundle and Next's bundle share it.
 */
const PROJECT_ACCESS_TTL_MS = 5_000
const PROJECT_ACCESS_MAX_ENTRIES = 10_000

export function invalidateProjectAccess(): void {
  runtime().caches.projectAccess.clear()
}

/** The project named `projectName` with the subject's membership role, or null when it does not exist. */
export async function projectContext(prisma: PrismaClient, subject: Subject, projectName: string): Promise<ResolvedProject | null> {
  return (await projectContexts(prisma, subject, [projectName])).get(projectName) ?? null
}

/**
 * Several projects at once: those in the cache are taken from it, the rest read in one query (the
 * token service resolves every requested scope together). The expiry is taken before the read, so
 * a change committed while the query runs is never served for longer than the TTL after it.
 */
export async function projectContexts(prisma: PrismaClient, subject: Subject, projectNames: string[]): Promise<Map<string, ResolvedProject>> {
  const result = new Map<string, ResolvedProject>()
  const userId = subject.kind === 'user' ? subject.userId : null
  const cache = runtime().caches.projectAccess
  const cacheKey = (name: string) => `${userId ?? ''}\0${name}`
  const now = Date.now()
  const missing: string[] = []
  for (const name of new Set(projectNames)) {
    const cached = cache.get(cacheKey(name))
    if (cached?.project && cached.expires > now) result.set(name, cached.project)
    else missing.push(name)
  }
  if (!missing.length) return result
  const expires = Date.now() + PROJECT_ACCESS_TTL_MS
  const rows = await prisma.$queryRaw<{ id: number; name: string; public: boolean; role: ProjectRole | null }[]>`
    SELECT p."id", p."name", p."public", m."role"::text AS "role"
      FROM "Project" p
      LEFT JOIN "Member" m ON m."projectId" = p."id" AND m."userId" = ${userId}::int
     WHERE p."name" IN (${Prisma.join(missing)})`
  for (const row of rows) {
    const project = { name: row.name, projectId: row.id, public: row.public, role: row.role }
    result.set(row.name, project)
    if (cache.size >= PROJECT_ACCESS_MAX_ENTRIES) cache.clear()
    cache.set(cacheKey(row.name), { project, expires })
  }
  return result
}

/** The project of a repository (null when the name has no project part or the project does not exist). */
export async function repositoryProjectContext(prisma: PrismaClient, subject: Subject, repository: string): Promise<ResolvedProject | null> {
  const name = projectNameOf(repository)
  return name === null ? null : projectContext(prisma, subject, name)
}

// ---------------------------------------------------------------- actors (catalog filtering)

/**
 * What the index needs to know to filter the catalog, encoded in `Actor.id`:
 *   `user:<id>` / `admin:<id>` / `robot:<id>`; anonymous callers have no id.
 */
export type ActorIdentity = { kind: 'anonymous' } | { kind: 'user'; userId: number; isAdmin: boolean } | { kind: 'robot'; robotId: number }

export function actorFor(subject: Subject): Actor {
  switch (subject.kind) {
    case 'anonymous':
      return {}
    case 'user':
      return { name: subjectName(subject), id: `${subject.isAdmin ? 'admin' : 'user'}:${subject.userId}` }
    case 'robot':
      return { name: subject.name, id: `robot:${subject.robotId}` }
  }
}

export function parseActorId(id: string | undefined): ActorIdentity {
  const match = id ? /^(user|admin|robot):(\d{1,10})$/.exec(id) : null
  if (!match) return { kind: 'anonymous' }
  const n = Number(match[2])
  if (match[1] === 'robot') return { kind: 'robot', robotId: n }
  return { kind: 'user', userId: n, isAdmin: match[1] === 'admin' }
}

/**
 * The subject an actor id stands for, as far as rights outside any one project go: a token's
 * `actor` claim holds who it was issued to, not the robot's grants or an access token's ceiling.
 */
export function subjectOfActor(identity: ActorIdentity, name: string): Subject {
  switch (identity.kind) {
    case 'anonymous':
      return ANONYMOUS_SUBJECT
    case 'user':
      return { kind: 'user', userId: identity.userId, username: name, isAdmin: identity.isAdmin }
    case 'robot':
      return { kind: 'robot', robotId: identity.robotId, name, grants: new Map() }
  }
}

/**
 * A SQL condition on a project id column: true for the projects whose content the actor may read
 * (`can(subject, 'project:read', project)`): public projects, projects the user is a member of
 * (every role may read), projects a robot has a grant in, everything for a system admin. An access
 * token's permission never removes `project:read`, so it does not enter here.
 * Keep in step with lib/auth/permissions.ts (tests/integration/registry-authz.test.ts checks it).
 */
export function readableProjectsSql(identity: ActorIdentity, column: Prisma.Sql): Prisma.Sql {
  const publicProjects = Prisma.sql`${column} IN (SELECT "id" FROM "Project" WHERE "public")`
  switch (identity.kind) {
    case 'anonymous':
      return publicProjects
    case 'user':
      if (identity.isAdmin) return Prisma.sql`TRUE`
      return Prisma.sql`(${publicProjects} OR ${column} IN (SELECT "projectId" FROM "Member" WHERE "userId" = ${identity.userId}::int))`
    case 'robot':
      return Prisma.sql`(${publicProjects} OR ${column} IN (
        SELECT rp."projectId" FROM "RobotPermission" rp JOIN "Robot" r ON r."id" = rp."robotId"
         WHERE rp."robotId" = ${identity.robotId}::int AND cardinality(rp."actions") > 0
           AND (r."projectId" IS NULL OR r."projectId" = rp."projectId")))`
  }
}
