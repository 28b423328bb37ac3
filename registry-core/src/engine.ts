// The /v2 request pipeline: route -> authorize -> handle, with every error mapped in one place.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { DEFAULT_LIMITS, type ErrorClass, type RegistryContext, type RegistryOptions, type RequestContext } from './context'
import { RegistryError, errorResponse } from './errors'
import { API_VERSION, API_VERSION_HEADER, drainRequest } from './http'
import { DigestMismatchError, SizeLimitError, UploadCorruptError, type AccessRequest, type AuthDecision, type RequestInfo, type UpstreamSource } from './ports'
import { endpoint, matchRoute, routeTemplate } from './routes'
import { UploadIds } from './upload-ids'
import { purgeStaleUploads } from './handlers/uploads'
import { assertName } from './grammar'
import { Flights } from './proxy/flights'
import { tagChecks } from './proxy/tag-checks'

export type RegistryHandler = ((req: IncomingMessage, res: ServerResponse) => Promise<void>) & {
  /** Removes upload sessions untouched for `limits.uploadExpiryMs`; returns how many were purged. */
  purgeStaleUploads(): Promise<number>
}

/** How much of a refused request body is read and discarded so the error response is not lost. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024
const DRAIN_TIMEOUT_MS = 10_000

/** Maps errors raised by the ports onto registry errors; anything unknown stays as is (a 500). */
function toRegistryError(error: unknown, classify: (error: unknown) => ErrorClass | undefined): unknown {
  if (error instanceof DigestMismatchError) {
    return new RegistryError('DIGEST_INVALID', { detail: { expected: error.expected, actual: error.actual } })
  }
  if (error instanceof SizeLimitError) {
    return new RegistryError('SIZE_INVALID', { status: 413, message: error.message })
  }
  if (error instanceof UploadCorruptError) {
    return new RegistryError('BLOB_UPLOAD_INVALID', { message: 'the upload is corrupt and cannot continue; start a new upload' })
  }
  const errorClass = classify(error)
  if (errorClass === 'bad_input') {
    return new RegistryError('UNSUPPORTED', { status: 400, message: 'the request contains text that cannot be stored or used (e.g. a NUL byte)' })
  }
  if (errorClass === 'storage_full' || (error as NodeJS.ErrnoException)?.code === 'ENOSPC') {
    return new RegistryError('INTERNAL', { status: 507, message: 'the registry is out of storage space' })
  }
  return error
}

function decisionError(decision: Exclude<AuthDecision, { kind: 'allow' }>, access: AccessRequest): RegistryError {
  const detail = access.type === 'repository' ? [{ Type: 'repository', Name: access.repository, Action: access.actions.join(',') }] : undefined
  if (decision.kind === 'challenge') {
    return new RegistryError('UNAUTHORIZED', {
      message: decision.message,
      detail,
      headers: { 'WWW-Authenticate': decision.challenge },
    })
  }
  return new RegistryError('DENIED', { message: decision.message, detail })
}

export function createRegistryHandler(options: RegistryOptions): RegistryHandler {
  const upstream = options.upstream
  const ctx: RegistryContext = {
    blobs: options.blobs,
    index: options.index,
    authorizer: options.authorizer,
    events: options.events,
    logger: options.logger,
    upstream,
    flights: new Flights(upstream ? (key, fetch) => upstream.exclusive(key, fetch) : (_key, fetch) => fetch()),
    tagChecks: tagChecks(options.index),
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    uploadIds: new UploadIds(options.uploadIdKey),
    publicUrl: (options.publicUrl ?? '').replace(/\/+$/, ''),
    remoteAddress: options.remoteAddress ?? ((req) => req.socket.remoteAddress),
  }
  const classifyError = options.classifyError ?? (() => undefined)
  const observer = options.observer

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader(API_VERSION_HEADER, API_VERSION)
    const method = req.method ?? 'GET'
    try {
      const url = new URL(req.url ?? '/', 'http://registry.invalid')
      for (const [name, value] of url.searchParams) {
        if ((name + value).includes('\0')) throw new RegistryError('UNSUPPORTED', { status: 400, message: 'query parameters must not contain NUL bytes' })
      }
      let match = matchRoute(url.pathname)
      let source: UpstreamSource | null = null
      if (ctx.upstream && 'name' in match) {
        // The app names the repository that serves the request (a transparent mirror rewrites it)
        // before anything is authorized, so what is authorized is what is served.
        const route = await ctx.upstream.route({ repository: match.name, namespace: url.searchParams.get('ns') ?? undefined, method })
        assertName(route.repository)
        match = { ...match, name: route.repository }
        source = route.source
      }
      observer?.routed(req, routeTemplate(match), source)
      const { access, handle: serve } = endpoint(match, method)
      const info: RequestInfo = { method, path: url.pathname, headers: req.headers, remoteAddress: ctx.remoteAddress(req) }
      const decision = await ctx.authorizer.authorize(info, access)
      if (decision.kind !== 'allow') throw decisionError(decision, access)
      if (source && access.type === 'repository' && access.actions.includes('push')) {
        throw new RegistryError('DENIED', { message: 'proxy-cache project is read-only', detail: { name: access.repository } })
      }
      const rc: RequestContext = { req, res, query: url.searchParams, info, actor: decision.actor, upstream: source }
      await serve(ctx, rc)
    } catch (raw) {
      const error = toRegistryError(raw, classifyError)
      // Only a closed connection means the client left. `res.socket` is no help: a response queued
      // behind the previous one on a keep-alive connection (pipelining) has none until its turn,
      // and Node buffers what is written to it meanwhile; the request keeps its socket throughout.
      if (res.destroyed || req.socket.destroyed) {
        ctx.logger.debug({ method, url: req.url, err: error }, 'client went away')
        return
      }
      // Out of storage is answered (507) but still needs the operator's attention.
      if (!(error instanceof RegistryError) || error.status === 507) ctx.logger.error({ err: raw, method, url: req.url }, 'registry request failed')
      if (res.headersSent) {
        res.destroy()
        return
      }
      const { status, headers, body } = errorResponse(error)
      // Read what is left of a refused body (within bounds) so the client sees this response instead
      // of a reset; past the bounds, close the connection rather than read it into the next request.
      if (!(await drainRequest(req, DRAIN_LIMIT_BYTES, DRAIN_TIMEOUT_MS))) headers.Connection = 'close'
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers })
      res.end(body)
    }
  }

  return Object.assign(handle, { purgeStaleUploads: () => purgeStaleUploads(ctx) })
}
