// Plugs the application into registry-core: the runtime's index (the Prisma index behind a short
// manifest cache) and blob store, which /api/v1 goes through too, the access policy and the event
// sink, the pull-through cache's routing and lock (lib/proxy), plus the periodic purge of abandoned uploads.
import { createRegistryHandler, type RegistryHandler } from '@registry-core'
import type { Runtime } from '../runtime'
import { RegistryAuthorizer } from '../auth/registry-authorizer'
import { derivedKey, loadTokenKeys, tokenSettings } from '../auth/token-service'
import { clientAddress } from '../client-address'
import { AppError } from '../errors'
import { databaseFailure } from '../db/errors'
import { RecordingEventSink } from './event-sink'
import { createProxyUpstream } from '../proxy'
import { registryObserver } from '../metrics'

export interface Registry {
  handle: RegistryHandler
  /** Starts background work (the purge of abandoned uploads); called once the server listens. */
  start(): void
  /** Stops background work and writes what is still buffered (the runtime closes the blob store). */
  close(): Promise<void>
}

export async function createRegistry(services: Runtime): Promise<Registry> {
  const { config, prisma, logger, blobs, index } = services
  await services.init()
  const events = new RecordingEventSink(prisma, logger)
  const keys = await loadTokenKeys(config)
  const upstream = createProxyUpstream(services)
  const handle = createRegistryHandler({
    blobs,
    index,
    authorizer: new RegistryAuthorizer({ prisma, keys, settings: tokenSettings(config), publicUrl: config.publicUrl }),
    events,
    logger,
    upstream,
    publicUrl: config.publicUrl,
    remoteAddress: (req) => clientAddress(req.headers),
    limits: {
      maxManifestBytes: config.maxManifestBytes,
      maxBlobBytes: config.maxBlobBytes,
      uploadExpiryMs: config.uploadPurgeAfterMs,
      upstreamTimeoutMs: config.upstream.timeoutMs,
    },
    uploadIdKey: derivedKey(keys, 'registry upload session ids'),
    observer: registryObserver,
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
      await Promise.all([events.flush(), upstream.close()])
    },
  }
}
