// The RegistryIndex contract against the in-memory index, bare and behind the manifest cache
// (the database index runs it in tests/db/registry-index-contract.test.ts).
import { MemoryRegistryIndex } from '../../../registry-core/src/memory/memory-index'
import { createManifestCacheState, ManifestCachingIndex } from '../../../lib/registry/manifest-cache'
import { CONTRACT_PROJECTS, describeRegistryIndexContract } from '../../contracts/registry-index.contract'

const memoryIndex = () =>
  new MemoryRegistryIndex({
    canCreate: (repository) => !repository.startsWith(`${CONTRACT_PROJECTS.missing}/`),
    canRead: (repository) => !repository.startsWith(`${CONTRACT_PROJECTS.private}/`),
  })

describeRegistryIndexContract('MemoryRegistryIndex', async () => ({ index: memoryIndex() }))

describeRegistryIndexContract('ManifestCachingIndex over MemoryRegistryIndex', async () => ({
  index: new ManifestCachingIndex(memoryIndex(), 60_000, undefined, createManifestCacheState()),
}))
