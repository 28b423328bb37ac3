// Docker Hub's naming: `docker pull alpine` means `library/alpine` on registry-1.docker.io, and
// the names people type for Docker Hub (docker.io, index.docker.io, hub.docker.com) are not where
// its registry API answers.
import type { UpstreamEndpoint } from './types'

const DOCKER_HUB_REGISTRY = 'https://registry-1.docker.io'
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'hub.docker.com', 'registry.hub.docker.com'])

/** The repository name upstream: for Docker Hub, single-component names are official images under `library/`. */
export function upstreamRepository(endpoint: Pick<UpstreamEndpoint, 'type'>, name: string): string {
  return endpoint.type === 'docker-hub' && !name.includes('/') ? `library/${name}` : name
}

/** Where the registry API of an endpoint answers (origin and path prefix, no trailing slash). */
export function registryBaseUrl(endpoint: Pick<UpstreamEndpoint, 'type' | 'url'>): string {
  const url = new URL(endpoint.url)
  if (endpoint.type === 'docker-hub' && DOCKER_HUB_ALIASES.has(url.hostname)) return DOCKER_HUB_REGISTRY
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}
