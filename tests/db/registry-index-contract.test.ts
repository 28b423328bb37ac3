// The RegistryIndex contract against PrismaRegistryIndex, bare and behind the manifest cache, on
// PGlite always and PostgreSQL when TEST_POSTGRES_URL is set (one database per backend, shared).
import { afterAll, beforeAll, describe } from 'vitest'
import { migrateDeploy } from '../../lib/db/migrate'
import { createPrisma, type PrismaClient } from '../../lib/db/prisma'
import { PrismaRegistryIndex } from '../../lib/registry/prisma-index'
import { createManifestCacheState, ManifestCachingIndex } from '../../lib/registry/manifest-cache'
import { CONTRACT_PROJECTS, describeRegistryIndexContract } from '../contracts/registry-index.contract'
import { BACKENDS, openBackend, type Backend } from './backends'

describe.each(BACKENDS)('on %s', (backendName) => {
  let backend: Backend
  let prisma: PrismaClient

  beforeAll(async () => {
    backend = await openBackend(backendName)
    await migrateDeploy(backend.url, { log: () => {}, keepPgliteOpen: true })
    prisma = createPrisma(backend.url)
    // The contract's projects: one public, one private; the "missing" one is never created.
    await prisma.project.createMany({
      data: [
        { name: CONTRACT_PROJECTS.public, public: true },
        { name: CONTRACT_PROJECTS.private, public: false },
      ],
    })
  })
  afterAll(async () => {
    await prisma?.$disconnect()
    await backend?.cleanup()
  })

  describeRegistryIndexContract('PrismaRegistryIndex', async () => ({ index: new PrismaRegistryIndex(prisma) }))
  describeRegistryIndexContract('ManifestCachingIndex over PrismaRegistryIndex', async () => ({
    index: new ManifestCachingIndex(new PrismaRegistryIndex(prisma), 60_000, undefined, createManifestCacheState()),
  }))
})
