// Graceful stop of an HTTP server: no new connections, requests in flight run to their end (up to a
// deadline), each told to close its connection when it is done, and kept-alive connections close as
// soon as they fall idle.
import type { Server, ServerResponse } from 'node:http'

/** How often connections that fell idle are closed while draining. */
const IDLE_SWEEP_MS = 100

export class Drain {
  private readonly inFlight = new Set<ServerResponse>()
  private draining = false

  constructor(private readonly server: Server) {}

  /** Call for every request: while draining, its response closes the connection when it is done. */
  track(res: ServerResponse): void {
    if (this.draining) {
      res.setHeader('Connection', 'close')
      return
    }
    this.inFlight.add(res)
    res.once('close', () => this.inFlight.delete(res))
  }

  /**
   * Stops the server accepting connections and resolves once every connection has closed: true
   * when the requests in flight finished, false when `timeoutMs` ran out and the rest were cut.
   */
  stop(timeoutMs: number): Promise<boolean> {
    this.draining = true
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close')
    this.inFlight.clear()
    const server = this.server
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
}
