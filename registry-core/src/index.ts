// registry-core: an OCI Distribution v1.1 engine behind ports. See ports.ts for what it needs.
export { createRegistryHandler, type RegistryHandler } from './engine'
export { isRegistryPath } from './routes'
export type { ErrorClass, RegistryLimits, RegistryOptions } from './context'
export { DEFAULT_LIMITS } from './context'
export * from './ports'
export { RegistryError, errorResponse, isRegistryError, type ErrorCode } from './errors'
export { assertName, isValidName, isValidTag, isSupportedDigest, looksLikeDigest } from './grammar'
export { MediaTypes, parseManifest } from './manifest'
export { hexDigest, type HashAlgorithm } from './hash'
export { FilesystemBlobStore } from './storage/filesystem-blob-store'
export { S3BlobStore, type S3BlobStoreOptions } from './storage/s3-blob-store'

// In-memory ports: for tests and for running the engine in-process.
export { MemoryBlobStore } from './memory/memory-blob-store'
export { MemoryRegistryIndex, type MemoryIndexOptions } from './memory/memory-index'
export { KeyedMutex } from './memory/keyed-mutex'
