// User accounts: signup (and the bootstrap admin) through createUser, which also creates the
// user's personal private project with the user as its project admin, in one transaction.
// Usernames and project names share one namespace.
import { z } from 'zod'
import type { PrismaClient } from '../db/prisma'
import type { Prisma } from '../generated/prisma/client'
import { canSystem, type Subject } from '../auth/permissions'
import { hashPassword, verifyPassword } from '../auth/passwords'
import { conflict, forbidden, invalid, isUniqueViolation, notFound, unauthorized } from '../api/errors'
import { skipTake, type Page, type PageRequest } from '../api/pagination'
import { auditActor, recordAudit, type Caller } from '../audit'
import { namespaceNameSchema } from '../projects/names'
import { isSignupEnabled } from '../settings'
import { requireSystem } from '../projects/access'
import { invalidateCredentials } from '../auth/credentials'
import { likeLiteral } from '../db/like'

export const usernameSchema = namespaceNameSchema
export const passwordSchema = z
  .string({ error: 'password must be a string' })
  .min(8, 'password must be at least 8 characters')
  .max(256, 'password must be at most 256 characters')
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

export const userUpdateSchema = z.strictObject({ isAdmin: z.boolean({ error: 'isAdmin must be true or false' }) })

export interface PublicUser {
  id: number
  username: string
  email: string | null
  isAdmin: boolean
  createdAt: Date
  lastLoginAt: Date | null
}

/** The wire shape of a PublicUser (OpenAPI). */
export const userSchema = z.object({
  id: z.number(),
  username: z.string(),
  email: z.string().nullable(),
  isAdmin: z.boolean(),
  createdAt: z.iso.datetime(),
  lastLoginAt: z.iso.datetime().nullable(),
})

/** GET /users/me: the user, and whether the request came with an access token. */
export const currentUserSchema = userSchema.extend({ viaToken: z.boolean() })

const PUBLIC_USER = { id: true, username: true, email: true, isAdmin: true, createdAt: true, lastLoginAt: true } as const

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
  const password = passwordSchema.parse(input.password)
  const email = input.email == null ? null : emailSchema.parse(input.email)
  const passwordHash = await hashPassword(password)
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

export async function changePassword(prisma: PrismaClient, caller: Caller, input: z.infer<typeof passwordChangeSchema>): Promise<void> {
  const subject = requireAccountOwner(caller.subject)
  const user = await prisma.user.findUnique({ where: { id: subject.userId }, select: { passwordHash: true, username: true } })
  if (!user) throw unauthorized()
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await recordAudit(prisma, { ...auditActor(caller), action: 'user.password', resourceType: 'user', resource: user.username, success: false })
    throw invalid('the current password is wrong')
  }
  const passwordHash = await hashPassword(input.newPassword)
  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: subject.userId }, data: { passwordHash } })
    await recordAudit(tx, { ...auditActor(caller), action: 'user.password', resourceType: 'user', resource: user.username })
  })
  // The old password stops working at once in this process (other replicas: the cache TTL).
  invalidateCredentials(user.username)
}

export async function listUsers(prisma: PrismaClient, caller: Caller, q: string | undefined, page: PageRequest): Promise<Page<PublicUser>> {
  requireSystem(caller.subject, 'system:admin', 'only system administrators may list users')
  const where: Prisma.UserWhereInput = q ? { OR: [{ username: { contains: likeLiteral(q) } }, { email: { contains: likeLiteral(q) } }] } : {}
  const [items, total] = await Promise.all([
    prisma.user.findMany({ where, select: PUBLIC_USER, orderBy: { username: 'asc' }, ...skipTake(page) }),
    prisma.user.count({ where }),
  ])
  return { items, total }
}

/** Sets or clears the admin flag: system admins only; the last admin cannot be demoted. */
export async function updateUser(prisma: PrismaClient, caller: Caller, username: string, update: z.infer<typeof userUpdateSchema>): Promise<PublicUser> {
  requireSystem(caller.subject, 'system:admin', 'only system administrators may change users')
  const result = await prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { username }, select: PUBLIC_USER })
    if (!user) throw notFound(`user ${username} not found`)
    if (user.isAdmin && !update.isAdmin) {
      // Serialize demotions so two concurrent ones cannot remove the last admin.
      await tx.$queryRaw`SELECT id FROM "User" WHERE "isAdmin" = true FOR UPDATE`
      const admins = await tx.user.count({ where: { isAdmin: true } })
      if (admins <= 1) throw conflict('the last system administrator cannot be demoted')
    }
    const updated = await tx.user.update({ where: { id: user.id }, data: { isAdmin: update.isAdmin }, select: PUBLIC_USER })
    await recordAudit(tx, { ...auditActor(caller), action: 'user.update', resourceType: 'user', resource: username, detail: { isAdmin: update.isAdmin } })
    return updated
  })
  // Cached verifications carry the admin flag; forget them so the change applies now.
  invalidateCredentials(username)
  return result
}
