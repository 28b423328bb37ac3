// The upstream registry client for the pull-through cache (issue #12).
export { UpstreamClient, createUpstreamClient, pingUpstream, type UpstreamClientOptions } from './client'
export { registryBaseUrl, upstreamRepository } from './names'
export { UPSTREAM_PURPOSE } from './transport'
export * from './types'
