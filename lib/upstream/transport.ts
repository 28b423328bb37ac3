// HTTP to one upstream registry over node:http(s): a keep-alive agent per origin, every connection
// through the SSRF guard's lookup (UPSTREAM_ALLOWED_NETWORKS), and three clocks so that a slow or
// unreachable upstream ends in a typed error in bounded time: connecting, waiting for the response
// head, and silence while a body streams.
import http from 'node:http'
import https from 'node:https'
import { TargetRefusedError, parseOutboundTarget, type OutboundPurpose } from '../net/outbound-guard'
import { UpstreamError } from './types'

export const UPSTREAM_PURPOSE: OutboundPurpose = {
  setting: 'UPSTREAM_ALLOWED_NETWORKS',
  target: 'an upstream registry',
  credentialsAdvice: "give the endpoint's username and password instead",
}

export const USER_AGENT = 'Harbormaster-Upstream/1'

export interface TransportOptions {
  /** Private networks (CIDRs) upstreams may be in: the config's `upstream.allowedNetworks`. */
  allowedNetworks: string[]
  /** Skip TLS certificate verification. */
  insecure: boolean
  /** How the upstream is named in error messages. */
  upstream: string
  /** Establishing a TCP (and TLS) connection. Default 5 s. */
  connectTimeoutMs?: number
  /** From sending the request to the response head. Default 20 s. */
  headersTimeoutMs?: number
  /** Longest silence while a response body streams. Default 30 s. */
  bodyIdleTimeoutMs?: number
}

export interface UpstreamRequest {
  method: 'GET' | 'HEAD'
  url: string
  headers: Record<string, string>
  signal?: AbortSignal
}

const DEFAULTS = { connectTimeoutMs: 5_000, headersTimeoutMs: 20_000, bodyIdleTimeoutMs: 30_000 }
/** What is read of an error response to quote from it; the rest is drained. */
const MAX_ERROR_BODY = 64 * 1024

export class UpstreamTransport {
  private readonly agents = new Map<string, http.Agent>()
  private readonly timeouts: typeof DEFAULTS

  constructor(private readonly options: TransportOptions) {
    this.timeouts = {
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      headersTimeoutMs: options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
      bodyIdleTimeoutMs: options.bodyIdleTimeoutMs ?? DEFAULTS.bodyIdleTimeoutMs,
    }
  }

  error(kind: UpstreamError['kind'], message: string, extra: { status?: number; retryAfterSeconds?: number } = {}): UpstreamError {
    return new UpstreamError(kind, `upstream ${this.options.upstream}: ${message}`, { upstream: this.options.upstream, ...extra })
  }

  /**
   * Sends the request and resolves with the response head; the body is the caller's to read (or
   * `discard`). Rejects with an UpstreamError (`unreachable`, `timeout`). Once the head is in, a
   * body that stays silent longer than the idle timeout is destroyed with a `timeout` error.
   */
  send(request: UpstreamRequest): Promise<http.IncomingMessage> {
    const target = parseOutboundTarget(request.url, { allowedNetworks: this.options.allowedNetworks }, UPSTREAM_PURPOSE)
    if (!target.ok) return Promise.reject(this.error('unreachable', `${request.url} is not allowed: ${target.reason}`))
    const agent = this.agentFor(target.url, target.lookup)
    const send = target.url.protocol === 'https:' ? https.request : http.request

    return new Promise<http.IncomingMessage>((resolve, reject) => {
      let connectTimer: NodeJS.Timeout | undefined
      let response: http.IncomingMessage | undefined
      const clear = () => {
        clearTimeout(headTimer)
        clearTimeout(connectTimer)
      }
      const req = send(target.url, {
        method: request.method,
        headers: { 'User-Agent': USER_AGENT, ...request.headers },
        agent,
        signal: request.signal,
      })
      const fail = (error: UpstreamError) => {
        clear()
        if (response) response.destroy(error)
        else req.destroy(error)
      }
      req.on('socket', (socket) => {
        if (!socket.connecting) return
        connectTimer = setTimeout(
          () => fail(this.error('timeout', `no connection to ${target.url.host} within ${this.timeouts.connectTimeoutMs} ms`)),
          this.timeouts.connectTimeoutMs,
        )
        socket.once('connect', () => clearTimeout(connectTimer))
      })
      const headTimer = setTimeout(
        () => fail(this.error('timeout', `no response to ${request.method} ${target.url.pathname} within ${this.timeouts.headersTimeoutMs} ms`)),
        this.timeouts.headersTimeoutMs,
      )
      req.on('error', (error) => {
        clear()
        // The caller's own abort is no upstream failure: it gets its signal's reason back.
        reject(request.signal?.aborted ? request.signal.reason : this.classify(error, target.url))
      })
      req.on('response', (res) => {
        clear()
        response = res
        // The socket's inactivity timer, from here on: silence in the body ends it.
        req.setTimeout(this.timeouts.bodyIdleTimeoutMs, () =>
          fail(this.error('timeout', `the body of ${request.method} ${target.url.pathname} stalled for ${this.timeouts.bodyIdleTimeoutMs} ms`)),
        )
        res.on('error', () => req.destroy())
        resolve(res)
      })
      req.end()
    })
  }

  /**
   * Reads a body to its end and drops it, so the connection goes back to the pool before the
   * next request is sent (a body merely resumed frees its socket too late for that request).
   */
  async discard(res: http.IncomingMessage): Promise<void> {
    let read = 0
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        read += (chunk as Buffer).length
        // Not worth the bytes (or an endless body): close the connection instead.
        if (read > MAX_ERROR_BODY) return void res.destroy()
      }
    } catch {
      // The connection is lost rather than reused; the status is what counts.
    }
  }

  /** The first bytes of an error body (to quote); a longer body closes the connection rather than being read. */
  async readSnippet(res: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = []
    let kept = 0
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        chunks.push(chunk.subarray(0, MAX_ERROR_BODY - kept))
        kept += chunk.length
        if (kept >= MAX_ERROR_BODY) {
          res.destroy()
          break
        }
      }
    } catch {
      // A broken error body still leaves the status to report.
    }
    return Buffer.concat(chunks).toString('utf8')
  }

  /** Reads a whole body of at most `maxBytes`; larger (by Content-Length or by counting) is `invalid`. */
  async readAll(res: http.IncomingMessage, maxBytes: number, what: string): Promise<Buffer> {
    const declared = Number(res.headers['content-length'])
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.destroy()
      throw this.error('invalid', `${what} is ${declared} bytes, over the limit of ${maxBytes}`)
    }
    const chunks: Buffer[] = []
    let total = 0
    for await (const chunk of res as AsyncIterable<Buffer>) {
      total += chunk.length
      if (total > maxBytes) {
        res.destroy()
        throw this.error('invalid', `${what} is over the limit of ${maxBytes} bytes`)
      }
      chunks.push(chunk)
    }
    return Buffer.concat(chunks)
  }

  /** Closes the pooled connections. */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy()
    this.agents.clear()
  }

  /** Turns a body-reading failure into an UpstreamError (those from this transport pass through). */
  classify(error: unknown, url: URL): UpstreamError {
    if (error instanceof UpstreamError) return error
    if (error instanceof TargetRefusedError) return this.error('unreachable', `${url.host} is not allowed: ${error.message}`)
    const err = error as NodeJS.ErrnoException
    const code = err.code ? ` (${err.code})` : ''
    if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return this.error('unreachable', `${url.hostname} does not resolve${code}`)
    if (err.code === 'ECONNREFUSED') return this.error('unreachable', `connection to ${url.host} refused${code}`)
    if (/certificate|self[- ]signed|SSL|TLS/i.test(`${err.code} ${err.message}`)) {
      return this.error('unreachable', `TLS with ${url.host} failed: ${err.message}${code}; mark the endpoint insecure to skip verification`)
    }
    return this.error('unreachable', `connection to ${url.host} failed: ${err.message}${code}`)
  }

  private agentFor(url: URL, lookup: unknown): http.Agent {
    const key = url.origin
    let agent = this.agents.get(key)
    if (!agent) {
      const options = { keepAlive: true, maxSockets: 64, lookup: lookup as http.AgentOptions['lookup'] }
      agent = url.protocol === 'https:' ? new https.Agent({ ...options, rejectUnauthorized: !this.options.insecure }) : new http.Agent(options)
      this.agents.set(key, agent)
    }
    return agent
  }
}
