/**
 * A webhook receiver on 127.0.0.1 for tests: records every request and answers what the test says.
 *
 *   const receiver = await startWebhookReceiver()
 *   receiver.respondWith(500, 500)           // the next two requests get 500, then the default (200)
 *   receiver.hang = true                     // accept requests but never answer (until closed)
 *   const hit = await receiver.waitFor((r) => r.event === 'PUSH_ARTIFACT', 5000)
 *   await receiver.close()
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect } from 'vitest'
import { apiClient } from './api'
import type { RunningServer } from './registry-server'

export interface ReceivedRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: string
  receivedAt: number
  /** `X-Registry-Event` */
  event: string | undefined
  /** `X-Registry-Delivery` */
  delivery: string | undefined
  json<T = any>(): T
}

export interface WebhookReceiver {
  url: string
  port: number
  requests: ReceivedRequest[]
  /** When set, requests are read but never answered. */
  hang: boolean
  /** Status codes for the next requests, in order; afterwards 200. */
  respondWith(...statuses: number[]): void
  /** Resolves with the first (already received or future) request matching, or rejects after `timeoutMs`. */
  waitFor(match: (request: ReceivedRequest) => boolean, timeoutMs?: number): Promise<ReceivedRequest>
  /** Resolves once `count` requests match, or rejects after `timeoutMs`. */
  waitForCount(match: (request: ReceivedRequest) => boolean, count: number, timeoutMs?: number): Promise<ReceivedRequest[]>
  close(): Promise<void>
}

export async function startWebhookReceiver(
  options: { port?: number; respond?: (req: ReceivedRequest) => { status: number; headers?: Record<string, string> } | undefined } = {},
): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = []
  const queued: number[] = []
  const waiters = new Set<() => void>()
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined)
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        receivedAt: Date.now(),
        event: header('x-registry-event'),
        delivery: header('x-registry-delivery'),
        json: () => JSON.parse(body),
      }
      requests.push(request)
      for (const wake of waiters) wake()
      if (receiver.hang) return
      const custom = options.respond?.(request)
      const status = custom?.status ?? queued.shift() ?? 200
      res.writeHead(status, { 'content-type': 'text/plain', ...(custom?.headers ?? {}) })
      res.end(`status ${status}`)
    })
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port

  const waitForCount = (match: (r: ReceivedRequest) => boolean, count: number, timeoutMs = 10_000) =>
    new Promise<ReceivedRequest[]>((resolve, reject) => {
      const check = () => {
        const found = requests.filter(match)
        if (found.length < count) return false
        waiters.delete(check)
        clearTimeout(timer)
        resolve(found)
        return true
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(
          new Error(
            `webhook receiver: ${requests.filter(match).length}/${count} matching requests after ${timeoutMs} ms; got ${requests.map((r) => `${r.event}:${r.delivery}`).join(', ') || 'nothing'}`,
          ),
        )
      }, timeoutMs)
      if (!check()) waiters.add(check)
    })

  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    hang: false,
    respondWith: (...statuses) => queued.push(...statuses),
    waitFor: async (match, timeoutMs) => (await waitForCount(match, 1, timeoutMs))[0],
    waitForCount,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return receiver
}

/** A PUSH_ARTIFACT webhook of the admin's project on `server`, sent to `targetUrl`; its id. */
export async function createPushWebhook(server: RunningServer, targetUrl: string): Promise<number> {
  const auth = { user: server.adminUser, password: server.adminPassword }
  const res = await apiClient(server.url).post(`/api/v1/projects/${server.adminUser}/webhooks`, { name: `push-${Date.now()}`, eventTypes: ['PUSH_ARTIFACT'], targetUrl }, { auth })
  expect(res.status, res.describe()).toBe(201)
  return res.json().id
}
