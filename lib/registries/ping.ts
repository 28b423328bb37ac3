// POST /api/v1/registries/{id}/ping: GET /v2/ at the endpoint with its stored credentials (through
// the token flow when it asks for it), with the outbound guard the pull-through cache uses.
import type { PrismaClient } from '../db/prisma'
import { requireSystem } from '../projects/access'
import { runtime } from '../runtime'
import { SecretEnvelopeError } from '../secrets'
import { pingUpstream } from '../upstream'
import type { Caller } from '../audit'
import type { RegistryPing } from './schema'
import { upstreamEndpointOf } from '.'

export async function pingRegistry(prisma: PrismaClient, caller: Caller, id: number): Promise<RegistryPing> {
  requireSystem(caller.subject, 'system:admin', 'only system administrators manage registry endpoints')
  let endpoint
  try {
    endpoint = await upstreamEndpointOf(prisma, id)
  } catch (error) {
    if (!(error instanceof SecretEnvelopeError)) throw error
    return { ok: false, kind: 'unauthorized', message: `the stored credentials cannot be opened (${error.message}); check SECRET_KEY or enter them again` }
  }
  const { config } = runtime()
  return pingUpstream(endpoint, { allowedNetworks: config.upstream.allowedNetworks, maxManifestBytes: config.maxManifestBytes })
}
