// What routing a /v2 request to a proxy-cache project reads on every request (the project named by
// the path, the proxy projects, the mirror setting) is kept for a few seconds. Changes made in this
// process clear it at once (invalidateProxyRoutes); other replicas see them within the TTL. The map
// is the runtime's, so a change through /api/v1 (Next's bundle) reaches /v2 (the server bundle).
import { runtime } from '../runtime'

const ROUTE_CACHE_TTL_MS = 5_000
const ROUTE_CACHE_MAX_ENTRIES = 10_000

export function invalidateProxyRoutes(): void {
  runtime().caches.proxyRoutes.clear()
}

/** The value cached under `key`, else `load()`'s, kept for the TTL. */
export async function cachedRoute<T>(key: string, load: () => Promise<T>): Promise<T> {
  const cache = runtime().caches.proxyRoutes
  const hit = cache.get(key)
  if (hit && hit.expires > Date.now()) return hit.value as T
  const value = await load()
  if (cache.size >= ROUTE_CACHE_MAX_ENTRIES) cache.clear()
  cache.set(key, { value, expires: Date.now() + ROUTE_CACHE_TTL_MS })
  return value
}
