// Graceful stop of an HTTP server: no new connections, requests in flight run to their end (up to a
// deadline), and kept-alive connections close as soon as they fall idle.
import type { Server } from 'node:http'

/** How often connections that fell idle are closed while draining. */
const IDLE_SWEEP_MS = 100

/**
 * Stops `server` accepting connections and resolves once every connection has closed: true when
 * the requests in flight finished, false when `timeoutMs` ran out and the rest were cut.
 * While it drains, responses should carry `Connection: close` (see `server.ts`).
 */
export function drainServer(server: Server, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let finished = true
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS)
    const deadline = setTimeout(() => {
      finished = false
      server.closeAllConnections()
    }, timeoutMs)
    server.close(() => {
      clearInterval(sweep)
      clearTimeout(deadline)
      resolve(finished)
    })
    server.closeIdleConnections()
  })
}
