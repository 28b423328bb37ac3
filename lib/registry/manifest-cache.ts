// A short-lived in-process cache in front of the index's manifest lookups: manifest GETs are the
// hottest path of a registry, and a popular tag is read thousands of times a second.
// Writes through this process invalidate the repository's entries at once; writes by another
// replica become visible within the TTL (set MANIFEST_CACHE_TTL=0 to turn the cache off).
//
// A manifest that keeps being read never waits on the database: past 3/4 of its TTL, a hit is still
// answered from memory and the entry is re-read in the background, so it is fresh again before it
// expires. Background re-reads are batched per repository (one round trip for up to
// REFRESH_BATCH entries when the index offers `getManifests`) and run one batch at a time, yielding
// to other work between them: on PGlite a statement runs in the event loop's thread, and a burst of
// single re-reads would stall every request. A pass starts TTL/16 after the first entry falls due,
// so the entries that fall due meanwhile join its batches. Concurrent lookups of one key that miss
// share one read.
//
// The process has one ManifestCachingIndex, the runtime's (lib/runtime), which /v2 and /api/v1 both
// go through, so a tag deleted through the API is gone from /v2 at once. Its state (entries and
// generations) is the runtime's `caches.manifests`, which `invalidateManifestCache` also takes.
import type {
  Actor,
  DeleteManifestResult,
  Descriptor,
  Digest,
  ManifestRecord,
  Page,
  PutManifestOptions,
  PutManifestResult,
  RegistryIndex,
  StoredManifest,
  UploadRecord,
  UploadSession,
} from '@registry-core'

interface Entry {
  manifest: StoredManifest
  generation: number
  /** Past this, a hit also queues a background re-read. */
  refreshAt: number
  expires: number
}

type Reference = { tag: string } | { digest: Digest }

/** Offered by an index that can read many manifests of one repository in one round trip. */
export interface ManifestBatchReader {
  /** The manifests of `references` in `repository`, in the same order (null: not found). */
  getManifests(repository: string, references: Reference[]): Promise<(StoredManifest | null)[]>
}

const REFRESH_BATCH = 100

interface RefreshGroup {
  /** Due keys and their references. */
  due: Map<string, Reference>
  refresh(due: Map<string, Reference>): Promise<void>
}

interface Read {
  generation: number
  result: Promise<StoredManifest | null>
}

export interface ManifestCacheState {
  entries: Map<string, Entry>
  /** Bumped on every local write to a repository; older entries are stale. */
  generations: Map<string, number>
  /** Database reads in flight, by key: lookups of the same key and generation share them. */
  reads: Map<string, Read>
  /** Background re-reads waiting to run, by repository (one batch at a time, see above). */
  refreshes: Map<string, RefreshGroup>
  refreshing: boolean
}

/** An empty cache state. */
export function createManifestCacheState(): ManifestCacheState {
  return { entries: new Map(), generations: new Map(), reads: new Map(), refreshes: new Map(), refreshing: false }
}

/** Marks every cached manifest of `repository` in `state` stale. */
export function invalidateManifestCache(repository: string, state: ManifestCacheState): void {
  const { generations } = state
  generations.set(repository, (generations.get(repository) ?? 0) + 1)
}

/** Runs the queued background re-reads batch by batch; a failed batch is dropped (its entries then expire). */
async function runRefreshes(state: ManifestCacheState, delayMs: number): Promise<void> {
  state.refreshing = true
  try {
    await new Promise((resolve) => setTimeout(resolve, delayMs).unref())
    for (const [repository, group] of state.refreshes) {
      const batch = new Map<string, Reference>()
      for (const [key, reference] of group.due) {
        if (batch.size === REFRESH_BATCH) break
        batch.set(key, reference)
        group.due.delete(key)
      }
      // The rest of a large group goes to the back of the queue.
      state.refreshes.delete(repository)
      if (group.due.size > 0) state.refreshes.set(repository, group)
      await group.refresh(batch).catch(() => undefined)
      await new Promise((resolve) => setImmediate(resolve))
    }
  } finally {
    state.refreshing = false
  }
}

export class ManifestCachingIndex implements RegistryIndex {
  private readonly entries: Map<string, Entry>
  private readonly generations: Map<string, number>
  /** Forwarded as is, and absent when the inner index lacks it (the engine then takes the ordinary path). */
  readonly completeEmptyUpload?: RegistryIndex['completeEmptyUpload']
  readonly tagCheckedAt?: RegistryIndex['tagCheckedAt']
  readonly markTagChecked?: RegistryIndex['markTagChecked']

  constructor(
    private readonly inner: RegistryIndex & Partial<ManifestBatchReader>,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly state: ManifestCacheState = createManifestCacheState(),
  ) {
    this.entries = state.entries
    this.generations = state.generations
    const completeEmpty = inner.completeEmptyUpload
    if (completeEmpty) this.completeEmptyUpload = (session, digest, size) => completeEmpty.call(inner, session, digest, size)
    const { tagCheckedAt, markTagChecked } = inner
    if (tagCheckedAt && markTagChecked) {
      this.tagCheckedAt = (repository, tag) => tagCheckedAt.call(inner, repository, tag)
      this.markTagChecked = (repository, tag, at) => markTagChecked.call(inner, repository, tag, at)
    }
  }

  async getManifest(repository: string, reference: Reference): Promise<StoredManifest | null> {
    const key = `${repository}\0${'tag' in reference ? `t:${reference.tag}` : reference.digest}`
    const generation = this.generations.get(repository) ?? 0
    const cached = this.entries.get(key)
    const now = Date.now()
    if (cached && cached.generation === generation && cached.expires > now) {
      if (now >= cached.refreshAt) this.queueRefresh(key, repository, reference)
      return cached.manifest
    }
    return this.read(key, repository, reference, generation)
  }

  /** Reads through to the index (joining a read of the same key and generation in flight) and caches a hit. */
  private read(key: string, repository: string, reference: Reference, generation: number): Promise<StoredManifest | null> {
    const { reads } = this.state
    const inFlight = reads.get(key)
    if (inFlight && inFlight.generation === generation) return inFlight.result
    // Entries expire a TTL after their read STARTED, so what is served is never older than the TTL.
    const startedAt = Date.now()
    const result = this.inner.getManifest(repository, reference).then((manifest) => {
      // Misses are not cached: a manifest pushed through another replica must be readable at once.
      if (manifest && (this.generations.get(repository) ?? 0) === generation) this.store(key, manifest, generation, startedAt)
      return manifest
    })
    const read = { generation, result }
    reads.set(key, read)
    const done = () => {
      if (reads.get(key) === read) reads.delete(key)
    }
    result.then(done, done)
    return result
  }

  private store(key: string, manifest: StoredManifest, generation: number, readAt: number): void {
    if (this.ttlMs <= 0) return
    this.entries.delete(key)
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!)
    this.entries.set(key, { manifest, generation, refreshAt: readAt + (this.ttlMs * 3) / 4, expires: readAt + this.ttlMs })
  }

  private queueRefresh(key: string, repository: string, reference: Reference): void {
    const state = this.state
    if (state.reads.has(key)) return
    let group = state.refreshes.get(repository)
    if (!group) {
      group = { due: new Map(), refresh: (due) => this.refresh(repository, due) }
      state.refreshes.set(repository, group)
    }
    group.due.set(key, reference)
    if (!state.refreshing) void runRefreshes(state, this.ttlMs / 16)
  }

  /** Re-reads the due entries of `repository` and caches them again; one that is gone is dropped. */
  private async refresh(repository: string, due: Map<string, Reference>): Promise<void> {
    const generation = this.generations.get(repository) ?? 0
    const startedAt = Date.now()
    // Hits while this read is under way need not queue the entries again.
    for (const key of due.keys()) {
      const entry = this.entries.get(key)
      if (entry) entry.refreshAt = entry.expires
    }
    const references = [...due.values()]
    const manifests = this.inner.getManifests
      ? await this.inner.getManifests(repository, references)
      : await Promise.all(references.map((reference) => this.inner.getManifest(repository, reference)))
    if ((this.generations.get(repository) ?? 0) !== generation) return
    let i = 0
    for (const key of due.keys()) {
      const manifest = manifests[i++]
      if (manifest) this.store(key, manifest, generation, startedAt)
      else this.entries.delete(key)
    }
  }

  private invalidate(repository: string): void {
    invalidateManifestCache(repository, this.state)
  }

  async putManifest(repository: string, manifest: ManifestRecord, tag?: string, actor?: Actor, options?: PutManifestOptions): Promise<PutManifestResult> {
    this.invalidate(repository)
    try {
      return await this.inner.putManifest(repository, manifest, tag, actor, options)
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
