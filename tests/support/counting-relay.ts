/**
 * A counting relay in front of an upstream registry, for pull-through cache tests: it forwards every
 * request to `target` and records it (`METHOD /path`), so a test can count what reached the upstream
 * (one blob GET for 20 concurrent pulls, one HEAD per tag TTL). `down()` stops listening and cuts
 * open connections (the upstream is unreachable, connection refused); `up()` listens again on the
 * same port. `misbehave()` makes it answer every request with a status instead (429 with
 * Retry-After, 500) or never answer at all (`'stall'`), until `misbehave('forward')`; `'corrupt'`
 * forwards everything but flips one byte in the middle of the body of every GET of a blob or of a
 * manifest by digest (same length, wrong digest). `throttle(bytesPerSecond)` slows blob GET bodies down (null: full speed), so a test can act
 * in the middle of a cold pull.
 *
 *   const relay = await startCountingRelay(upstream.url)
 *   relay.count('GET', `/v2/team/app/blobs/${digest}`)
 */
import http from 'node:http'
import type net from 'node:net'
import { pipeline, Transform } from 'node:stream'
import { freePort } from './registry-server'

export interface CountingRelay {
  url: string
  port: number
  /** Every request forwarded so far, as `METHOD /path` (query string dropped). */
  requests: string[]
  count(method: string, path: string): number
  misbehave(how: Behaviour): void
  throttle(bytesPerSecond: number | null): void
  down(): Promise<void>
  up(): Promise<void>
  close(): Promise<void>
}

type Behaviour = 'forward' | 'corrupt' | 'stall' | 429 | 500

const BLOB_PATH = /^\/v2\/.+\/blobs\/[^/]+$/
const MANIFEST_BY_DIGEST_PATH = /^\/v2\/.+\/manifests\/sha256:[a-f0-9]{64}$/

/** Flips the byte at `offset` of the stream, if it gets that far. */
function flipByteAt(offset: number): Transform {
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (offset >= seen && offset < seen + chunk.length) {
        chunk = Buffer.from(chunk)
        chunk[offset - seen] ^= 0xff
      }
      seen += chunk.length
      done(null, chunk)
    },
  })
}

/** Passes at most `bytesPerSecond` on: each chunk is held back for as long as its bytes take at that rate. */
function throttled(bytesPerSecond: number): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      setTimeout(() => done(null, chunk), (chunk.length * 1000) / bytesPerSecond)
    },
  })
}

export async function startCountingRelay(target: string): Promise<CountingRelay> {
  const port = await freePort()
  const requests: string[] = []
  const sockets = new Set<net.Socket>()
  const upstream = new URL(target)
  const agent = new http.Agent({ keepAlive: true })
  let behaviour: Behaviour = 'forward'
  let bytesPerSecond: number | null = null
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${(req.url ?? '/').split('?')[0]}`)
    if (behaviour === 'stall') return
    if (behaviour !== 'forward' && behaviour !== 'corrupt') {
      res.writeHead(behaviour, { 'content-type': 'application/json', ...(behaviour === 429 ? { 'retry-after': '7' } : {}) })
      res.end(JSON.stringify({ errors: [{ code: behaviour === 429 ? 'TOOMANYREQUESTS' : 'UNKNOWN', message: 'the relay says so' }] }))
      return
    }
    const headers = { ...req.headers, host: upstream.host }
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (answer) => {
      // Redirects and auth challenges name the upstream; the client follows them there, which is fine.
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      const blobBody = req.method === 'GET' && answer.statusCode === 200 && BLOB_PATH.test((req.url ?? '/').split('?')[0])
      const stages: Transform[] = []
      const digestedBody = blobBody || (req.method === 'GET' && answer.statusCode === 200 && MANIFEST_BY_DIGEST_PATH.test((req.url ?? '/').split('?')[0]))
      if (digestedBody && behaviour === 'corrupt') stages.push(flipByteAt(Math.floor(Number(answer.headers['content-length'] ?? 0) / 2)))
      if (blobBody && bytesPerSecond !== null) stages.push(throttled(bytesPerSecond))
      pipeline([answer, ...stages, res], () => undefined)
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
    throttle: (rate) => void (bytesPerSecond = rate),
    down: stop,
    up: listen,
    async close() {
      if (server.listening) await stop()
      agent.destroy()
    },
  }
}
