// The pull-through cache's app side (issue #12): routing /v2 names to proxy-cache projects and the
// transparent mirror, the upstream behind each, and the cross-replica fetch lock.
export { createProxyUpstream, registryHost, type ProxyUpstream } from './router'
export { invalidateProxyRoutes } from './route-cache'
