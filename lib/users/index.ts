// User accounts: signup (and the bootstrap admin) through createUser, which also creates the
// user's personal private project with the user as its project admin, in one transaction.
// Usernames and project names share one namespace. System admins create, disable, delete users and
// reset passwords; every password goes through lib/auth/password-policy.ts.
import { z } from 'zod'
import type { PrismaClient } from '../db/prisma'
import type { Prisma } from '../generated/prisma/client'
import { canSystem, type Subject } from '../auth/permissions'
import { hashPassword, verifyPassword } from '../auth/passwords'
import { conflict, forbidden, invalid, isUniqueViolation, notFound, unauthorized } from '../errors'
import { skipTake, type Page, type PageRequest } from '../pagination'
import { auditActor, recordAudit, type Caller } from '../audit'
import { namespaceNameSchema } from '../projects/names'
import { isSignupEnabled } from '../settings'
import { requireSystem } from '../projects/access'
import { invalidateCredentials } from '../auth/credentials'
import { passwordProblem, passwordSchema } from '../auth/password-policy'
import { revokeUserSessions } from '../auth/sessions'
import { likeLiteral } from '../db/like'

// The response shapes live in ./schema (the dashboard imports them too); the request shapes here.
export * from './schema'

export { passwordSchema }
export const usernameSchema = namespaceNameSchema
export const emailSchema = z.email({ error: 'email must be a valid email address' }).max(254, 'email is too long')

/** What signup accepts. Unknown fields (such as `isAdmin`) are dropped, never honoured. */
export const signupSchema = z.object({
  username: usernameSchema,
  email: emailSchema,
  password: passwordSchema,
})
export type SignupInput = z.infer<typeof signupSchema>

export const passwordChangeSchema = z.strictObject({
  currentPassword: z.string({ error: 'currentPassword is required' }).min(1, 'currentPassword is required'),
  newPassword: passwordSchema,
})

/** PATCH /users/{username}: any of the admin flag, the disabled flag, a new password (a reset). */
export const userUpdateSchema = z
  .strictObject({
    isAdmin: z.boolean({ error: 'isAdmin must be true or false' }).optional(),
    disabled: z.boolean({ error: 'disabled must be true or false' }).optional(),
    password: passwordSchema.optional(),
  })
  .refine((update) => Object.values(update).some((value) => value !== undefined), 'give at least one of isAdmin, disabled, password')

export interface PublicUser {
  id: number
  username: string
  email: string | null
  isAdmin: boolean
  disabled: boolean
  createdAt: Date
  lastLoginAt: Date | null
}

const PUBLIC_USER = { id: true, username: true, email: true, isAdmin: true, disabled: true, createdAt: true, lastLoginAt: true } as const

export interface CreateUserInput {
  username: string
  email?: string | null
  password: string
}

/**
 * Creates a user and the personal private project named after them (the user as projectAdmin).
 * `isAdmin` comes only from trusted callers (the bootstrap admin); signup passes false.
 */
export async function createUser(prisma: PrismaClient, input: CreateUserInput, options: { isAdmin?: boolean } = {}): Promise<PublicUser> {
  const username = usernameSchema.parse(input.username)
  const problem = passwordProblem(input.password, username)
  if (problem) throw invalid(problem)
  const email = input.email == null ? null : emailSchema.parse(input.email)
  const passwordHash = await hashPassword(input.password)
  try {
    return await prisma.$transaction(async (tx) => {
      if (await tx.project.findUnique({ where: { name: username }, select: { id: true } })) {
        throw conflict(`the name ${username} is already taken`)
      }
      const user = await tx.user.create({ data: { username, email, passwordHash, isAdmin: options.isAdmin === true }, select: PUBLIC_USER })
      const project = await tx.project.create({ data: { name: username, public: false } })
      await tx.member.create({ data: { projectId: project.id, userId: user.id, role: 'projectAdmin' } })
      return user
    })
  } catch (error) {
    if (isUniqueViolation(error)) {
      const target = JSON.stringify((error as { meta?: unknown }).meta ?? '')
      throw conflict(/email/.test(target) ? 'this email address is already registered' : `the name ${username} is already taken`)
    }
    throw error
  }
}

/** Public signup: refused when the admin switched it off. */
export async function signup(prisma: PrismaClient, caller: Caller, input: SignupInput): Promise<PublicUser> {
  // A system admin may create accounts even when public signup is off.
  if (!canSystem(caller.subject, 'system:admin') && !(await isSignupEnabled(prisma))) {
    throw forbidden('signup is disabled on this registry')
  }
  const user = await createUser(prisma, input, { isAdmin: false })
  const who = auditActor(caller)
  await recordAudit(prisma, {
    actor: caller.subject.kind === 'anonymous' ? user.username : who.actor,
    remoteAddress: who.remoteAddress,
    action: 'user.create',
    resourceType: 'user',
    resource: user.username,
  })
  return user
}

/** The signed-in user (also through an access token). Robots have no user account. */
export async function getCurrentUser(prisma: PrismaClient, subject: Subject): Promise<PublicUser & { viaToken: boolean }> {
  if (subject.kind === 'anonymous') throw unauthorized()
  if (subject.kind === 'robot') throw forbidden('robot accounts have no user profile')
  const user = await prisma.user.findUnique({ where: { id: subject.userId }, select: PUBLIC_USER })
  if (!user) throw unauthorized()
  return { ...user, viaToken: subject.token !== undefined }
}

/** The user behind an interactive session or password (not an access token, not a robot). */
export function requireAccountOwner(subject: Subject): Extract<Subject, { kind: 'user' }> {
  if (subject.kind === 'anonymous') throw unauthorized()
  if (subject.kind !== 'user' || subject.token !== undefined) {
    throw forbidden('account management needs your password or a browser session, not an access token or a robot')
  }
  return subject
}

/**
 * Changes the caller's own password. Every other session of the user ends; `keepSessionId` (the
 * browser session making the change) stays signed in.
 */
export async function changePassword(prisma: PrismaClient, caller: Caller, input: z.infer<typeof passwordChangeSchema>, keepSessionId?: string): Promise<void> {
  const subject = requireAccountOwner(caller.subject)
  const user = await prisma.user.findUnique({ where: { id: subject.userId }, select: { passwordHash: true, username: true } })
  if (!user) throw unauthorized()
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await recordAudit(prisma, { ...auditActor(caller), action: 'user.password', resourceType: 'user', resource: user.username, success: false })
    throw invalid('the current password is wrong')
  }
  const problem = passwordProblem(input.newPassword, user.username)
  if (problem) throw invalid(problem)
  if (input.newPassword === input.currentPassword) throw invalid('the new password must differ from the current one')
  const passwordHash = await hashPassword(input.newPassword)
  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: subject.userId }, data: { passwordHash } })
    await revokeUserSessions(tx, subject.userId, keepSessionId)
    await recordAudit(tx, { ...auditActor(caller), action: 'user.password', resourceType: 'user', resource: user.username })
  })
  // The old password stops working at once in this process (other replicas: the cache TTL).
  invalidateCredentials(user.username)
}

export async function listUsers(prisma: PrismaClient, caller: Caller, q: string | undefined, page: PageRequest): Promise<Page<PublicUser>> {
  requireSystem(caller.subject, 'system:admin', 'only system administrators may list users')
  const where: Prisma.UserWhereInput = q ? { OR: [{ username: { contains: likeLiteral(q) } }, { email: { contains: likeLiteral(q) } }] } : {}
  const [items, total] = await Promise.all([prisma.user.findMany({ where, select: PUBLIC_USER, orderBy: { username: 'asc' }, ...skipTake(page) }), prisma.user.count({ where })])
  return { items, total }
}

/** Locks the admin rows (serializing concurrent demotions) and refuses when only one enabled admin is left. */
async function refuseLastAdmin(tx: Prisma.TransactionClient, message: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "User" WHERE "isAdmin" = true FOR UPDATE`
  const admins = await tx.user.count({ where: { isAdmin: true, disabled: false } })
  if (admins <= 1) throw conflict(message)
}

/**
 * System admins: sets or clears the admin flag, disables or enables the user, or resets the
 * password. Disabling or a reset ends the user's sessions (an admin resetting their own password
 * keeps `keepSessionId`, the session making the change); the last enabled admin can be neither
 * demoted nor disabled.
 */
export async function updateUser(prisma: PrismaClient, caller: Caller, username: string, update: z.infer<typeof userUpdateSchema>, keepSessionId?: string): Promise<PublicUser> {
  requireSystem(caller.subject, 'system:admin', 'only system administrators may change users')
  if (update.password !== undefined) {
    const problem = passwordProblem(update.password, username)
    if (problem) throw invalid(problem)
  }
  const passwordHash = update.password === undefined ? undefined : await hashPassword(update.password)
  const result = await prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { username }, select: PUBLIC_USER })
    if (!user) throw notFound(`user ${username} not found`)
    const activeAdmin = user.isAdmin && !user.disabled
    if (activeAdmin && update.isAdmin === false) await refuseLastAdmin(tx, 'the last system administrator cannot be demoted')
    if (activeAdmin && update.disabled === true) await refuseLastAdmin(tx, 'the last system administrator cannot be disabled')
    const updated = await tx.user.update({
      where: { id: user.id },
      data: { isAdmin: update.isAdmin, disabled: update.disabled, passwordHash },
      select: PUBLIC_USER,
    })
    if (update.disabled === true) await revokeUserSessions(tx, user.id)
    else if (passwordHash) {
      const own = caller.subject.kind === 'user' && caller.subject.userId === user.id
      await revokeUserSessions(tx, user.id, own ? keepSessionId : undefined)
    }
    const detail = { isAdmin: update.isAdmin, disabled: update.disabled, ...(passwordHash ? { passwordReset: true } : {}) }
    await recordAudit(tx, { ...auditActor(caller), action: 'user.update', resourceType: 'user', resource: username, detail })
    return updated
  })
  // Cached verifications carry the admin flag and prove the old password; forget them so the change applies now.
  invalidateCredentials(username)
  return result
}

/**
 * System admins: deletes a user with their memberships, access tokens and sessions. Robots they
 * created stay (without a creator). Their personal project stays with its repositories, so nobody
 * else can take over the namespace by signing up with the same name; system admins manage it.
 * The last enabled admin cannot be deleted.
 */
export async function deleteUser(prisma: PrismaClient, caller: Caller, username: string): Promise<void> {
  requireSystem(caller.subject, 'system:admin', 'only system administrators may delete users')
  await prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { username }, select: { id: true, isAdmin: true, disabled: true } })
    if (!user) throw notFound(`user ${username} not found`)
    if (user.isAdmin && !user.disabled) await refuseLastAdmin(tx, 'the last system administrator cannot be deleted')
    await tx.user.delete({ where: { id: user.id } })
    await recordAudit(tx, { ...auditActor(caller), action: 'user.delete', resourceType: 'user', resource: username })
  })
  invalidateCredentials(username)
}

/** System admins: ends every browser session of a user (a lost laptop, a leaked cookie). */
export async function endUserSessions(prisma: PrismaClient, caller: Caller, username: string): Promise<number> {
  requireSystem(caller.subject, 'system:admin', "only system administrators may end a user's sessions")
  return prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { username }, select: { id: true } })
    if (!user) throw notFound(`user ${username} not found`)
    const ended = await revokeUserSessions(tx, user.id)
    await recordAudit(tx, { ...auditActor(caller), action: 'user.sessions.revoke', resourceType: 'user', resource: username, detail: { ended } })
    return ended
  })
}
