/**
 * A counting relay in front of an upstream registry, for pull-through cache tests: it forwards every
 * request to `target` and records it (`METHOD /path`), so a test can count what reached the upstream
 * (one blob GET for 20 concurrent pulls, one HEAD per tag TTL). `down()` stops listening and cuts
 * open connections (the upstream is unreachable, connection refused); `up()` listens again on the
 * same port. `misbehave()` makes it answer every request with a status instead (429 with
 * Retry-After, 500) or never answer at all (`'stall'`), until `misbehave('forward')`.
 *
 *   const relay = await startCountingRelay(upstream.url)
 *   relay.count('GET', `/v2/team/app/blobs/${digest}`)
 */
import http from 'node:http'
import type net from 'node:net'
import { freePort } from './registry-server'

export interface CountingRelay {
  url: string
  port: number
  /** Every request forwarded so far, as `METHOD /path` (query string dropped). */
  requests: string[]
  count(method: string, path: string): number
  misbehave(how: 'forward' | 'stall' | 429 | 500): void
  down(): Promise<void>
  up(): Promise<void>
  close(): Promise<void>
}

export async function startCountingRelay(target: string): Promise<CountingRelay> {
  const port = await freePort()
  const requests: string[] = []
  const sockets = new Set<net.Socket>()
  const upstream = new URL(target)
  const agent = new http.Agent({ keepAlive: true })
  let behaviour: 'forward' | 'stall' | 429 | 500 = 'forward'
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${(req.url ?? '/').split('?')[0]}`)
    if (behaviour === 'stall') return
    if (behaviour !== 'forward') {
      res.writeHead(behaviour, { 'content-type': 'application/json', ...(behaviour === 429 ? { 'retry-after': '7' } : {}) })
      res.end(JSON.stringify({ errors: [{ code: behaviour === 429 ? 'TOOMANYREQUESTS' : 'UNKNOWN', message: 'the relay says so' }] }))
      return
    }
    const headers = { ...req.headers, host: upstream.host }
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (answer) => {
      // Redirects and auth challenges name the upstream; the client follows them there, which is fine.
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    forward.on('error', () => res.destroy())
    req.pipe(forward)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  const listen = () => new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()))
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      for (const socket of sockets) socket.destroy()
    })
  await listen()
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    count: (method, path) => requests.filter((r) => r === `${method} ${path}`).length,
    misbehave: (how) => void (behaviour = how),
    down: stop,
    up: listen,
    async close() {
      if (server.listening) await stop()
      agent.destroy()
    },
  }
}
