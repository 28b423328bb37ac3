// A RegistryIndex in memory: for tests and for running the engine in-process. Same contract as the
// database index (tests/contracts/registry-index.contract.ts runs against both); nothing survives
// the process. Every method runs to completion without awaiting, so each is atomic.
import { RegistryError } from '../errors'
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
} from '../ports'

export interface MemoryIndexOptions {
  /** Whether a repository of this name may be created (e.g. only inside existing projects). Default: any. */
  canCreate?: (repository: string) => boolean
  /** Whether `actor` may see the repository in the catalog. Default: everyone sees everything. */
  canRead?: (repository: string, actor: Actor) => boolean
  /** The clock upload sessions are touched by, in ms (tests set it back to age sessions). Default: Date.now. */
  now?: () => number
}

interface StoredRecord {
  record: ManifestRecord
  /** Insertion order, for listing referrers oldest first. */
  seq: number
}

interface Repository {
  blobs: Set<Digest>
  manifests: Map<Digest, StoredRecord>
  tags: Map<string, Digest>
  /** When each tag was last confirmed against the upstream (proxy-cache), in ms. */
  tagChecks: Map<string, number>
}

interface Upload {
  session: UploadSession
  closed: boolean
  touchedAt: number
}

/** Byte-lexical order of UTF-8 strings (what OCI calls lexical). */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))

/** Page size + 1 (the engine uses the extra entry to decide on a `Link` header). */
function limitOf(page: Page): number {
  const n = Number.isFinite(page.n) ? Math.max(0, Math.floor(page.n)) : 0
  return Math.min(n, 1_000_000) + 1
}

function pageOf(names: Iterable<string>, page: Page): string[] {
  const last = page.last
  return [...names]
    .filter((name) => last === undefined || byteOrder(name, last) > 0)
    .sort(byteOrder)
    .slice(0, limitOf(page))
}

export class MemoryRegistryIndex implements RegistryIndex {
  private readonly repositories = new Map<string, Repository>()
  /** Sizes of the blobs recorded anywhere; the first size recorded for a digest stays. */
  private readonly blobSizes = new Map<Digest, number>()
  private readonly uploads = new Map<string, Upload>()
  private seq = 0
  private readonly canCreate: (repository: string) => boolean
  private readonly canRead: (repository: string, actor: Actor) => boolean
  private readonly now: () => number

  constructor(options: MemoryIndexOptions = {}) {
    this.canCreate = options.canCreate ?? (() => true)
    this.canRead = options.canRead ?? (() => true)
    this.now = options.now ?? Date.now
  }

  // ---------------------------------------------------------------- blobs

  async findBlob(repository: string, digest: Digest): Promise<{ size: number } | null> {
    const size = this.blobSizes.get(digest)
    return this.repositories.get(repository)?.blobs.has(digest) && size !== undefined ? { size } : null
  }

  async linkBlob(repository: string, digest: Digest, size: number): Promise<void> {
    this.link(repository, digest, size)
  }

  async completeUpload(session: UploadSession, digest: Digest, size: number): Promise<void> {
    this.link(session.repository, digest, size)
    this.close(session, size)
  }

  async completeEmptyUpload(session: UploadSession, digest: Digest, size: number): Promise<{ recorded: boolean } | null> {
    const upload = this.uploads.get(session.id)
    if (upload && (upload.closed || upload.session.size !== 0)) return null
    this.link(session.repository, digest, size)
    this.close(session, size)
    return { recorded: upload !== undefined }
  }

  async unlinkBlob(repository: string, digest: Digest): Promise<boolean> {
    return this.repositories.get(repository)?.blobs.delete(digest) ?? false
  }

  // ---------------------------------------------------------------- manifests and tags

  async getManifest(repository: string, reference: { tag: string } | { digest: Digest }): Promise<StoredManifest | null> {
    const repo = this.repositories.get(repository)
    if (!repo) return null
    const digest = 'tag' in reference ? repo.tags.get(reference.tag) : reference.digest
    const stored = digest === undefined ? undefined : repo.manifests.get(digest)
    if (!stored) return null
    const { record } = stored
    return { digest: record.digest, mediaType: record.mediaType, content: Buffer.from(record.content) }
  }

  async putManifest(repository: string, manifest: ManifestRecord, tag?: string, _actor?: Actor, options: PutManifestOptions = {}): Promise<PutManifestResult> {
    const existing = this.repositories.get(repository)
    const missing = new Set<Digest>()
    for (const ref of options.cached ? [] : manifest.references) {
      const present = ref.kind === 'blob' ? existing?.blobs.has(ref.digest) : existing?.manifests.has(ref.digest)
      if (!present) missing.add(ref.digest)
    }
    if (missing.size) return { ok: false, missing: [...missing] }
    const repo = this.repository(repository)
    if (!repo.manifests.has(manifest.digest)) {
      repo.manifests.set(manifest.digest, { record: { ...manifest, content: Buffer.from(manifest.content) }, seq: ++this.seq })
    }
    if (tag !== undefined) repo.tags.set(tag, manifest.digest)
    return { ok: true }
  }

  async deleteTag(repository: string, tag: string): Promise<{ digest: Digest } | null> {
    const repo = this.repositories.get(repository)
    const digest = repo?.tags.get(tag)
    if (!repo || digest === undefined) return null
    repo.tags.delete(tag)
    repo.tagChecks.delete(tag)
    return { digest }
  }

  async tagCheckedAt(repository: string, tag: string): Promise<Date | null> {
    const at = this.repositories.get(repository)?.tagChecks.get(tag)
    return at === undefined ? null : new Date(at)
  }

  async markTagChecked(repository: string, tag: string, at: Date): Promise<void> {
    const repo = this.repositories.get(repository)
    if (repo?.tags.has(tag)) repo.tagChecks.set(tag, at.getTime())
  }

  async deleteManifest(repository: string, digest: Digest): Promise<DeleteManifestResult | null> {
    const repo = this.repositories.get(repository)
    const target = repo?.manifests.get(digest)
    if (!repo || !target) return null
    const referencesFrom = (parent: Digest, child: Digest) =>
      parent !== child && (repo.manifests.get(parent)?.record.references.some((r) => r.kind === 'manifest' && r.digest === child) ?? false)
    const parents = [...repo.manifests.keys()].filter((parent) => referencesFrom(parent, digest)).sort()
    if (parents.length) return { ok: false, referencedBy: parents }

    const tagged = new Set(repo.tags.values())
    const children = [...new Set(target.record.references.filter((r) => r.kind === 'manifest').map((r) => r.digest))]
      .filter((child) => child !== digest && repo.manifests.has(child) && !tagged.has(child))
      .filter((child) => ![...repo.manifests.keys()].some((parent) => parent !== digest && referencesFrom(parent, child)))
      .sort()
    const tags = [...repo.tags]
      .filter(([, d]) => d === digest)
      .map(([name]) => name)
      .sort(byteOrder)
    for (const name of tags) {
      repo.tags.delete(name)
      repo.tagChecks.delete(name)
    }
    const gone = children.map((child) => ({ digest: child, mediaType: repo.manifests.get(child)?.record.mediaType ?? '' }))
    for (const child of children) repo.manifests.delete(child)
    repo.manifests.delete(digest)
    return { ok: true, mediaType: target.record.mediaType, tags, children: gone }
  }

  // ---------------------------------------------------------------- listings

  async listTags(repository: string, page: Page): Promise<string[] | null> {
    const repo = this.repositories.get(repository)
    return repo ? pageOf(repo.tags.keys(), page) : null
  }

  async listRepositories(page: Page, actor: Actor): Promise<string[]> {
    return pageOf(
      [...this.repositories.keys()].filter((name) => this.canRead(name, actor)),
      page,
    )
  }

  async listReferrers(repository: string, digest: Digest, artifactType?: string): Promise<Descriptor[]> {
    const repo = this.repositories.get(repository)
    if (!repo) return []
    return [...repo.manifests.values()]
      .filter(({ record }) => record.subject?.digest === digest && (artifactType === undefined || record.artifactType === artifactType))
      .sort((a, b) => a.seq - b.seq)
      .map(({ record }) => {
        const d: Descriptor = { mediaType: record.mediaType, digest: record.digest, size: record.content.length }
        if (record.artifactType !== undefined) d.artifactType = record.artifactType
        if (record.annotations !== undefined) d.annotations = { ...record.annotations }
        return d
      })
  }

  // ---------------------------------------------------------------- upload sessions

  async getUpload(repository: string, id: string): Promise<UploadRecord | null> {
    const upload = this.uploads.get(id)
    if (!upload || upload.session.repository !== repository) return null
    return upload.closed ? { state: 'closed' } : { state: 'open', session: { ...upload.session } }
  }

  async openUpload(session: UploadSession): Promise<boolean> {
    const upload = this.uploads.get(session.id)
    if (upload) {
      if (upload.closed) return false
      upload.touchedAt = this.now()
      return true
    }
    this.uploads.set(session.id, { session: { ...session, size: 0 }, closed: false, touchedAt: this.now() })
    return true
  }

  async updateUpload(id: string, size: number): Promise<boolean> {
    const upload = this.uploads.get(id)
    if (!upload || upload.closed) return false
    upload.session.size = size
    upload.touchedAt = this.now()
    return true
  }

  async closeUpload(session: UploadSession): Promise<boolean> {
    if (this.uploads.get(session.id)?.closed) return false
    this.close(session, 0)
    return true
  }

  async deleteUpload(id: string): Promise<void> {
    this.uploads.delete(id)
  }

  async purgeClosedUploads(before: Date): Promise<number> {
    let purged = 0
    for (const [id, upload] of this.uploads) {
      if (upload.closed && upload.touchedAt < before.getTime()) {
        this.uploads.delete(id)
        purged++
      }
    }
    return purged
  }

  async listStaleUploads(before: Date, limit: number): Promise<UploadSession[]> {
    return [...this.uploads.values()]
      .filter((upload) => !upload.closed && upload.touchedAt < before.getTime())
      .sort((a, b) => a.touchedAt - b.touchedAt)
      .slice(0, Math.max(0, Math.floor(limit)))
      .map((upload) => ({ ...upload.session }))
  }

  // ---------------------------------------------------------------- internals

  /** The repository, created when it does not exist yet and may be. */
  private repository(name: string): Repository {
    const existing = this.repositories.get(name)
    if (existing) return existing
    if (!this.canCreate(name)) {
      throw new RegistryError('NAME_UNKNOWN', { message: `repository "${name}" cannot be created`, detail: { name } })
    }
    const created: Repository = { blobs: new Set(), manifests: new Map(), tags: new Map(), tagChecks: new Map() }
    this.repositories.set(name, created)
    return created
  }

  private link(repository: string, digest: Digest, size: number): void {
    this.repository(repository).blobs.add(digest)
    if (!this.blobSizes.has(digest)) this.blobSizes.set(digest, size)
  }

  /** Records the session closed, recorded before or not; a session closed already stays as it was. */
  private close(session: UploadSession, size: number): void {
    const upload = this.uploads.get(session.id)
    if (upload?.closed) return
    this.uploads.set(session.id, { session: { ...session, size }, closed: true, touchedAt: this.now() })
  }
}
