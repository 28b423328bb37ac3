// What lib keeps in memory between requests. The maps live in the runtime, not in the modules that
// use them, because the server bundle (/v2) and Next's bundle (/api/v1, pages) each load those
// modules: an invalidation through either must reach the one cache both read.
import { randomBytes } from 'node:crypto'
import type { ProjectContext, Subject } from '../auth/permissions'
import { createManifestCacheState, type ManifestCacheState } from '../registry/manifest-cache'

export interface CredentialCacheEntry {
  subject: Subject
  expires: number
  username: string
}

export interface RuntimeCaches {
  /**
   * Successful credential checks by HMAC of the credential under `key` (random per process, so the
   * map's keys reveal nothing of a password), and when each credential was last touched (lib/auth/credentials.ts).
   */
  credentials: { key: Buffer; verified: Map<string, CredentialCacheEntry>; lastTouched: Map<string, number> }
  /** Projects found by name, with the user's role, by user and name (lib/auth/project-access.ts). */
  projectAccess: Map<string, { project: (ProjectContext & { name: string }) | null; expires: number }>
  /** Manifests read through the index (lib/registry/manifest-cache.ts). */
  manifests: ManifestCacheState
  /** Image config blobs as JSON, by digest (lib/artifacts). */
  imageConfigs: Map<string, Record<string, unknown> | null>
  /** What the pull-through cache routes by: projects by name, the proxy projects, the mirror setting (lib/proxy/route-cache.ts). */
  proxyRoutes: Map<string, { value: unknown; expires: number }>
}

export function createCaches(): RuntimeCaches {
  return {
    credentials: { key: randomBytes(32), verified: new Map(), lastTouched: new Map() },
    projectAccess: new Map(),
    manifests: createManifestCacheState(),
    imageConfigs: new Map(),
    proxyRoutes: new Map(),
  }
}
