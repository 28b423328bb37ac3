// One raw keep-alive HTTP/1.1 connection: write requests (several at once, to pipeline them) and read
// the responses one after another, in the order the server sends them. For what fetch and node:http
// cannot do: pipelining, reusing a connection while a response is still arriving, stalling a body.
import net from 'node:net'
import type { RawResponse } from './oci'

export interface RequestHead {
  method: string
  /** Path and query. */
  path: string
  headers?: Record<string, string>
  body?: Buffer | string
}

/** The bytes of one request (Content-Length set from the body; keep-alive). */
export function requestBytes(host: string, req: RequestHead): Buffer {
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body)
  const headers: Record<string, string> = { host, ...(req.headers ?? {}) }
  if (body.length > 0 || ['POST', 'PUT', 'PATCH'].includes(req.method)) headers['content-length'] ??= String(body.length)
  const head =
    `${req.method} ${req.path} HTTP/1.1\r\n` +
    Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    '\r\n'
  return Buffer.concat([Buffer.from(head, 'latin1'), body])
}

export class HttpConnection {
  private buffer = Buffer.alloc(0)
  private waiting: (() => void) | undefined
  /** Set once the server closed the connection (or it failed). */
  closedAt: number | undefined
  error: string | undefined

  private constructor(
    readonly socket: net.Socket,
    readonly host: string,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk])
      this.wake()
    })
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.error = e.code ?? e.message
    })
    socket.on('close', () => {
      this.closedAt = Date.now()
      this.wake()
    })
  }

  static open(baseUrl: string): Promise<HttpConnection> {
    const u = new URL(baseUrl)
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(u.port || 80), u.hostname)
      socket.once('error', reject)
      socket.once('connect', () => {
        socket.off('error', reject)
        resolve(new HttpConnection(socket, u.host))
      })
    })
  }

  /** Writes the requests in one go (pipelined). */
  send(...requests: RequestHead[]): void {
    this.socket.write(Buffer.concat(requests.map((r) => requestBytes(this.host, r))))
  }

  /** Writes raw bytes; resolves when they are handed to the kernel (or the socket is gone). */
  write(data: Buffer | string): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve()
    return new Promise((resolve) => {
      if (this.socket.write(data)) resolve()
      else this.socket.once('drain', resolve).once('close', resolve)
    })
  }

  /** Resolves when the server has closed the connection; rejects after `timeoutMs`. */
  closed(timeoutMs: number): Promise<number> {
    return this.until(() => (this.closedAt === undefined ? undefined : this.closedAt), timeoutMs, 'the connection to close')
  }

  /**
   * The next response on the connection (1xx interim responses skipped); rejects when none is
   * complete within `timeoutMs` or the connection closes first. `head` = true for a HEAD request.
   */
  next(timeoutMs: number, head = false): Promise<RawResponse> {
    return this.until(() => this.parse(head), timeoutMs, 'a response')
  }

  close(): void {
    this.socket.destroy()
  }

  private wake(): void {
    const w = this.waiting
    this.waiting = undefined
    w?.()
  }

  private async until<T>(take: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const value = take()
      if (value !== undefined) return value
      if (this.closedAt !== undefined && what !== 'the connection to close') {
        throw new Error(`the connection closed before ${what} arrived (${this.buffer.length} bytes pending${this.error ? `, ${this.error}` : ''})`)
      }
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`waited ${timeoutMs} ms for ${what} in vain (${this.buffer.length} bytes pending)`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiting = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  /** Takes one complete response off the buffer, or undefined when it has not fully arrived. */
  private parse(head: boolean): RawResponse | undefined {
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n')
      if (end < 0) return undefined
      const lines = this.buffer.subarray(0, end).toString('latin1').split('\r\n')
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? 0)
      const headers: Record<string, string> = {}
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':')
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
      }
      const rest = this.buffer.subarray(end + 4)
      if (status >= 100 && status < 200) {
        this.buffer = rest
        continue
      }
      let body: Buffer
      let consumed: number
      if (head || status === 204 || status === 304) {
        body = Buffer.alloc(0)
        consumed = 0
      } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
        const chunks: Buffer[] = []
        let offset = 0
        for (;;) {
          const lineEnd = rest.indexOf('\r\n', offset)
          if (lineEnd < 0) return undefined
          const size = parseInt(rest.subarray(offset, lineEnd).toString('latin1'), 16)
          if (size === 0) {
            // The last chunk, optional trailers, an empty line.
            const trailerEnd = rest.indexOf('\r\n\r\n', lineEnd)
            if (trailerEnd < 0) return undefined
            consumed = trailerEnd + 4
            break
          }
          if (rest.length < lineEnd + 2 + size + 2) return undefined
          chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size))
          offset = lineEnd + 2 + size + 2
        }
        body = Buffer.concat(chunks)
      } else if (headers['content-length'] !== undefined) {
        const length = Number(headers['content-length'])
        if (rest.length < length) return undefined
        body = rest.subarray(0, length)
        consumed = length
      } else {
        // Delimited by the end of the connection.
        if (this.closedAt === undefined) return undefined
        body = rest
        consumed = rest.length
      }
      this.buffer = rest.subarray(consumed)
      return { status, headers, body: Buffer.from(body), socketError: this.error }
    }
  }
}
