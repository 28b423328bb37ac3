// The process's one Prometheus registry and every metric it exports, defined here and nowhere else,
// so the names and labels can be read in one place. Other modules call the small functions in
// lib/metrics/index.ts (or the metric objects below); a new metric is one line at the end of this file.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

// server.ts (bundled by esbuild) and Next's route chunks are separate module graphs in one process
// (see lib/runtime): the registry lives in one globalThis slot, and a metric defined by both graphs
// is created once, so whichever graph counts, one scrape sees it.
const SLOT = Symbol.for('harbormaster.metrics')
const holder = globalThis as typeof globalThis & { [SLOT]?: Registry }

function createRegistry(): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  return registry
}

export const metricsRegistry = (holder[SLOT] ??= createRegistry())

function defined<M>(name: string, create: () => M): M {
  return (metricsRegistry.getSingleMetric(name) as M | undefined) ?? create()
}

/** A counter in the registry: `counter('registry_gc_runs_total', 'GC runs, by outcome', ['outcome'])`. */
export function counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  return defined(name, () => new Counter({ name, help, labelNames, registers: [metricsRegistry] }))
}

export function gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
  return defined(name, () => new Gauge({ name, help, labelNames, registers: [metricsRegistry] }))
}

export function histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
  return defined(name, () => new Histogram({ name, help, labelNames, buckets, registers: [metricsRegistry] }))
}

/** From a cached manifest GET (well under a millisecond) to a multi-gigabyte layer pushed over a slow link. */
const REQUEST_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]

// ---------------------------------------------------------------- HTTP (every request on the main port)

export const httpRequestDuration = histogram(
  'registry_http_request_duration_seconds',
  'Time from request to the end of its response, by route template (never a raw path), method and status (499: the connection closed first)',
  ['route', 'method', 'status'],
  REQUEST_SECONDS,
)
export const httpReceivedBytes = counter('registry_http_received_bytes_total', 'Bytes read from clients after the request line and headers, by route template', ['route'])
export const httpSentBytes = counter('registry_http_sent_bytes_total', 'Bytes written to clients (headers included), by route template', ['route'])

// ---------------------------------------------------------------- registry operations (/v2)

export const blobOperations = counter('registry_blob_operations_total', 'Successful blob operations: pull, head, push, mount, delete, upload_start, upload_cancel', ['operation'])
export const manifestOperations = counter('registry_manifest_operations_total', 'Successful manifest operations: pull, head, push, delete', ['operation'])
export const uploadSessionsOpen = gauge('registry_upload_sessions_open', 'Upload sessions open in the index (all replicas), read at scrape time')

// ---------------------------------------------------------------- pull-through cache

export const proxyCacheRequests = counter(
  'registry_proxy_cache_requests_total',
  'Successful manifest and blob pulls of proxy-cache repositories: hit (answered without asking the upstream) or miss',
  ['kind', 'result'],
)
export const proxyUpstreamRequests = counter('registry_proxy_upstream_requests_total', 'Calls to upstream registries, by operation', ['operation'])
export const proxyUpstreamErrors = counter(
  'registry_proxy_upstream_errors_total',
  'Failed calls to upstream registries, by operation and kind (not_found, timeout, unreachable, ...)',
  ['operation', 'kind'],
)

// ---------------------------------------------------------------- webhooks

export const webhookDeliveryDuration = histogram(
  'registry_webhook_delivery_duration_seconds',
  'Webhook delivery attempts by outcome (delivered, rejected: a non-2xx answer, error: no answer, refused: not sent), and their latency',
  ['outcome'],
  [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
)

// ---------------------------------------------------------------- database

export const databasePoolConnections = gauge('registry_db_pool_connections', 'PostgreSQL pool connections of this process: total, idle, and requests waiting for one', ['state'])

// ---------------------------------------------------------------- garbage collection (lib/gc)
export const gcRuns = counter('registry_gc_runs_total', 'Garbage collections finished, by status (succeeded, failed, cancelled) and mode (run, dry_run)', ['status', 'mode'])
export const gcDeletedBlobs = counter('registry_gc_deleted_blobs_total', 'Blobs garbage collection deleted (dry runs not counted)')
export const gcFreedBytes = counter('registry_gc_freed_bytes_total', 'Bytes garbage collection freed (dry runs not counted)')
