// The app's side of the pull-through cache (registry-core's Upstream port): which local repository
// serves a /v2 request and which upstream stands behind it.
//   - `<project>/<rest>` where <project> is a proxy-cache project: <rest> at its endpoint (Docker Hub
//     maps single-component names to `library/`).
//   - any other local project: hosted, as before (local projects win, Nexus's group semantics).
//   - a first component that is no local project, on a pull: with `ns=<registry host>` (containerd
//     and podman mirrors) the proxy project whose endpoint is that registry, else the mirror project
//     (setting `mirrorProject`, dockerd's registry-mirrors), as `<project>/<name>`.
// Pushes and deletes are never rewritten: what is not a local project stays what it was.
import { UpstreamError, type Upstream, type UpstreamRequest, type UpstreamRoute } from '@registry-core'
import type { Runtime } from '../runtime'
import { upstreamEndpointOf } from '../registries'
import { SecretEnvelopeError } from '../secrets'
import { readSettings } from '../settings'
import { createUpstreamClient, registryBaseUrl, upstreamRepository, type UpstreamClient, type UpstreamType } from '../upstream'
import { exclusiveLock } from './lock'
import { cachedRoute } from './route-cache'
import { upstreamSource } from './source'

interface ProxyProject {
  name: string
  tagTtlMs: number
  endpoint: { id: number; name: string; type: UpstreamType; url: string; version: number }
}

/** A project by name: null when there is none, `proxy: null` when it is hosted. */
type ProjectRoute = { proxy: ProxyProject | null } | null

const PROJECT_SELECT = {
  name: true,
  proxyTagTtlSeconds: true,
  proxyRegistry: { select: { id: true, name: true, type: true, url: true, updatedAt: true } },
} as const

interface ProjectRow {
  name: string
  proxyTagTtlSeconds: number
  proxyRegistry: { id: number; name: string; type: string; url: string; updatedAt: Date } | null
}

function proxyOf(row: ProjectRow): ProxyProject | null {
  const endpoint = row.proxyRegistry
  if (!endpoint) return null
  return {
    name: row.name,
    tagTtlMs: row.proxyTagTtlSeconds * 1000,
    endpoint: { id: endpoint.id, name: endpoint.name, type: endpoint.type as UpstreamType, url: endpoint.url, version: endpoint.updatedAt.getTime() },
  }
}

const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com', 'hub.docker.com'])

/** The registry host an `ns` value or an endpoint names, Docker Hub's aliases as one. */
export function registryHost(hostOrUrl: string): string {
  const host = hostOrUrl.toLowerCase()
  return DOCKER_HUB_HOSTS.has(host) ? 'registry-1.docker.io' : host
}

function endpointHost(endpoint: ProxyProject['endpoint']): string | null {
  try {
    return registryHost(new URL(registryBaseUrl(endpoint)).host)
  } catch {
    return null
  }
}

export interface ProxyUpstream extends Upstream {
  close(): Promise<void>
}

export function createProxyUpstream(services: Runtime): ProxyUpstream {
  const { config, logger } = services
  const lock = exclusiveLock(config.databaseUrl)
  const clients = new Map<number, { version: number; client: Promise<UpstreamClient> }>()
  /** Said once per name, not on every pull. */
  let warnedMirror: string | undefined

  const projectRoute = (name: string) =>
    cachedRoute<ProjectRoute>(`project\0${name}`, async () => {
      const row = await services.prisma.project.findUnique({ where: { name }, select: PROJECT_SELECT })
      return row ? { proxy: proxyOf(row) } : null
    })
  const proxyProjects = () =>
    cachedRoute<ProxyProject[]>('proxies', async () => {
      const rows = await services.prisma.project.findMany({ where: { proxyRegistryId: { not: null } }, select: PROJECT_SELECT, orderBy: { name: 'asc' } })
      return rows.map(proxyOf).filter((p): p is ProxyProject => p !== null)
    })
  const mirrorProject = () => cachedRoute<string | null>('mirror', async () => (await readSettings(services.prisma)).mirrorProject)

  /** One client per endpoint (its connections and tokens are reused), rebuilt when the endpoint changed. */
  function clientOf(endpoint: ProxyProject['endpoint']): Promise<UpstreamClient> {
    const current = clients.get(endpoint.id)
    if (current?.version === endpoint.version) return current.client
    const client = upstreamEndpointOf(services.prisma, endpoint.id).then(
      (opened) =>
        createUpstreamClient(opened, {
          allowedNetworks: config.upstream.allowedNetworks,
          maxManifestBytes: config.maxManifestBytes,
          // The engine bounds each call by the same time; a blob that stops flowing fails within it too.
          headersTimeoutMs: config.upstream.timeoutMs,
          bodyIdleTimeoutMs: config.upstream.timeoutMs,
        }),
      (error: unknown) => {
        // The administrator's problem, reported as the upstream refusing the cache's credentials:
        // cached content is still served, pullers of uncached content are told to ask an administrator.
        if (!(error instanceof SecretEnvelopeError)) throw error
        throw new UpstreamError('unauthorized', `the stored credentials of registry endpoint ${endpoint.name} cannot be opened (${error.message}); check SECRET_KEY`)
      },
    )
    // A failure (the endpoint gone, a key that cannot open its credentials) is retried next time.
    client.catch(() => clients.get(endpoint.id)?.client === client && clients.delete(endpoint.id))
    clients.set(endpoint.id, { version: endpoint.version, client })
    // Requests still streaming through the old client keep its connections until they end.
    if (current)
      void current.client.then(
        (old) => setTimeout(() => old.close(), 60_000).unref(),
        () => undefined,
      )
    return client
  }

  function served(project: ProxyProject, name: string): UpstreamRoute {
    return {
      repository: `${project.name}/${name}`,
      source: upstreamSource({
        name: project.endpoint.name,
        client: clientOf(project.endpoint),
        repository: upstreamRepository(project.endpoint, name),
        tagTtlMs: project.tagTtlMs,
      }),
    }
  }

  /** The proxy project serving names that are not local projects, for this request. */
  async function mirrorFor(request: UpstreamRequest): Promise<ProxyProject | null> {
    if (request.namespace) {
      const wanted = registryHost(request.namespace)
      const candidates = (await proxyProjects()).filter((p) => endpointHost(p.endpoint) === wanted)
      const mirror = await mirrorProject()
      const chosen = candidates.find((p) => p.name === mirror) ?? candidates[0]
      if (chosen) return chosen
    }
    const mirror = await mirrorProject()
    if (!mirror) return null
    const project = await projectRoute(mirror)
    if (!project?.proxy) {
      if (warnedMirror !== mirror) logger.warn({ mirrorProject: mirror }, 'the mirror project is not a proxy-cache project; names that are not local projects are not mirrored')
      warnedMirror = mirror
      return null
    }
    return project.proxy
  }

  return {
    async route(request) {
      const { repository } = request
      const slash = repository.indexOf('/')
      const first = slash > 0 ? repository.slice(0, slash) : repository
      const project = await projectRoute(first)
      if (project) {
        if (!project.proxy || slash < 0) return { repository, source: null }
        return served(project.proxy, repository.slice(slash + 1))
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') return { repository, source: null }
      const mirror = await mirrorFor(request)
      return mirror ? served(mirror, repository) : { repository, source: null }
    },
    exclusive: (key, fn) => lock.exclusive(key, fn),
    async close() {
      await lock.close()
      for (const { client } of clients.values())
        void client.then(
          (c) => c.close(),
          () => undefined,
        )
      clients.clear()
    },
  }
}
