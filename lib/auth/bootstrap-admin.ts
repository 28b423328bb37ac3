// The first administrator, created at first start so the registry is usable before accounts exist.
import type { PrismaClient } from '../db/prisma'
import type { Logger } from '../logger'
import { generatePassword, hashPassword } from './passwords'

/**
 * Creates the admin account when no user of that name exists. With no ADMIN_PASSWORD configured, a
 * generated password is printed once; it is never stored in clear or printed again.
 */
export async function ensureBootstrapAdmin(
  prisma: PrismaClient,
  logger: Logger,
  username: string,
  configuredPassword?: string,
): Promise<void> {
  const existing = await prisma.user.findUnique({ where: { username }, select: { id: true } })
  if (existing) return
  const password = configuredPassword ?? generatePassword()
  try {
    await prisma.user.create({ data: { username, passwordHash: await hashPassword(password), isAdmin: true } })
  } catch (error) {
    // Another replica created it first.
    if ((error as { code?: string }).code === 'P2002') return
    throw error
  }
  if (configuredPassword) {
    logger.info({ username }, 'created the admin account with ADMIN_PASSWORD')
  } else {
    logger.warn({ username, password }, 'created the admin account with a generated password; it is shown only this once')
  }
}
