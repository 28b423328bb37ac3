// How registry endpoints are named on screen.
import type { RegistryEndpoint, RegistryType } from '@/lib/registries/schema'

export const TYPE_LABELS: Record<RegistryType, string> = {
  'docker-hub': 'Docker Hub',
  distribution: 'Docker Registry / OCI (distribution)',
  harbor: 'Harbor',
}

/** Credentials as a short phrase; never the secret, which the API does not return. */
export function credentialsLabel(endpoint: RegistryEndpoint): string {
  if (endpoint.credentials === 'basic') return `User ${endpoint.username}`
  if (endpoint.credentials === 'token') return 'Token'
  return 'Anonymous'
}
