// The registry index as the REST API uses it: the same PrismaRegistryIndex /v2 writes through,
// behind the same process-wide manifest cache (lib/registry/manifest-cache.ts keeps its state on
// globalThis), so a tag or artifact deleted through /api/v1 is gone from /v2 at once.
import { join } from 'node:path'
import { FilesystemBlobStore, type BlobStore, type RegistryIndex } from '@registry-core'
import { loadConfig } from '../config'
import { getPrisma } from '../db/prisma'
import { ManifestCachingIndex } from './manifest-cache'
import { PrismaRegistryIndex } from './prisma-index'

const g = globalThis as typeof globalThis & { __apiRegistryIndex?: RegistryIndex; __apiBlobStore?: BlobStore }

export function getRegistryIndex(): RegistryIndex {
  g.__apiRegistryIndex ??= new ManifestCachingIndex(new PrismaRegistryIndex(getPrisma()), loadConfig().manifestCacheTtlMs)
  return g.__apiRegistryIndex
}

/** The blob store, read-only use (config blobs for the dashboard). */
export function getBlobStore(): BlobStore {
  g.__apiBlobStore ??= new FilesystemBlobStore({ root: join(loadConfig().dataDir, 'registry') })
  return g.__apiBlobStore
}
