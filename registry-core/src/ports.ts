// The engine's ports: everything registry-core needs from the outside world.
// The application (lib/) implements them; the engine never imports the application.
import type { Readable } from 'node:stream'
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'

/** `algorithm:hex`, already validated against the spec grammar. */
export type Digest = string

/** An inclusive byte range, as in HTTP `Range`. */
export interface ByteRange {
  start: number
  end: number
}

// ---------------------------------------------------------------- BlobStore

/**
 * Content-addressed bytes. Knows nothing about repositories: which repository may serve a blob
 * is the index's business. Upload sessions are identified by an opaque id chosen by the engine.
 * The interface must map onto object storage too (S3 multipart: no rename, no append).
 */
export interface BlobStore {
  /** Size of a committed blob, or null when the store does not hold it. */
  stat(digest: Digest): Promise<{ size: number } | null>
  /** A stream of a committed blob, optionally a range of it. Rejects when the blob is missing. */
  read(digest: Digest, range?: ByteRange): Promise<Readable>
  /** Removes a committed blob's bytes (garbage collection only; deleting a repository link is the index's job). */
  delete(digest: Digest): Promise<void>

  /**
   * Appends `body` at `offset` (which must equal the size recorded for the session) while hashing it.
   * An upload starts empty and needs no creation: an append at offset 0 begins it.
   * Resolves with the new total size. On failure (client gone, limit exceeded, disk full) the
   * upload is left exactly as it was before the call and the error is rethrown.
   * `maxBytes` caps how many bytes this call may take; exceeding it rejects with `SizeLimitError`.
   */
  appendUpload(uploadId: string, offset: number, body: Readable, maxBytes?: number): Promise<number>
  /**
   * Verifies that the first `size` bytes of the upload hash to `digest` and makes them visible
   * as that blob atomically (durably, once it resolves). Rejects with `DigestMismatchError` (upload
   * kept) when they do not. An upload that never received a byte commits as the empty blob.
   */
  commitUpload(uploadId: string, size: number, digest: Digest): Promise<void>
  /**
   * A whole blob in one body (an upload that holds no bytes yet and receives everything at once):
   * hashes it while storing it, verifies it against `digest` and makes it visible atomically and
   * durably, like an append at offset 0 followed by a commit but in one pass; the upload is then
   * finished. Resolves with the size. On any failure (`DigestMismatchError`, `SizeLimitError` past
   * `maxBytes`, client gone) nothing is stored, the upload stays as it was and the error is rethrown.
   */
  putBlob(uploadId: string, digest: Digest, body: Readable, maxBytes?: number): Promise<number>
  /** `putBlob` for bytes that belong to no upload (a monolithic push): no upload's bytes are touched. */
  storeBlob(digest: Digest, body: Readable, maxBytes?: number): Promise<number>
  /**
   * `storeBlob` for a caller that hashes every byte of `body` itself on the way (the proxy's pump,
   * which verifies a blob for the client it streams it to): the store does not hash it a second time.
   * The caller settles `callerVerdict` once the body has ended: resolved when the bytes it fed hashed
   * to `digest` (and were all it announced), rejected otherwise. The blob becomes visible atomically
   * and durably only after the verdict resolves; a rejected verdict rejects the call with its reason
   * and stores nothing, as does any failure `storeBlob` refuses on (`maxBytes`, the body failing).
   * Never for bytes the caller did not hash itself. Optional: without it, callers use `storeBlob`.
   */
  storeBlobVerifiedByCaller?(digest: Digest, body: Readable, callerVerdict: Promise<void>, maxBytes?: number): Promise<number>
  /** Discards an upload's bytes. Idempotent. */
  abortUpload(uploadId: string): Promise<void>
  /**
   * Discards whatever upload bytes nothing has touched since `before` (an expired session's, or a
   * whole-blob write that a crash interrupted), by then unknown to the index. Resolves how many went.
   */
  sweepUploads(before: Date): Promise<number>
  /** Rejects when the store cannot serve (its folder or bucket unreachable): a cheap probe for readiness checks. */
  check?(): Promise<void>
  /**
   * Optional: a URL the client may fetch a committed blob from directly (e.g. a presigned S3 URL,
   * which honours `Range` itself), or null to have the registry stream it. Blob GETs then answer 307.
   */
  redirectUrl?(digest: Digest): Promise<string | null>
}

export class DigestMismatchError extends Error {
  constructor(
    readonly expected: Digest,
    readonly actual: Digest,
  ) {
    super(`digest mismatch: expected ${expected}, computed ${actual}`)
  }
}

export class SizeLimitError extends Error {
  constructor(readonly limit: number) {
    super(`body exceeds the limit of ${limit} bytes`)
  }
}

/** The stored bytes of an upload no longer match its session (e.g. lost in a crash): the session cannot continue. */
export class UploadCorruptError extends Error {
  readonly code = 'EUPLOADCORRUPT'
  constructor(
    readonly uploadId: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`upload ${uploadId} is corrupt: the session records ${expected} bytes but the store holds ${actual}`)
  }
}

// ---------------------------------------------------------------- RegistryIndex

/** A content descriptor as it appears in manifests and the referrers index. */
export interface Descriptor {
  mediaType: string
  digest: Digest
  size: number
  artifactType?: string
  annotations?: Record<string, string>
  platform?: Platform
  urls?: string[]
}

export interface Platform {
  architecture: string
  os: string
  'os.version'?: string
  'os.features'?: string[]
  variant?: string
}

/** A reference from a manifest to content it needs: a blob (config, layer) or a child manifest (index entry). */
export interface ManifestReference {
  kind: 'blob' | 'manifest'
  digest: Digest
  size: number
  mediaType: string
  platform?: Platform
}

/** A validated manifest ready to be recorded. */
export interface ManifestRecord {
  digest: Digest
  mediaType: string
  /** The exact bytes the client sent; served back byte for byte. */
  content: Buffer
  /** `artifactType`, or for an image manifest without one, its config media type. */
  artifactType?: string
  subject?: Descriptor
  annotations?: Record<string, string>
  references: ManifestReference[]
}

export interface StoredManifest {
  digest: Digest
  mediaType: string
  content: Buffer
}

export interface UploadSession {
  id: string
  repository: string
  /** Bytes received so far. */
  size: number
  startedAt: Date
}

export type UploadRecord = { state: 'open'; session: UploadSession } | { state: 'closed' }

export interface Page {
  n: number
  last?: string
}

export type PutManifestResult = { ok: true } | { ok: false; missing: Digest[] }

export interface PutManifestOptions {
  /**
   * A manifest cached from an upstream (proxy-cache): its references need not be present, since
   * blobs and child manifests are fetched only when pulled. They are recorded all the same.
   */
  cached?: boolean
}

/** What exists where: the single source of truth for repositories, manifests, tags, links, uploads. */
/**
 * What `RegistryIndex.deleteManifest` did: deleted, with the tags that pointed at it and the untagged
 * child manifests of an index that went with it; or refused, naming the indexes that reference it.
 */
export type DeleteManifestResult = { ok: true; mediaType: string; tags: string[]; children: { digest: Digest; mediaType: string }[] } | { ok: false; referencedBy: Digest[] }

export interface RegistryIndex {
  /** Size of a blob linked to the repository, or null when the repository may not serve it. */
  findBlob(repository: string, digest: Digest): Promise<{ size: number } | null>
  /** Records a committed blob and links it to the repository (creating the repository). */
  linkBlob(repository: string, digest: Digest, size: number): Promise<void>
  /**
   * Finishes `session`: links the blob committed from it (as `linkBlob`) and records the session
   * closed, atomically (when the link fails, the session stays as it was).
   */
  completeUpload(session: UploadSession, digest: Digest, size: number): Promise<void>
  /**
   * Optional: `completeUpload` for a session that must still be empty, checked in the same step.
   * When `session` is unrecorded, or recorded open with 0 bytes received, links the blob (as
   * `linkBlob`) and records the session closed, atomically, and resolves whether it had been
   * recorded (then bytes may be stored under its id). Resolves null and changes nothing when it is
   * closed or already holds bytes. When the link fails (NAME_UNKNOWN: no such project) it throws and
   * the session stays as it was. Lets a PUT that brings the whole blob skip reading the session first.
   */
  completeEmptyUpload?(session: UploadSession, digest: Digest, size: number): Promise<{ recorded: boolean } | null>
  /** Removes the repository's link to a blob. False when there was none. */
  unlinkBlob(repository: string, digest: Digest): Promise<boolean>

  /** Resolves a tag or digest to a manifest in the repository. */
  getManifest(repository: string, reference: { tag: string } | { digest: Digest }): Promise<StoredManifest | null>
  /**
   * Records a manifest (idempotent by digest) and points `tag` at it, in one transaction.
   * Every `blob` reference must be linked to the repository and every `manifest` reference must be a
   * manifest of the repository; otherwise nothing is written and the missing digests are returned.
   * `actor` is who made the change: an index that keeps a durable event log (e.g. a webhook outbox)
   * records it in the same transaction; the EventSink hears about the change only after it.
   */
  putManifest(repository: string, manifest: ManifestRecord, tag?: string, actor?: Actor, options?: PutManifestOptions): Promise<PutManifestResult>
  /**
   * Optional (proxy-cache): when the tag's resolution was last confirmed against the upstream, null
   * when never or when the tag does not exist. Without it the engine remembers checks in its process.
   */
  tagCheckedAt?(repository: string, tag: string): Promise<Date | null>
  /** Optional, with `tagCheckedAt`: records that the tag was confirmed at `at` (nothing when the tag does not exist). */
  markTagChecked?(repository: string, tag: string, at: Date): Promise<void>
  /** Removes a tag; the manifest stays. Null when the tag did not exist. */
  deleteTag(repository: string, tag: string, actor?: Actor): Promise<{ digest: Digest } | null>
  /**
   * Removes a manifest and every tag pointing at it, and, for an index, the child manifests nothing
   * else in the repository needs (no tag, no other index), all at once. Refused (nothing removed)
   * while an index of the repository references the manifest. Null when it did not exist.
   */
  deleteManifest(repository: string, digest: Digest, actor?: Actor): Promise<DeleteManifestResult | null>

  /** Tags in byte-lexical order after `last`, at most `n` (+1 so the engine can tell whether more follow). Null for an unknown repository. */
  listTags(repository: string, page: Page): Promise<string[] | null>
  /** Repository names in byte-lexical order after `last`, at most `n`, restricted to what `actor` may read. */
  listRepositories(page: Page, actor: Actor): Promise<string[]>
  /** Manifests of the repository whose subject is `digest`, optionally only of one artifact type. */
  listReferrers(repository: string, digest: Digest, artifactType?: string): Promise<Descriptor[]>

  /**
   * What is recorded of upload `id` in `repository`: null when nothing is (sessions are recorded
   * only once their first bytes are about to be stored, or when they end).
   */
  getUpload(repository: string, id: string): Promise<UploadRecord | null>
  /** Records `session` as open before its first bytes are stored; false when it is closed. */
  openUpload(session: UploadSession): Promise<boolean>
  /** Records the new size; resolves false when the session is closed or gone (cancelled or purged meanwhile). */
  updateUpload(id: string, size: number): Promise<boolean>
  /** Records `session` closed (cancelled), recorded before or not; false when it already was closed. */
  closeUpload(session: UploadSession): Promise<boolean>
  /** Forgets a session entirely (purge). */
  deleteUpload(id: string): Promise<void>
  /** Forgets closed sessions started before `before` (their ids have expired); how many went. */
  purgeClosedUploads(before: Date): Promise<number>
  /** Open sessions not touched since `before`, for purging. */
  listStaleUploads(before: Date, limit: number): Promise<UploadSession[]>
}

// ---------------------------------------------------------------- Upstream (proxy-cache)

/** How an upstream failed; the engine decides from it between stale content and which error to answer. */
export type UpstreamErrorKind =
  /** The repository, manifest or blob does not exist upstream (404). */
  | 'not_found'
  /** The upstream refused this registry's credentials (an administrator's problem, not the puller's). */
  | 'unauthorized'
  /** 429. */
  | 'rate_limited'
  /** 5xx, or an answer the protocol does not allow. */
  | 'upstream_error'
  /** DNS, connection or TLS failure, or refused by the outbound guard. */
  | 'unreachable'
  /** No answer within the upstream client's time. */
  | 'timeout'
  /** Content that fails verification: digest mismatch, size over the cap, not a manifest. */
  | 'invalid'

/** What an `UpstreamSource` rejects with (and what a blob stream errors with); other errors count as `upstream_error`. */
export class UpstreamError extends Error {
  constructor(
    readonly kind: UpstreamErrorKind,
    message: string,
    readonly details: { upstream?: string; status?: number; retryAfterSeconds?: number } = {},
  ) {
    super(message)
    this.name = 'UpstreamError'
  }
}

export interface UpstreamManifestHead {
  digest: Digest
  mediaType: string
  size: number
}

export interface UpstreamManifest {
  /** The bytes as the upstream sent them; the engine verifies them against the digest it asked for. */
  bytes: Buffer
  mediaType: string
  digest: Digest
}

export interface UpstreamBlob {
  /** From Content-Length; null when the upstream did not say. */
  size: number | null
  /** The body as it arrives; the engine hashes it and stores it only when the digest matches. */
  stream: Readable
}

/** The upstream's referrers index (`bytes`, an OCI image index), or that it has no referrers API. */
export type UpstreamReferrers = { supported: true; bytes: Buffer; mediaType: string } | { supported: false }

/**
 * One upstream repository behind a proxy-cache repository. `reference` is a tag or a digest. Every
 * call may be given a signal: the engine aborts calls that outlive `limits.upstreamTimeoutMs`.
 */
export interface UpstreamSource {
  /** Names the upstream in logs and in errors answered to pullers (e.g. the endpoint's name or URL). */
  name: string
  /** How long a tag's cached resolution is served without asking the upstream again; 0 asks every time. */
  tagTtlMs: number
  /** Resolves a reference with one HEAD (never a GET: Docker Hub counts GETs). */
  headManifest(reference: string, signal?: AbortSignal): Promise<UpstreamManifestHead>
  getManifest(reference: string, signal?: AbortSignal): Promise<UpstreamManifest>
  getBlob(digest: Digest, signal?: AbortSignal): Promise<UpstreamBlob>
  getReferrers(digest: Digest, artifactType?: string, signal?: AbortSignal): Promise<UpstreamReferrers>
}

/** Which local repository serves a request, and the upstream behind it when it is a proxy-cache. */
export interface UpstreamRoute {
  /** The repository as named in the path, or the name the app rewrote it to (a transparent mirror). */
  repository: string
  source: UpstreamSource | null
}

export interface UpstreamRequest {
  /** The repository named in the path. */
  repository: string
  /** The `ns` query parameter (containerd and podman mirrors name the upstream registry with it). */
  namespace?: string
  method: string
}

/**
 * The app's pull-through cache: it maps every repository request (before authorization, so the
 * rewritten name is what is authorized) onto the local repository that serves it and its upstream.
 * Which names are proxy-cache projects, which project mirrors names that are not local, what `ns`
 * selects: all decided here; the engine knows nothing of projects.
 */
export interface Upstream {
  route(request: UpstreamRequest): Promise<UpstreamRoute>
  /**
   * Runs `fn` while holding the exclusive lock `key` across every replica (e.g. a PostgreSQL
   * advisory lock; a mutex in one process). The engine takes it around each upstream fetch and
   * re-checks the store once it holds it, so replicas fetching the same content fetch it once.
   */
  exclusive<T>(key: string, fn: () => Promise<T>): Promise<T>
}

// ---------------------------------------------------------------- Authorizer

export type Action = 'pull' | 'push' | 'delete'

/** Who is making a request, as established by the Authorizer. Opaque to the engine beyond these fields. */
export interface Actor {
  /** Username (or robot name); undefined for anonymous callers. */
  name?: string
  /** Application-specific identity, passed back to the index (e.g. for catalog filtering). */
  id?: string
}

export const ANONYMOUS: Actor = Object.freeze({})

/** What a request needs: nothing but an identity (`/v2/`), the catalog, or actions on one repository. */
export type AccessRequest = { type: 'base' } | { type: 'catalog' } | { type: 'repository'; repository: string; actions: Action[] }

export interface RequestInfo {
  method: string
  path: string
  headers: IncomingHttpHeaders
  remoteAddress?: string
}

export type AuthDecision =
  | { kind: 'allow'; actor: Actor }
  /** 401: credentials missing or invalid. `challenge` is the `WWW-Authenticate` value. */
  | { kind: 'challenge'; challenge: string; message?: string }
  /** 403: authenticated but not allowed. */
  | { kind: 'deny'; actor: Actor; message?: string }

export interface Authorizer {
  authorize(request: RequestInfo, access: AccessRequest): Promise<AuthDecision>
}

// ---------------------------------------------------------------- EventSink

export type RegistryEventType = 'manifest.pushed' | 'manifest.pulled' | 'manifest.deleted' | 'tag.deleted' | 'blob.mounted'

export interface RegistryEvent {
  type: RegistryEventType
  repository: string
  digest: Digest
  tag?: string
  mediaType?: string
  size?: number
  actor: Actor
  /** Source of a mount. */
  fromRepository?: string
  remoteAddress?: string
  at: Date
}

/** Receives what happened. Must not throw; slow work must be deferred by the sink itself. */
export interface EventSink {
  emit(event: RegistryEvent): void
}

// ---------------------------------------------------------------- RegistryObserver

/** Told what each request is, for metrics. Must be cheap and must not throw: it runs on every request. */
export interface RegistryObserver {
  /**
   * `req` matched the route named by `template` (e.g. `/v2/{name}/blobs/{digest}`: no repository
   * name or digest in it); `upstream` is the source when a proxy-cache repository serves it.
   */
  routed(req: IncomingMessage, template: string, upstream: UpstreamSource | null): void
}

// ---------------------------------------------------------------- Logger

/** The subset of pino's interface the engine uses. */
export interface Logger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  debug(obj: object, msg?: string): void
}
