// Per-request metrics of the main port: latency by route template, method and status, bytes in and
// out, and what /v2 requests did (blob and manifest operations, proxy-cache hits and misses).
// /v2 requests are labelled with the route the engine matched (RegistryObserver), the rest with the
// app's route: never with a raw path, whose repository names would make series without bound.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RegistryObserver, UpstreamSource } from '@registry-core'
import { blobOperations, httpReceivedBytes, httpRequestDuration, httpSentBytes, manifestOperations, proxyCacheRequests } from './registry'
import type { AppRouteLabeller } from './app-routes'
import { askedUpstream } from './upstream'

/** A /v2 path no route of the engine matched (an unknown endpoint or a malformed name). */
export const UNMATCHED_V2_ROUTE = '/v2/*'
/** The status of a response whose connection closed before it was complete (nginx's convention). */
const CLOSED_EARLY_STATUS = '499'

interface Routed {
  template: string
  upstream: UpstreamSource | null
}

// On the request itself rather than in a WeakMap: this runs on every request, and a WeakMap of
// short-lived keys costs the garbage collector more than a property does.
const ROUTED = Symbol('registry route')
type RoutedRequest = IncomingMessage & { [ROUTED]?: Routed }

/** Tells the metrics which /v2 route each request took; handed to the engine as its observer. */
export const registryObserver: RegistryObserver = {
  routed(req, template, upstream) {
    ;(req as RoutedRequest)[ROUTED] = { template, upstream }
  },
}

export function isV2Path(pathname: string): boolean {
  return pathname === '/v2' || pathname.startsWith('/v2/')
}

function pathOf(url: string | undefined): string {
  if (!url) return '/'
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

/**
 * The route label of a finished request: the /v2 route the engine matched, else `appRoute`'s label
 * of its path. `url` is the request's as it arrived (Next rewrites `req.url` while it serves).
 */
function routeLabel(req: IncomingMessage, url: string | undefined, appRoute: AppRouteLabeller): string {
  const route = (req as RoutedRequest)[ROUTED]
  if (route) return route.template
  const pathname = pathOf(url)
  return isV2Path(pathname) ? UNMATCHED_V2_ROUTE : appRoute(pathname)
}

type Operation = { blob: string } | { manifest: string } | undefined

/** What a successful /v2 request did to a blob or manifest. */
function operationOf(template: string, method: string, status: number, url: string | undefined): Operation {
  switch (template) {
    case '/v2/{name}/blobs/{digest}':
      return method === 'GET' ? { blob: 'pull' } : method === 'HEAD' ? { blob: 'head' } : method === 'DELETE' ? { blob: 'delete' } : undefined
    case '/v2/{name}/blobs/uploads/':
      if (method !== 'POST') return undefined
      if (status === 202) return { blob: 'upload_start' }
      return url?.includes('mount=') ? { blob: 'mount' } : { blob: 'push' }
    case '/v2/{name}/blobs/uploads/{uuid}':
      return method === 'PUT' ? { blob: 'push' } : method === 'DELETE' ? { blob: 'upload_cancel' } : undefined
    case '/v2/{name}/manifests/{reference}':
      return method === 'GET'
        ? { manifest: 'pull' }
        : method === 'HEAD'
          ? { manifest: 'head' }
          : method === 'PUT'
            ? { manifest: 'push' }
            : method === 'DELETE'
              ? { manifest: 'delete' }
              : undefined
    default:
      return undefined
  }
}

function countRegistryWork(req: IncomingMessage, route: Routed, method: string, status: number): void {
  if (status >= 400) return
  const operation = operationOf(route.template, method, status, req.url)
  if (!operation) return
  if ('blob' in operation) blobOperations.labels(operation.blob).inc()
  else manifestOperations.labels(operation.manifest).inc()
  if (route.upstream && (method === 'GET' || method === 'HEAD')) {
    proxyCacheRequests.labels('blob' in operation ? 'blob' : 'manifest', askedUpstream(route.upstream) ? 'miss' : 'hit').inc()
  }
}

/**
 * Records `req` once its response is done (or its connection closed). Bytes are the socket's counts
 * over the request's life: on a pipelined connection a neighbour's bytes may be counted with it.
 */
export function observeRequest(req: IncomingMessage, res: ServerResponse, appRoute: AppRouteLabeller): void {
  const started = performance.now()
  const url = req.url
  const socket = req.socket
  const readBefore = socket.bytesRead
  const writtenBefore = socket.bytesWritten
  res.once('close', () => {
    const method = req.method ?? 'GET'
    const route = routeLabel(req, url, appRoute)
    const status = res.writableFinished ? res.statusCode : 0
    httpRequestDuration.labels(route, method, status ? String(status) : CLOSED_EARLY_STATUS).observe((performance.now() - started) / 1000)
    httpReceivedBytes.labels(route).inc(Math.max(0, socket.bytesRead - readBefore))
    httpSentBytes.labels(route).inc(Math.max(0, socket.bytesWritten - writtenBefore))
    const registryRoute = (req as RoutedRequest)[ROUTED]
    if (registryRoute && status) countRegistryWork(req, registryRoute, method, status)
  })
}
