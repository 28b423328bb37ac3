// The process's services, built once by server.ts (lib/runtime/build.ts) and read by lib code
// through `runtime()`. server.ts (bundled by esbuild) and Next's route chunks are separate module
// graphs in one process, so the services are handed over through ONE well-known globalThis slot
// rather than per-module state: the Next bundle gets the very same Prisma client, index, blob store,
// caches and outbox listeners that /v2 uses, and an invalidation by either is seen by both.
// This module imports types only, so any lib module may read the runtime without an import cycle.
import type { BlobStore, RegistryIndex } from '@registry-core'
import type { AppConfig } from '../config'
import type { PrismaClient } from '../db/prisma'
import type { Logger } from '../logger'
import type { SecretBox } from '../secrets/envelope'
import type { LoadedSecretKey } from '../secrets/key'
import type { RuntimeCaches } from './caches'

export interface Runtime {
  readonly config: AppConfig
  readonly logger: Logger
  /** The process's one Prisma client (lib/runtime/build.ts creates it on first access). */
  readonly prisma: PrismaClient
  /** The registry index /v2 and /api/v1 both go through: the manifest cache over the Prisma index. */
  readonly index: RegistryIndex
  /** The blob store /v2 writes and the dashboard reads config blobs from. */
  readonly blobs: BlobStore
  /** The envelope of stored credentials and webhook secrets, under SECRET_KEY(_FILE) or DATA_DIR/secret-key (loaded on first access). */
  readonly secrets: SecretBox
  /** That key with where it came from (read, or generated, once: `secrets` is its box). */
  readonly secretKey: LoadedSecretKey
  /** What lib keeps in memory between requests (credentials, project access, manifests, image configs). */
  readonly caches: RuntimeCaches
  /** The webhook workers' wake-ups, called when this process writes outbox rows (lib/webhooks/outbox.ts). */
  readonly outboxListeners: Set<() => void>
  /** Prepares the storage before serving (the blob store's directory layout). */
  init(): Promise<void>
  /** Releases the blob store's handles and the Prisma client, if they were created (PGlite: then closeDatabases()). */
  close(): Promise<void>
}

const SLOT = Symbol.for('harbormaster.runtime')
const holder = globalThis as typeof globalThis & { [SLOT]?: Runtime }

/** Makes `services` the process's runtime (server.ts at start; tests that need their own). */
export function installRuntime(services: Runtime): void {
  holder[SLOT] = services
}

/** The process's runtime; an unset one is a wiring bug and says so. */
export function runtime(): Runtime {
  const installed = holder[SLOT]
  if (!installed) throw new Error('the harbormaster runtime is not installed: server.ts (or a test setup) must call installRuntime() first')
  return installed
}
