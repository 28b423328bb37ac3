import { describe, expect, it } from 'vitest'
import { createManifestCacheState, invalidateManifestCache, ManifestCachingIndex } from '../../../lib/registry/manifest-cache'
import type { ManifestRecord, RegistryIndex, StoredManifest } from '../../../registry-core/src/ports'

/** An index double that counts lookups and lets the test change what is stored. */
function fakeIndex() {
  const stored = new Map<string, StoredManifest>()
  let lookups = 0
  let held: (() => void)[] | undefined
  const index = {
    async getManifest(repository: string, reference: { tag: string } | { digest: string }) {
      lookups++
      const found = stored.get(`${repository}:${'tag' in reference ? reference.tag : reference.digest}`) ?? null
      if (held === undefined) return found
      await new Promise<void>((resolve) => held!.push(resolve))
      return found
    },
    async putManifest(repository: string, manifest: ManifestRecord, tag?: string) {
      if (tag) stored.set(`${repository}:${tag}`, manifest)
      return { ok: true as const }
    },
    async deleteTag(repository: string, tag: string) {
      const had = stored.get(`${repository}:${tag}`)
      stored.delete(`${repository}:${tag}`)
      return had ? { digest: had.digest } : null
    },
  } as unknown as RegistryIndex
  return {
    index,
    stored,
    lookups: () => lookups,
    /** Makes the lookups from now on wait until `go()` is called. */
    hold: () => {
      const waiting: (() => void)[] = []
      held = waiting
      return () => {
        held = undefined
        for (const resume of waiting) resume()
      }
    },
  }
}

const manifest = (digest: string): ManifestRecord => ({ digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', content: Buffer.from(digest), references: [] })

describe('ManifestCachingIndex', () => {
  it('serves repeated lookups from memory within the TTL', async () => {
    const fake = fakeIndex()
    fake.stored.set('r:v1', manifest('sha256:a'))
    const cache = new ManifestCachingIndex(fake.index, 60_000, undefined, createManifestCacheState())
    for (let i = 0; i < 5; i++) expect((await cache.getManifest('r', { tag: 'v1' }))?.digest).toBe('sha256:a')
    expect(fake.lookups()).toBe(1)
  })

  it('sees its own writes at once: a moved tag and a deleted tag', async () => {
    const fake = fakeIndex()
    const cache = new ManifestCachingIndex(fake.index, 60_000, undefined, createManifestCacheState())
    await cache.putManifest('r', manifest('sha256:a'), 'v1')
    expect((await cache.getManifest('r', { tag: 'v1' }))?.digest).toBe('sha256:a')
    await cache.putManifest('r', manifest('sha256:b'), 'v1')
    expect((await cache.getManifest('r', { tag: 'v1' }))?.digest).toBe('sha256:b')
    await cache.deleteTag('r', 'v1')
    expect(await cache.getManifest('r', { tag: 'v1' })).toBeNull()
  })

  it('never caches a miss, and expires entries after the TTL', async () => {
    const fake = fakeIndex()
    const cache = new ManifestCachingIndex(fake.index, 20, undefined, createManifestCacheState())
    expect(await cache.getManifest('r', { tag: 'v1' })).toBeNull()
    fake.stored.set('r:v1', manifest('sha256:a'))
    expect((await cache.getManifest('r', { tag: 'v1' }))?.digest).toBe('sha256:a')
    fake.stored.set('r:v1', manifest('sha256:b'))
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect((await cache.getManifest('r', { tag: 'v1' }))?.digest).toBe('sha256:b')
  })

  it('does not keep what a lookup read while a write to the repository was under way', async () => {
    const fake = fakeIndex()
    fake.stored.set('r:v1', manifest('sha256:old'))
    const cache = new ManifestCachingIndex(fake.index, 60_000, undefined, createManifestCacheState())
    const go = fake.hold()
    const slowRead = cache.getManifest('r', { tag: 'v1' })
    await cache.putManifest('r', manifest('sha256:new'), 'v1')
    go()
    expect((await slowRead)?.digest).toBe('sha256:old')
    expect((await cache.getManifest('r', { tag: 'v1' }))?.digest).toBe('sha256:new')
  })

  it('is off with a TTL of 0', async () => {
    const fake = fakeIndex()
    fake.stored.set('r:v1', manifest('sha256:a'))
    const cache = new ManifestCachingIndex(fake.index, 0, undefined, createManifestCacheState())
    await cache.getManifest('r', { tag: 'v1' })
    await cache.getManifest('r', { tag: 'v1' })
    expect(fake.lookups()).toBe(2)
  })

  it('instances on one state share it: a write through one invalidates the other, and so does invalidateManifestCache', async () => {
    const fake = fakeIndex()
    const repo = `shared-${Math.random()}`
    fake.stored.set(`${repo}:v1`, manifest('sha256:a'))
    const state = createManifestCacheState()
    const server = new ManifestCachingIndex(fake.index, 60_000, undefined, state)
    const api = new ManifestCachingIndex(fake.index, 60_000, undefined, state)
    expect((await server.getManifest(repo, { tag: 'v1' }))?.digest).toBe('sha256:a')
    await api.deleteTag(repo, 'v1')
    expect(await server.getManifest(repo, { tag: 'v1' })).toBeNull()
    fake.stored.set(`${repo}:v1`, manifest('sha256:b'))
    expect((await server.getManifest(repo, { tag: 'v1' }))?.digest).toBe('sha256:b')
    fake.stored.set(`${repo}:v1`, manifest('sha256:c'))
    invalidateManifestCache(repo, state)
    expect((await server.getManifest(repo, { tag: 'v1' }))?.digest).toBe('sha256:c')
  })

  it('answers a hit past 3/4 of its TTL from memory and re-reads it in the background, so a read tag never expires', async () => {
    const fake = fakeIndex()
    fake.stored.set('r:v1', manifest('sha256:a'))
    const cache = new ManifestCachingIndex(fake.index, 2000, undefined, createManifestCacheState())
    expect((await cache.getManifest('r', { tag: 'v1' }))?.digest).toBe('sha256:a')
    fake.stored.set('r:v1', manifest('sha256:b'))
    await new Promise((resolve) => setTimeout(resolve, 1600))
    const go = fake.hold()
    // The background re-read is held: the lookup must not wait for it.
    expect((await cache.getManifest('r', { tag: 'v1' }))?.digest).toBe('sha256:a')
    // The re-read starts TTL/16 (125 ms) later, with whatever else fell due meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(fake.lookups()).toBe(2)
    expect((await cache.getManifest('r', { tag: 'v1' }))?.digest).toBe('sha256:a')
    expect(fake.lookups()).toBe(2)
    go()
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect((await cache.getManifest('r', { tag: 'v1' }))?.digest).toBe('sha256:b')
    expect(fake.lookups()).toBe(2)
  })

  it('lets concurrent lookups that miss share one read, but not one that started before a local write', async () => {
    const fake = fakeIndex()
    fake.stored.set('r:v1', manifest('sha256:a'))
    const cache = new ManifestCachingIndex(fake.index, 60_000, undefined, createManifestCacheState())
    const go = fake.hold()
    const first = Array.from({ length: 10 }, () => cache.getManifest('r', { tag: 'v1' }))
    expect(fake.lookups()).toBe(1)
    await cache.putManifest('r', manifest('sha256:b'), 'v1')
    const afterWrite = cache.getManifest('r', { tag: 'v1' })
    expect(fake.lookups()).toBe(2)
    go()
    for (const lookup of first) expect((await lookup)?.digest).toBe('sha256:a')
    expect((await afterWrite)?.digest).toBe('sha256:b')
  })
})
