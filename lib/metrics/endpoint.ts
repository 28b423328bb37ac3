// Serving the metrics: on a port of its own (METRICS_PORT), and on the main port only to callers
// with METRICS_TOKEN.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { timingSafeEqual, createHash } from 'node:crypto'
import { metricsRegistry } from './registry'
import { collectDatabaseMetrics } from './database'

export const METRICS_PATH = '/metrics'

/** The exposition text of every metric. */
export async function metricsText(): Promise<string> {
  await collectDatabaseMetrics()
  return metricsRegistry.metrics()
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)), 'Cache-Control': 'no-store', ...headers })
  res.end(body)
}

/** Answers a request for METRICS_PATH (GET or HEAD). */
async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' })
  try {
    const text = await metricsText()
    res.writeHead(200, { 'Content-Type': metricsRegistry.contentType, 'Content-Length': String(Buffer.byteLength(text)), 'Cache-Control': 'no-store' })
    res.end(req.method === 'HEAD' ? undefined : text)
  } catch (error) {
    send(res, 500, 'text/plain; charset=utf-8', `collecting metrics failed: ${error instanceof Error ? error.message : String(error)}\n`)
  }
}

const sha256 = (value: string) => createHash('sha256').update(value).digest()

/** Whether `req` carries `Authorization: Bearer <token>` (compared in constant time). */
function hasMetricsToken(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization
  if (!header?.startsWith('Bearer ')) return false
  return timingSafeEqual(sha256(header.slice('Bearer '.length).trim()), sha256(token))
}

/** Answers METRICS_PATH on the main port: 401 without the token. */
export async function serveProtectedMetrics(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
  if (!hasMetricsToken(req, token)) return send(res, 401, 'text/plain; charset=utf-8', 'a metrics token is required\n', { 'WWW-Authenticate': 'Bearer realm="metrics"' })
  await serveMetrics(req, res)
}

/** The METRICS_PORT server: METRICS_PATH and nothing else. Resolves once it listens. */
export function startMetricsServer(host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === METRICS_PATH) void serveMetrics(req, res)
    else send(res, 404, 'text/plain; charset=utf-8', `not found; metrics are at ${METRICS_PATH}\n`)
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve(server)
    })
  })
}
