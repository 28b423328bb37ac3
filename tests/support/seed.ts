/**
 * Writes rows straight into a server's database before it starts (`startRegistryServer({ prepare })`),
 * e.g. rows an older version allowed that the API refuses now. PGlite belongs to one process at a
 * time, so the database is migrated, seeded and closed here.
 *
 *   prepare: ({ databaseUrl }) => seedDatabase(databaseUrl, (prisma) => prisma.webhookPolicy.create(…))
 */
import { closePglite, parseDatabaseUrl } from '../../lib/db/database-url'
import { createPrisma, type PrismaClient } from '../../lib/db/prisma'
import { migrateDeploy } from '../../lib/db/migrate'

export async function seedDatabase(databaseUrl: string, seed: (prisma: PrismaClient) => Promise<unknown>): Promise<void> {
  await migrateDeploy(databaseUrl, { log: () => {}, keepPgliteOpen: true })
  const prisma = createPrisma(databaseUrl)
  try {
    await seed(prisma)
  } finally {
    await prisma.$disconnect()
    const target = parseDatabaseUrl(databaseUrl)
    if (target.kind === 'pglite') await closePglite(target.dataDir)
  }
}
