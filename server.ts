// One process, one port: /v2 goes to the registry engine, everything else to Next.js; /healthz and
// /readyz are answered here from the moment the port is open (during migrations too), and /metrics
// on a port of its own (METRICS_PORT) or, with METRICS_TOKEN, here.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import next from 'next'
import { isRegistryPath } from '@registry-core'
import { ConfigError, loadConfig, type AppConfig } from './lib/config'
import { createLogger } from './lib/logger'
import { installRuntime } from './lib/runtime'
import { buildRuntime } from './lib/runtime/build'
import { stampClientAddress } from './lib/client-address'
import { capRequestBody } from './lib/http/body-limit'
import { Drain } from './lib/http/drain'
import { HEALTH_PATH, Health, READY_PATH } from './lib/health'
import { METRICS_PATH, loadAppRouteLabeller, observeDatabase, observeRequest, serveProtectedMetrics, startMetricsServer } from './lib/metrics'
import { statement } from './lib/db/sql'
import { sqlExecutor } from './lib/db/prisma'
import type { Registry } from './lib/registry/registry'
import type { WebhookWorker as Webhooks } from './lib/webhooks/worker'

function readConfig(): AppConfig {
  try {
    return loadConfig()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    process.exit(1)
  }
}

const config = readConfig()
const logger = createLogger(config.logLevel)
// Built once here; Next's route handlers in this process read the same services through runtime().
const services = buildRuntime(config, logger)
installRuntime(services)
// Browser sessions: NEXTAUTH_SECRET from the environment or DATA_DIR/session-secret (created at first start).
try {
  const { prepareSessionEnvironment } = await import('./lib/auth/session-secret')
  const session = prepareSessionEnvironment(config)
  if (session.secretSource === 'generated') logger.info({ file: session.secretFile }, 'generated the session secret (NEXTAUTH_SECRET)')
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  console.error(error.message)
  process.exit(1)
}
// The key of stored credentials and webhook secrets (lib/secrets): SECRET_KEY(_FILE) or DATA_DIR/secret-key (created at first start).
const secrets = (() => {
  try {
    const loaded = services.secretKey
    if (loaded.source === 'generated') logger.info({ file: loaded.file }, 'generated the key of stored secrets (SECRET_KEY)')
    return loaded.box
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    process.exit(1)
  }
})()

// Open the port before the slow start-up (migrations, Next): probes get /healthz at once and a
// /readyz of 503 until the registry serves; every other request is answered 503 until then.
const health = new Health({
  database: () => sqlExecutor(services.prisma).query(statement('readiness_probe', 'SELECT 1'), []),
  blobStore: () => services.blobs,
})
observeDatabase(() => services.prisma)
/** Paths this file answers itself; everything else is labelled by Next's route (lib/metrics). */
const ownPaths = new Set([HEALTH_PATH, READY_PATH, METRICS_PATH])
const appRoutes = loadAppRouteLabeller(process.cwd())
const routeOf = (pathname: string) => (ownPaths.has(pathname) ? pathname : appRoutes(pathname))

function refuseWhileStarting(res: ServerResponse): void {
  const body = JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'the registry is starting; try again shortly' }] })
  res.writeHead(503, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), 'Retry-After': '5', 'Cache-Control': 'no-store' })
  res.end(body)
}

/** What start-up has built so far: what serves requests, and what shutdown must stop. */
const started: { serve?: (req: IncomingMessage, res: ServerResponse) => void; registry?: Registry; webhooks?: Webhooks; scheduler?: { stop(): void } } = {}
const server = createServer()
// Draining: what is in flight or still arrives on an open connection is served, and the connection then closes.
const drain = new Drain(server)
server.on('request', (req, res) => {
  observeRequest(req, res, routeOf)
  drain.track(res)
  if (health.handle(req, res)) return
  if (started.serve) started.serve(req, res)
  else refuseWhileStarting(res)
})
// Next's dev server logs uncaught errors without exiting; a port already in use must stop us.
server.on('error', (error) => {
  logger.fatal({ err: error }, 'server error')
  process.exit(1)
})
// Multi-gigabyte uploads over slow links outlive Node's default 300 s request timeout; what ends a
// connection instead is silence: nothing received or sent for IDLE_TIMEOUT (a stalled body, an idle
// client holding a descriptor). Headers must be complete within 60 s however slowly they trickle in.
server.requestTimeout = 0
server.timeout = config.idleTimeoutMs
server.headersTimeout = 60_000
await new Promise<void>((resolve) => server.listen(config.port, config.bindHost, resolve))
const metricsServer: Server | undefined = config.metricsPort
  ? await startMetricsServer(config.bindHost, config.metricsPort).catch((error: unknown) => {
      logger.fatal({ err: error }, `cannot serve metrics on METRICS_PORT ${config.metricsPort}`)
      process.exit(1)
    })
  : undefined

/**
 * SIGTERM/SIGINT: /readyz turns 503, the ports stop accepting, requests in flight run to their end
 * (up to SHUTDOWN_TIMEOUT), then background work stops, buffered events are written and the
 * database is closed. During start-up nothing is in flight yet: the process exits at once.
 */
async function shutdown(signal: string): Promise<void> {
  if (health.phase === 'stopping') return
  const starting = health.phase === 'starting'
  health.stopping()
  if (starting) {
    logger.info({ signal }, 'stopped during start-up')
    process.exit(0)
  }
  logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: finishing the requests in flight')
  metricsServer?.close()
  metricsServer?.closeAllConnections()
  const finished = await drain.stop(config.shutdownTimeoutMs)
  if (!finished) logger.warn({ timeoutMs: config.shutdownTimeoutMs }, 'requests still running after SHUTDOWN_TIMEOUT were cut')
  started.scheduler?.stop()
  await started.registry?.close()
  await started.webhooks?.stop()
  await services.close()
  await closeDatabases()
  logger.info({ signal }, 'stopped')
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))

const { migrateDeploy } = await import('./lib/db/migrate')
const { databaseFailure } = await import('./lib/db/errors')
const { closeDatabases, redact } = await import('./lib/db/database-url')
const { ensureBootstrapAdmin } = await import('./lib/auth/bootstrap-admin')
const { createRegistry } = await import('./lib/registry/registry')
const { WebhookWorker } = await import('./lib/webhooks/worker')
const { renderSettingsOf } = await import('./lib/webhooks/render-settings')
const { sealPlaintextWebhookSecrets } = await import('./lib/webhooks/seal-plaintext')
const { rowsSealedWithOtherKeys } = await import('./lib/secrets/stored')
const { startScheduler } = await import('./lib/schedule')
const { registerGcSchedule } = await import('./lib/gc')
const { registerRetentionSchedule } = await import('./lib/retention')
const { isTokenGet, serveTokenGet } = await import('./lib/auth/token-http')

/** A full database disk stops the start with a message that says so (exit 1), not a stack trace. */
function exitIfDiskFull(error: unknown): never {
  if (databaseFailure(error) !== 'disk_full') throw error
  logger.fatal({ err: error }, "cannot start: the database's disk is full; free space on it (or grow it) and start again")
  process.exit(1)
}

// Keeps the PGlite instance it opens, so the runtime's client reuses it instead of paying a second start.
const migrated = await migrateDeploy(config.databaseUrl, { keepPgliteOpen: true }).catch(exitIfDiskFull)
logger.info({ database: redact(config.databaseUrl), applied: migrated.applied }, 'database ready')
await ensureBootstrapAdmin(services.prisma, logger, config.adminUsername, config.adminPassword).catch(exitIfDiskFull)
const sealedPolicies = await sealPlaintextWebhookSecrets(services.prisma, secrets).catch(exitIfDiskFull)
if (sealedPolicies > 0) logger.info({ policies: sealedPolicies }, 'encrypted the webhook secrets stored in clear text by an earlier version')
const unreadable = await rowsSealedWithOtherKeys(services.prisma, secrets)
if (unreadable > 0) {
  logger.warn({ rows: unreadable }, 'stored credentials were encrypted with another key: they cannot be used until SECRET_KEY is the key they were saved with')
}
// Replicas must share their secrets; one given another value is named here, not only when a request crosses over.
const { recordSharedSecretIds, sessionSecretId } = await import('./lib/replicas/shared-secrets')
const { loadTokenKeys } = await import('./lib/auth/token-service')
const differingSecrets = await recordSharedSecretIds(services.prisma, {
  TOKEN_PRIVATE_KEY_FILE: (await loadTokenKeys(config)).kid,
  NEXTAUTH_SECRET: sessionSecretId(process.env.NEXTAUTH_SECRET ?? ''),
  SECRET_KEY: secrets.keyId,
}).catch(exitIfDiskFull)
for (const variable of differingSecrets) {
  logger.error({ variable }, `${variable} differs from that of the replica that started before this one: replicas must all be given the same value (README, Replicas)`)
}
if (config.upstream.mirrorProject) {
  const { applyMirrorProject } = await import('./lib/settings')
  const problem = await applyMirrorProject(services.prisma, config.upstream.mirrorProject).catch(exitIfDiskFull)
  if (problem) logger.warn({ mirrorProject: config.upstream.mirrorProject }, `MIRROR_PROJECT: ${problem}; the mirror serves nothing until it is one`)
}
const registry = (started.registry = await createRegistry(services))
const webhooks = (started.webhooks = new WebhookWorker({ prisma: services.prisma, secrets, logger, settings: config.webhooks, render: renderSettingsOf(config) }))
registerGcSchedule()
registerRetentionSchedule()

const dev = process.env.NODE_ENV !== 'production'
const app = next({ dev, dir: process.cwd(), hostname: config.bindHost, port: config.port, httpServer: server })
const handleNext = app.getRequestHandler()
await app.prepare()

started.serve = (req, res) => {
  stampClientAddress(req, config.trustProxy)
  if (isRegistryPath(req.url)) {
    // Registry responses are data: a browser must never sniff one into a page (next.config.js covers the rest).
    res.setHeader('X-Content-Type-Options', 'nosniff')
    void registry.handle(req, res)
  } else if (isTokenGet(req)) void serveTokenGet(req, res)
  else if (config.metricsToken && (req.url ?? '').split('?', 1)[0] === METRICS_PATH) void serveProtectedMetrics(req, res, config.metricsToken)
  else if (capRequestBody(req, res)) void handleNext(req, res)
}
health.ready()
logger.info({ url: `http://${config.bindHost}:${config.port}`, publicUrl: config.publicUrl, metricsPort: config.metricsPort }, 'registry listening')
// Background work starts only once we serve: whatever it meets in the database cannot keep the server down.
registry.start()
webhooks.start()
started.scheduler = startScheduler(services.prisma, logger, config.schedulerIntervalMs)
