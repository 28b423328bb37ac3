// Sends one webhook request to a URL a project admin typed in, through the SSRF guard of
// lib/net/outbound-guard.ts (WEBHOOK_ALLOWED_NETWORKS opens private networks).
import http from 'node:http'
import https from 'node:https'
import { performance } from 'node:perf_hooks'
import {
  TargetRefusedError,
  checkTargetResolves as checkResolves,
  checkTargetUrl as checkUrl,
  parseOutboundTarget,
  type OutboundPurpose,
  type OutboundRules,
} from '../net/outbound-guard'

export type { OutboundRules }

export interface OutboundRequest {
  url: string
  headers: Record<string, string>
  body: string
  timeoutMs: number
  /** How much of the response body is kept as `bodySnippet`; default 4096. */
  maxResponseBytes?: number
}

export type OutboundResult =
  | { kind: 'response'; status: number; headers: Record<string, string>; bodySnippet: string; latencyMs: number }
  | { kind: 'refused'; reason: string; latencyMs: number }
  | { kind: 'error'; error: string; latencyMs: number }

export const USER_AGENT = 'Harbormaster-Webhook/1'
const DEFAULT_SNIPPET_BYTES = 4096
/** A receiver that streams more than this is cut off: we only log a snippet, and must not hang on it. */
const MAX_READ_BYTES = 64 * 1024

const PURPOSE: OutboundPurpose = {
  setting: 'WEBHOOK_ALLOWED_NETWORKS',
  target: 'a webhook target',
  credentialsAdvice: 'use the Authorization header setting',
}

/**
 * Synchronous form check of a target URL: http(s) only, no credentials in the URL, and literal IP
 * hosts against the rules. Host names pass here; their addresses are checked when connecting.
 */
export function checkTargetUrl(url: string, rules: OutboundRules) {
  return checkUrl(url, rules, PURPOSE)
}

/** The check when a policy is saved: the form check, then every address the host name resolves to. */
export function checkTargetResolves(url: string, rules: OutboundRules) {
  return checkResolves(url, rules, PURPOSE)
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return flat
}

/** Header names this module sets itself; a caller's value for them is dropped rather than sent twice. */
const OWN_HEADERS = new Set(['content-length', 'user-agent', 'host', 'connection', 'transfer-encoding'])

/**
 * POSTs `request.body` to `request.url`. Never throws and never follows redirects (a 3xx comes back
 * as a response). The timeout covers connecting, the response head and reading the body.
 */
export function sendWebhook(request: OutboundRequest, rules: OutboundRules): Promise<OutboundResult> {
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)

  const target = parseOutboundTarget(request.url, rules, PURPOSE)
  if (!target.ok) return Promise.resolve({ kind: 'refused', reason: target.reason, latencyMs: elapsed() })
  const snippetBytes = Math.min(Math.max(0, request.maxResponseBytes ?? DEFAULT_SNIPPET_BYTES), MAX_READ_BYTES)

  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (!OWN_HEADERS.has(name.toLowerCase())) headers[name] = value
  }
  headers['Content-Length'] = String(Buffer.byteLength(request.body))
  headers['User-Agent'] = USER_AGENT

  return new Promise<OutboundResult>((resolve) => {
    let settled = false
    let req: http.ClientRequest | undefined
    let timer: NodeJS.Timeout | undefined
    const finish = (result: OutboundResult) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      req?.destroy()
      resolve(result)
    }
    const fail = (error: unknown) => {
      if (error instanceof TargetRefusedError) finish({ kind: 'refused', reason: error.message, latencyMs: elapsed() })
      else finish({ kind: 'error', error: error instanceof Error ? error.message : String(error), latencyMs: elapsed() })
    }

    const onResponse = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = []
      let kept = 0
      let read = 0
      const complete = () =>
        finish({
          kind: 'response',
          status: res.statusCode ?? 0,
          headers: flattenHeaders(res.headers),
          bodySnippet: Buffer.concat(chunks).toString('utf8'),
          latencyMs: elapsed(),
        })
      res.on('data', (chunk: Buffer) => {
        read += chunk.length
        if (kept < snippetBytes) {
          const part = chunk.subarray(0, snippetBytes - kept)
          chunks.push(part)
          kept += part.length
        }
        // The status is known and the snippet full; a receiver streaming megabytes (or forever)
        // must not hold the worker, so stop reading and close the connection.
        if (read >= MAX_READ_BYTES) complete()
      })
      res.on('end', complete)
      res.on('error', fail)
      // Closed before the body ended (reset mid-body): the receiver's answer is not confirmed.
      res.on('close', () => {
        if (!res.complete) fail(new Error('connection closed before the response body ended'))
      })
    }

    try {
      const send = target.url.protocol === 'https:' ? https.request : http.request
      req = send({
        protocol: target.url.protocol,
        hostname: target.host,
        port: target.url.port || undefined,
        path: `${target.url.pathname}${target.url.search}`,
        method: 'POST',
        headers,
        // A fresh agent per request: no pooled socket from another delivery, and `Connection: close`.
        agent: false,
        lookup: target.lookup as unknown as http.RequestOptions['lookup'],
      })
      timer = setTimeout(() => fail(new Error(`timed out after ${request.timeoutMs} ms`)), request.timeoutMs)
      req.on('error', fail)
      req.on('response', onResponse)
      req.end(request.body)
    } catch (error) {
      // http.request throws synchronously on header values it cannot send (e.g. a newline).
      fail(error)
    }
  })
}
