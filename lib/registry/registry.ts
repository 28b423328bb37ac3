// Plugs the application into registry-core: the Prisma index (behind a short manifest cache), the
// filesystem blob store, the access policy and the event sink, plus the periodic purge of abandoned uploads.
import { join } from 'node:path'
import { createRegistryHandler, FilesystemBlobStore, type RegistryHandler } from '@registry-core'
import type { AppConfig } from '../config'
import type { PrismaClient } from '../db/prisma'
import type { Logger } from '../logger'
import { RegistryAuthorizer } from '../auth/registry-authorizer'
import { derivedKey, loadTokenKeys, tokenSettings } from '../auth/token-service'
import { clientAddress } from '../client-address'
import { AppError } from '../errors'
import { databaseFailure } from '../db/errors'
import { RecordingEventSink } from './event-sink'
import { ManifestCachingIndex } from './manifest-cache'
import { PrismaRegistryIndex } from './prisma-index'

export interface Registry {
  handle: RegistryHandler
  /** Starts background work (the purge of abandoned uploads); called once the server listens. */
  start(): void
  /** Stops background work and writes what is still buffered. */
  close(): Promise<void>
}

export async function createRegistry(config: AppConfig, prisma: PrismaClient, logger: Logger): Promise<Registry> {
  const blobs = new FilesystemBlobStore({ root: join(config.dataDir, 'registry'), logger })
  await blobs.init()
  const events = new RecordingEventSink(prisma, logger)
  const keys = await loadTokenKeys(config)
  const handle = createRegistryHandler({
    blobs,
    index: new ManifestCachingIndex(new PrismaRegistryIndex(prisma), config.manifestCacheTtlMs),
    authorizer: new RegistryAuthorizer({ prisma, keys, settings: tokenSettings(config), publicUrl: config.publicUrl }),
    events,
    logger,
    publicUrl: config.publicUrl,
    remoteAddress: (req) => clientAddress(req.headers),
    limits: { maxManifestBytes: config.maxManifestBytes, maxBlobBytes: config.maxBlobBytes, uploadExpiryMs: config.uploadPurgeAfterMs },
    uploadIdKey: derivedKey(keys, 'registry upload session ids'),
    classifyError: (error) => {
      if (error instanceof AppError && error.kind === 'invalid') return 'bad_input'
      const failure = databaseFailure(error)
      return failure === 'invalid_text' ? 'bad_input' : failure === 'disk_full' ? 'storage_full' : undefined
    },
  })

  const purge = async () => {
    try {
      const purged = await handle.purgeStaleUploads()
      if (purged > 0) logger.info({ purged }, 'purged abandoned uploads')
    } catch (error) {
      logger.warn({ err: error }, 'purging abandoned uploads failed')
    }
  }
  let purgeTimer: NodeJS.Timeout | undefined

  return {
    handle,
    start() {
      purgeTimer = setInterval(() => void purge(), config.uploadPurgeIntervalMs).unref()
      void purge()
    },
    async close() {
      clearInterval(purgeTimer)
      await events.flush()
      await blobs.close()
    },
  }
}
