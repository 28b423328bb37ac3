// A short-lived in-process cache in front of the index's manifest lookups: manifest GETs are the
// hottest path of a registry, and a popular tag is read thousands of times a second.
// Writes through this process invalidate the repository's entries at once; writes by another
// replica become visible within the TTL (set MANIFEST_CACHE_TTL=0 to turn the cache off).
//
// The state (entries and generations) lives on globalThis: the server bundle (/v2) and Next's
// bundle (/api/v1 route handlers) each load this module, and a tag deleted through the API must be
// gone from /v2 at once. Every ManifestCachingIndex of the process shares one cache; an
// invalidation through any of them (or `invalidateManifestCache`) is seen by all.
import type {
  Actor,
  DeleteManifestResult,
  Descriptor,
  Digest,
  ManifestRecord,
  Page,
  PutManifestResult,
  RegistryIndex,
  StoredManifest,
  UploadRecord,
  UploadSession,
} from '../../registry-core/src/ports'

interface Entry {
  manifest: StoredManifest
  generation: number
  expires: number
}

export interface ManifestCacheState {
  entries: Map<string, Entry>
  /** Bumped on every local write to a repository; older entries are stale. */
  generations: Map<string, number>
}

const g = globalThis as typeof globalThis & { __manifestCache?: ManifestCacheState }

/** A fresh, unshared cache state (tests). */
export function createManifestCacheState(): ManifestCacheState {
  return { entries: new Map(), generations: new Map() }
}

function sharedState(): ManifestCacheState {
  g.__manifestCache ??= createManifestCacheState()
  return g.__manifestCache
}

/** Marks every cached manifest of `repository` stale, in every bundle of this process. */
export function invalidateManifestCache(repository: string, state: ManifestCacheState = sharedState()): void {
  const { generations } = state
  generations.set(repository, (generations.get(repository) ?? 0) + 1)
}

export class ManifestCachingIndex implements RegistryIndex {
  private readonly entries: Map<string, Entry>
  private readonly generations: Map<string, number>
  /** Forwarded as is, and absent when the inner index lacks it (the engine then takes the ordinary path). */
  readonly completeEmptyUpload?: RegistryIndex['completeEmptyUpload']

  constructor(
    private readonly inner: RegistryIndex,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly state: ManifestCacheState = sharedState(),
  ) {
    this.entries = state.entries
    this.generations = state.generations
    const completeEmpty = inner.completeEmptyUpload
    if (completeEmpty) this.completeEmptyUpload = (session, digest, size) => completeEmpty.call(inner, session, digest, size)
  }

  async getManifest(repository: string, reference: { tag: string } | { digest: Digest }): Promise<StoredManifest | null> {
    const key = `${repository}\0${'tag' in reference ? `t:${reference.tag}` : reference.digest}`
    const generation = this.generations.get(repository) ?? 0
    const cached = this.entries.get(key)
    if (cached && cached.generation === generation && cached.expires > Date.now()) return cached.manifest
    const manifest = await this.inner.getManifest(repository, reference)
    // Misses are not cached: a manifest pushed through another replica must be readable at once.
    if (manifest && this.ttlMs > 0 && (this.generations.get(repository) ?? 0) === generation) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!)
      this.entries.set(key, { manifest, generation, expires: Date.now() + this.ttlMs })
    }
    return manifest
  }

  private invalidate(repository: string): void {
    invalidateManifestCache(repository, this.state)
  }

  async putManifest(repository: string, manifest: ManifestRecord, tag?: string, actor?: Actor): Promise<PutManifestResult> {
    this.invalidate(repository)
    try {
      return await this.inner.putManifest(repository, manifest, tag, actor)
    } finally {
      this.invalidate(repository)
    }
  }

  async deleteTag(repository: string, tag: string, actor?: Actor): Promise<{ digest: Digest } | null> {
    this.invalidate(repository)
    try {
      return await this.inner.deleteTag(repository, tag, actor)
    } finally {
      this.invalidate(repository)
    }
  }

  async deleteManifest(repository: string, digest: Digest, actor?: Actor): Promise<DeleteManifestResult | null> {
    this.invalidate(repository)
    try {
      return await this.inner.deleteManifest(repository, digest, actor)
    } finally {
      this.invalidate(repository)
    }
  }

  findBlob(repository: string, digest: Digest): Promise<{ size: number } | null> {
    return this.inner.findBlob(repository, digest)
  }
  linkBlob(repository: string, digest: Digest, size: number): Promise<void> {
    return this.inner.linkBlob(repository, digest, size)
  }
  completeUpload(session: UploadSession, digest: Digest, size: number): Promise<void> {
    return this.inner.completeUpload(session, digest, size)
  }
  unlinkBlob(repository: string, digest: Digest): Promise<boolean> {
    return this.inner.unlinkBlob(repository, digest)
  }
  listTags(repository: string, page: Page): Promise<string[] | null> {
    return this.inner.listTags(repository, page)
  }
  listRepositories(page: Page, actor: Actor): Promise<string[]> {
    return this.inner.listRepositories(page, actor)
  }
  listReferrers(repository: string, digest: Digest, artifactType?: string): Promise<Descriptor[]> {
    return this.inner.listReferrers(repository, digest, artifactType)
  }
  getUpload(repository: string, id: string): Promise<UploadRecord | null> {
    return this.inner.getUpload(repository, id)
  }
  openUpload(session: UploadSession): Promise<boolean> {
    return this.inner.openUpload(session)
  }
  updateUpload(id: string, size: number): Promise<boolean> {
    return this.inner.updateUpload(id, size)
  }
  closeUpload(session: UploadSession): Promise<boolean> {
    return this.inner.closeUpload(session)
  }
  deleteUpload(id: string): Promise<void> {
    return this.inner.deleteUpload(id)
  }
  purgeClosedUploads(before: Date): Promise<number> {
    return this.inner.purgeClosedUploads(before)
  }
  listStaleUploads(before: Date, limit: number): Promise<UploadSession[]> {
    return this.inner.listStaleUploads(before, limit)
  }
}
