// Prometheus metrics (prom-client): one registry, every metric defined in ./registry, and the small
// functions the rest of the process calls to feed them.
export { metricsRegistry, counter, gauge, histogram } from './registry'
export { observeRequest, registryObserver, routeLabel, operationOf, UNMATCHED_V2_ROUTE, CLOSED_EARLY_STATUS } from './http'
export { appRouteLabeller, loadAppRouteLabeller, OTHER_ROUTE, type AppRouteLabeller } from './app-routes'
export { countUpstreamCall, askedUpstream } from './upstream'
export { countWebhookAttempt, deliveryOutcome } from './webhooks'
export { observeDatabase } from './database'
export { METRICS_PATH, metricsText, serveMetrics, serveProtectedMetrics, hasMetricsToken, startMetricsServer } from './endpoint'
