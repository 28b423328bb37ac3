// Builds the process's services from its configuration: server.ts once, tests that need their own.
// The Prisma client, the blob store and the index over them are created on first access, so a
// process (or a test) that never touches them opens no database.
import { join } from 'node:path'
import { FilesystemBlobStore, S3BlobStore, type BlobStore, type RegistryIndex } from '@registry-core'
import { loadConfig, type AppConfig } from '../config'
import { createPrisma, type PrismaClient } from '../db/prisma'
import { createLogger, type Logger } from '../logger'
import { ManifestCachingIndex } from '../registry/manifest-cache'
import { PrismaRegistryIndex } from '../registry/prisma-index'
import { loadSecretKey, type LoadedSecretKey } from '../secrets/key'
import type { SecretBox } from '../secrets/envelope'
import { createCaches } from './caches'
import type { Runtime } from '.'

export function buildRuntime(config: AppConfig, logger: Logger): Runtime {
  const caches = createCaches()
  let prisma: PrismaClient | undefined
  let blobs: FilesystemBlobStore | S3BlobStore | undefined
  let index: RegistryIndex | undefined
  let secretKey: LoadedSecretKey | undefined
  const openPrisma = () => (prisma ??= createPrisma(config.databaseUrl))
  const openBlobs = () => (blobs ??= createBlobStore(config, logger))
  const openSecretKey = () => (secretKey ??= loadSecretKey(config))
  return {
    config,
    logger,
    caches,
    outboxListeners: new Set(),
    get prisma(): PrismaClient {
      return openPrisma()
    },
    get blobs(): BlobStore {
      return openBlobs()
    },
    get secrets(): SecretBox {
      return openSecretKey().box
    },
    get secretKey(): LoadedSecretKey {
      return openSecretKey()
    },
    get index(): RegistryIndex {
      return (index ??= new ManifestCachingIndex(new PrismaRegistryIndex(openPrisma(), { blobs: openBlobs() }), config.manifestCacheTtlMs, undefined, caches.manifests))
    },
    init: () => openBlobs().init(),
    async close() {
      const [client, store] = [prisma, blobs]
      prisma = blobs = index = undefined
      await store?.close()
      await client?.$disconnect()
    },
  }
}

function createBlobStore(config: AppConfig, logger: Logger): FilesystemBlobStore | S3BlobStore {
  const settings = config.blobStore
  if (settings.kind === 'filesystem') return new FilesystemBlobStore({ root: join(config.dataDir, 'registry'), logger })
  const { kind: _kind, ...s3 } = settings
  return new S3BlobStore({ ...s3, logger })
}

/** The runtime built from the environment, as server.ts builds it. */
export function runtimeFromEnvironment(env: Record<string, string | undefined> = process.env): Runtime {
  const config = loadConfig(env)
  return buildRuntime(config, createLogger(config.logLevel))
}
