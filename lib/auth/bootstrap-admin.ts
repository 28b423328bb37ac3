// The first administrator, created at first start so the registry is usable before accounts exist.
// Created through createUser, so it gets its personal project (named after it) like every user.
import type { PrismaClient } from '../db/prisma'
import type { Logger } from '../logger'
import { AppError, isUniqueViolation } from '../errors'
import { ConfigError } from '../config'
import { createUser } from '../users'
import { generatePassword } from './passwords'

/**
 * Creates the admin account when no user of that name exists. With no ADMIN_PASSWORD configured, a
 * generated password is printed once; it is never stored in clear or printed again. An existing
 * admin without its personal project (created before projects existed) gets it now.
 */
export async function ensureBootstrapAdmin(prisma: PrismaClient, logger: Logger, username: string, configuredPassword?: string): Promise<void> {
  const existing = await prisma.user.findUnique({ where: { username }, select: { id: true } })
  if (existing) {
    await ensurePersonalProject(prisma, logger, existing.id, username)
    return
  }
  const password = configuredPassword ?? generatePassword()
  try {
    // The admin flag is set here, by the server, never from signup input.
    await createUser(prisma, { username, password }, { isAdmin: true })
  } catch (error) {
    // Another replica created it first (user or project name).
    if (isUniqueViolation(error) || (error as { kind?: string }).kind === 'conflict') return
    // The password policy (lib/auth/password-policy.ts) refused ADMIN_PASSWORD: stop the start.
    if (configuredPassword && error instanceof AppError && error.kind === 'invalid') throw new ConfigError([`ADMIN_PASSWORD: ${error.message}`])
    throw error
  }
  if (configuredPassword) {
    logger.info({ username }, 'created the admin account with ADMIN_PASSWORD')
  } else {
    logger.warn({ username, password }, 'created the admin account with a generated password; it is shown only this once')
  }
}

/** Upgrade path: the project named after the user, with the user as its project admin. */
async function ensurePersonalProject(prisma: PrismaClient, logger: Logger, userId: number, username: string): Promise<void> {
  try {
    await prisma.$transaction(async (tx) => {
      const project =
        (await tx.project.findUnique({ where: { name: username }, select: { id: true } })) ??
        (await tx.project.create({ data: { name: username, public: false }, select: { id: true } }))
      const member = await tx.member.findUnique({ where: { projectId_userId: { projectId: project.id, userId } }, select: { role: true } })
      if (!member) {
        await tx.member.create({ data: { projectId: project.id, userId, role: 'projectAdmin' } })
        logger.info({ username }, 'gave the admin account its personal project')
      }
    })
  } catch (error) {
    if (isUniqueViolation(error)) return // another replica did it
    throw error
  }
}
