// Prometheus metrics (prom-client): one registry, every metric defined in ./registry, and the small
// functions the rest of the process calls to feed them.
export { metricsRegistry, counter, gauge, histogram } from './registry'
export { observeRequest, registryObserver, UNMATCHED_V2_ROUTE } from './http'
export { appRouteLabeller, loadAppRouteLabeller, OTHER_ROUTE, type AppRouteLabeller } from './app-routes'
export { countUpstreamCall } from './upstream'
export { countWebhookAttempt } from './webhooks'
export { countGcRun } from './gc'
export { observeDatabase } from './database'
export { METRICS_PATH, metricsText, serveProtectedMetrics, startMetricsServer } from './endpoint'
