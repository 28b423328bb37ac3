// A counting relay in front of an upstream registry: it forwards every request to the upstream and
// records it as `METHOD /path` (query dropped), so a proxy scenario can count what reached the upstream.
// (tests/support/counting-relay.ts does the same for the tests, with failure modes; bench/ does not
// import tests/.)
import http from 'node:http'
import type net from 'node:net'
import { freePort, onCleanup } from './procs'

export interface CountingRelay {
  url: string
  /** Every request forwarded so far, as `METHOD /path`. */
  requests: string[]
  close(): Promise<void>
}

export async function startCountingRelay(target: string): Promise<CountingRelay> {
  const port = await freePort()
  const requests: string[] = []
  const sockets = new Set<net.Socket>()
  const upstream = new URL(target)
  const agent = new http.Agent({ keepAlive: true })
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${(req.url ?? '/').split('?')[0]}`)
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    forward.on('error', () => res.destroy())
    req.pipe(forward)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()))
  let closed = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      for (const socket of sockets) socket.destroy()
    })
    agent.destroy()
  }
  onCleanup(close)
  return { url: `http://127.0.0.1:${port}`, requests, close }
}
