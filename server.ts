// One process, one port: /v2 goes to the registry engine, everything else to Next.js.
import { createServer } from 'node:http'
import next from 'next'
import { isRegistryPath } from '@registry-core'
import { ConfigError, loadConfig, type AppConfig } from './lib/config'
import { createLogger } from './lib/logger'
import { installRuntime } from './lib/runtime'
import { buildRuntime } from './lib/runtime/build'
import { stampClientAddress } from './lib/client-address'
import { capRequestBody } from './lib/http/body-limit'

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
const { loadSecretKey } = await import('./lib/secrets/key')
const secrets = (() => {
  try {
    const loaded = loadSecretKey(config)
    if (loaded.source === 'generated') logger.info({ file: loaded.file }, 'generated the key of stored secrets (SECRET_KEY)')
    return services.secrets
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    process.exit(1)
  }
})()

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
if (config.upstream.mirrorProject) {
  const { applyMirrorProject } = await import('./lib/settings')
  const problem = await applyMirrorProject(services.prisma, config.upstream.mirrorProject).catch(exitIfDiskFull)
  if (problem) logger.warn({ mirrorProject: config.upstream.mirrorProject }, `MIRROR_PROJECT: ${problem}; the mirror serves nothing until it is one`)
}
const registry = await createRegistry(services)
const webhooks = new WebhookWorker({ prisma: services.prisma, secrets, logger, settings: config.webhooks, render: renderSettingsOf(config) })
registerGcSchedule()
let scheduler: ReturnType<typeof startScheduler> | undefined

const dev = process.env.NODE_ENV !== 'production'
const server = createServer()
const app = next({ dev, dir: process.cwd(), hostname: config.bindHost, port: config.port, httpServer: server })
const handleNext = app.getRequestHandler()
await app.prepare()

server.on('request', (req, res) => {
  stampClientAddress(req, config.trustProxy)
  if (isRegistryPath(req.url)) {
    // Registry responses are data: a browser must never sniff one into a page (next.config.js covers the rest).
    res.setHeader('X-Content-Type-Options', 'nosniff')
    void registry.handle(req, res)
  } else if (capRequestBody(req, res)) void handleNext(req, res)
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
server.listen(config.port, config.bindHost, () => {
  logger.info({ url: `http://${config.bindHost}:${config.port}`, publicUrl: config.publicUrl }, 'registry listening')
  // Background work starts only once we listen: whatever it meets in the database cannot keep the server down.
  registry.start()
  webhooks.start()
  scheduler = startScheduler(services.prisma, logger, config.schedulerIntervalMs)
})

let stopping = false
async function shutdown(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  logger.info({ signal }, 'shutting down')
  server.close()
  server.closeAllConnections()
  scheduler?.stop()
  await registry.close()
  await webhooks.stop()
  await services.close()
  await closeDatabases()
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))
