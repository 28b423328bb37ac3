// Calls to upstream registries (the pull-through cache), counted by operation and failure kind; a
// request of a proxy-cache repository whose source was asked nothing was a cache hit.
import { UpstreamError, type UpstreamSource } from '@registry-core'
import { proxyUpstreamErrors, proxyUpstreamRequests } from './registry'

const asked = new WeakSet<UpstreamSource>()

/** Whether `source` (one request's) has called its upstream. */
export function askedUpstream(source: UpstreamSource): boolean {
  return asked.has(source)
}

/** Counts `call` of `source`'s upstream and how it ended; resolves or rejects as it does. */
export async function countUpstreamCall<T>(source: UpstreamSource, operation: string, call: Promise<T>): Promise<T> {
  asked.add(source)
  proxyUpstreamRequests.labels(operation).inc()
  try {
    return await call
  } catch (error) {
    proxyUpstreamErrors.labels(operation, error instanceof UpstreamError ? error.kind : 'upstream_error').inc()
    throw error
  }
}
