// Personal access tokens: a CLI secret (`hmp_…`) used as the password for `docker login` and HTTP
// Basic, with a permission ceiling (read / readWrite / readWriteDelete) and an optional expiry.
// The secret is returned once by createAccessToken; only its sha256 is stored.
import { z } from 'zod'
import type { PrismaClient } from '../db/prisma'
import { ACCESS_TOKEN_PREFIX, generateSecret, hashSecret } from '../auth/credentials'
import type { TokenPermission } from '../auth/permissions'
import { conflict, isUniqueViolation, notFound } from '../errors'
import { invalidateCredentials } from '../auth/credentials'
import { skipTake, type Page, type PageRequest } from '../pagination'
import { auditActor, recordAudit, type Caller } from '../audit'
import { requireAccountOwner } from '../users'
import { TOKEN_PERMISSIONS } from './schema'

// The response shapes live in ./schema (the dashboard imports them too); the request shapes here.
export * from './schema'

export const tokenCreateSchema = z
  .strictObject({
    name: z
      .string({ error: 'name is required' })
      .trim()
      .min(1, 'name is required')
      .max(64, 'name must be at most 64 characters')
      .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'name may hold letters, digits, spaces, . _ and -'),
    permission: z.enum(TOKEN_PERMISSIONS as [TokenPermission, ...TokenPermission[]], {
      error: `permission must be one of ${TOKEN_PERMISSIONS.join(', ')}`,
    }),
    /** Days until it expires; absent or null: never. */
    expiresInDays: z
      .number({ error: 'expiresInDays must be a number' })
      .int('expiresInDays must be a whole number')
      .min(1, 'expiresInDays must be at least 1')
      .max(3650, 'expiresInDays must be at most 3650')
      .nullish(),
    /** An explicit expiry instead of expiresInDays (ISO 8601, in the future). */
    expiresAt: z.iso.datetime({ offset: true, error: 'expiresAt must be an ISO 8601 date-time' }).nullish(),
  })
  .refine((value) => value.expiresInDays == null || value.expiresAt == null, { message: 'give expiresInDays or expiresAt, not both' })
  .refine((value) => value.expiresAt == null || Date.parse(value.expiresAt) > Date.now(), { message: 'expiresAt must be in the future', path: ['expiresAt'] })

export interface AccessTokenView {
  id: number
  name: string
  permission: TokenPermission
  createdAt: Date
  expiresAt: Date | null
  lastUsedAt: Date | null
  expired: boolean
}

const VIEW = { id: true, name: true, permission: true, createdAt: true, expiresAt: true, lastUsedAt: true } as const

function toView(row: Omit<AccessTokenView, 'expired'>): AccessTokenView {
  return { ...row, expired: row.expiresAt !== null && row.expiresAt.getTime() <= Date.now() }
}

export async function createAccessToken(prisma: PrismaClient, caller: Caller, input: z.infer<typeof tokenCreateSchema>): Promise<AccessTokenView & { secret: string }> {
  const owner = requireAccountOwner(caller.subject)
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null
  const secret = generateSecret(ACCESS_TOKEN_PREFIX)
  try {
    const row = await prisma.$transaction(async (tx) => {
      const created = await tx.accessToken.create({
        data: { userId: owner.userId, name: input.name, permission: input.permission, expiresAt, secretHash: hashSecret(secret) },
        select: VIEW,
      })
      await recordAudit(tx, {
        ...auditActor(caller),
        action: 'token.create',
        resourceType: 'token',
        resource: `${owner.username}/${input.name}`,
        detail: { id: created.id, permission: input.permission },
      })
      return created
    })
    return { ...toView(row), secret }
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`you already have a token named ${input.name}`)
    throw error
  }
}

export async function listAccessTokens(prisma: PrismaClient, caller: Caller, page: PageRequest): Promise<Page<AccessTokenView>> {
  const owner = requireAccountOwner(caller.subject)
  const where = { userId: owner.userId }
  const [rows, total] = await Promise.all([
    prisma.accessToken.findMany({ where, select: VIEW, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], ...skipTake(page) }),
    prisma.accessToken.count({ where }),
  ])
  return { items: rows.map(toView), total }
}

/** Revokes (deletes) one of the caller's own tokens; another user's token id is a 404. */
export async function revokeAccessToken(prisma: PrismaClient, caller: Caller, id: number): Promise<void> {
  const owner = requireAccountOwner(caller.subject)
  await prisma.$transaction(async (tx) => {
    const token = await tx.accessToken.findFirst({ where: { id, userId: owner.userId }, select: { id: true, name: true } })
    if (!token) throw notFound(`access token ${id} not found`)
    await tx.accessToken.delete({ where: { id: token.id } })
    await recordAudit(tx, { ...auditActor(caller), action: 'token.revoke', resourceType: 'token', resource: `${owner.username}/${token.name}`, detail: { id: token.id } })
  })
  // This process forgets verified credentials at once; other replicas within the cache TTL.
  invalidateCredentials(owner.username)
}
