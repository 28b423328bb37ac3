// What every handler receives: the ports, the limits, and the parsed request.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Actor, Authorizer, BlobStore, EventSink, Logger, RegistryIndex, RegistryObserver, RequestInfo, Upstream, UpstreamSource } from './ports'
import type { Flights } from './proxy/flights'
import type { TagChecks } from './proxy/tag-checks'
import type { UploadIds } from './upload-ids'

export interface RegistryLimits {
  /** Largest manifest accepted (the spec asks registries to take at least 4 MiB). */
  maxManifestBytes: number
  /** Largest blob accepted, 0 for no limit. */
  maxBlobBytes: number
  /** Upper bound of `n` for tags and catalog pages. */
  maxPageSize: number
  /** An upload session untouched for this long is gone: its id stops working and its bytes are purged. */
  uploadExpiryMs: number
  /** How long the engine waits for an upstream's answer (a manifest, a blob's response head) before it gives up. */
  upstreamTimeoutMs: number
}

export interface RegistryOptions {
  blobs: BlobStore
  index: RegistryIndex
  authorizer: Authorizer
  events: EventSink
  logger: Logger
  /** The pull-through cache: which repositories are proxies of an upstream. Absent: every repository is hosted. */
  upstream?: Upstream
  limits?: Partial<RegistryLimits>
  /** Signs upload session ids (at least 32 bytes); every replica of one registry needs the same key. */
  uploadIdKey: Uint8Array
  /** External base URL (scheme://host[:port]) for absolute `Location` headers; relative when absent. */
  publicUrl?: string
  /** The client's address (e.g. from a trusted proxy's header); the socket peer when absent. */
  remoteAddress?: (req: IncomingMessage) => string | undefined
  /**
   * Recognises errors of the app's ports (e.g. its database's) that are not the server's fault:
   * `bad_input` (400, text the store cannot hold) or `storage_full` (507). Unrecognised errors are 500s.
   */
  classifyError?: (error: unknown) => ErrorClass | undefined
  /** Told the route of each request (metrics); absent: nobody is told. */
  observer?: RegistryObserver
}

export type ErrorClass = 'bad_input' | 'storage_full'

export interface RegistryContext {
  blobs: BlobStore
  index: RegistryIndex
  authorizer: Authorizer
  events: EventSink
  logger: Logger
  upstream?: Upstream
  /** Upstream fetches in progress in this process, shared by the requests that need the same content. */
  flights: Flights
  tagChecks: TagChecks
  limits: RegistryLimits
  uploadIds: UploadIds
  publicUrl: string
  remoteAddress: (req: IncomingMessage) => string | undefined
}

export interface RequestContext {
  req: IncomingMessage
  res: ServerResponse
  query: URLSearchParams
  info: RequestInfo
  actor: Actor
  /** The upstream of the repository when it is a proxy-cache. */
  upstream: UpstreamSource | null
}

export const DEFAULT_LIMITS: RegistryLimits = {
  maxManifestBytes: 4 * 1024 * 1024,
  maxBlobBytes: 0,
  maxPageSize: 10_000,
  uploadExpiryMs: 24 * 3600 * 1000,
  upstreamTimeoutMs: 30_000,
}
