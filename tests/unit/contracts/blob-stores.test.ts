// The BlobStore contract against every implementation (the S3 store plugs in here too).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryBlobStore } from '../../../registry-core/src/memory/memory-blob-store'
import { FilesystemBlobStore } from '../../../registry-core/src/storage/filesystem-blob-store'
import { describeBlobStoreContract } from '../../contracts/blob-store.contract'

describeBlobStoreContract('MemoryBlobStore', async () => ({ store: new MemoryBlobStore() }))

describeBlobStoreContract('FilesystemBlobStore', async () => {
  const root = await mkdtemp(join(tmpdir(), 'blob-store-contract-'))
  const store = new FilesystemBlobStore({ root })
  await store.init()
  return {
    store,
    async cleanup() {
      await store.close()
      await rm(root, { recursive: true, force: true })
    },
  }
})
