// /healthz (the process answers) and /readyz (it can serve: started, not shutting down, and its
// database and blob store answer), on the main port, unauthenticated, for load balancers and
// orchestrators. Cheap: one `SELECT 1` and one store probe per check, concurrent checks share one.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { BlobStore } from '@registry-core'

export const HEALTH_PATH = '/healthz'
export const READY_PATH = '/readyz'

/** starting: migrations and start-up work; stopping: SIGTERM received, draining. */
export type Phase = 'starting' | 'ready' | 'stopping'

export interface ReadinessProbes {
  database: () => Promise<unknown>
  blobStore: () => BlobStore
  /** How long a probe may take before it counts as failed. */
  timeoutMs?: number
}

type CheckResult = 'ok' | string

export interface Readiness {
  ready: boolean
  status: Phase | 'unavailable'
  checks?: { database: CheckResult; blobStore: CheckResult }
}

async function probe(run: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs)
  })
  try {
    return await Promise.race([run().then((): CheckResult => 'ok'), deadline])
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    clearTimeout(timer)
  }
}

export class Health {
  private current: Phase = 'starting'
  private inFlight: Promise<Readiness> | undefined

  constructor(private readonly probes: ReadinessProbes) {}

  get phase(): Phase {
    return this.current
  }

  ready(): void {
    if (this.current === 'starting') this.current = 'ready'
  }

  stopping(): void {
    this.current = 'stopping'
  }

  /** Whether the process can serve now; the probes run only in the ready phase. */
  readiness(): Promise<Readiness> {
    if (this.current !== 'ready') return Promise.resolve({ ready: false, status: this.current })
    this.inFlight ??= this.check().finally(() => (this.inFlight = undefined))
    return this.inFlight
  }

  private async check(): Promise<Readiness> {
    const timeoutMs = this.probes.timeoutMs ?? 2000
    const [database, blobStore] = await Promise.all([probe(this.probes.database, timeoutMs), probe(async () => this.probes.blobStore().check?.(), timeoutMs)])
    // Shutdown may have begun while the probes ran.
    const ready = database === 'ok' && blobStore === 'ok' && this.current === 'ready'
    return { ready, status: ready ? 'ready' : this.current === 'ready' ? 'unavailable' : this.current, checks: { database, blobStore } }
  }

  /** Answers HEALTH_PATH and READY_PATH (GET or HEAD); false for any other request. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?', 1)[0]
    if (path !== HEALTH_PATH && path !== READY_PATH) return false
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, 405, { status: 'method not allowed' }, { Allow: 'GET, HEAD' })
    } else if (path === HEALTH_PATH) {
      send(req, res, 200, { status: 'ok' })
    } else {
      void this.readiness().then((readiness) =>
        send(req, res, readiness.ready ? 200 : 503, { status: readiness.status, ...(readiness.checks ? { checks: readiness.checks } : {}) }),
      )
    }
    return true
  }
}

function send(req: IncomingMessage, res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), 'Cache-Control': 'no-store', ...headers })
  res.end(req.method === 'HEAD' ? undefined : text)
}
