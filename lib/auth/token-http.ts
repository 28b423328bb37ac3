// `GET /service/token` answered by server.ts itself rather than through Next: docker, podman and
// skopeo fetch one token per repository they push or pull, and Next's routing cost several times
// what the token itself costs (bench/tokens.ts). The handler is the route's (handleTokenGet);
// POST (the OAuth2 form, which has a body to cap) and every other method stay with Next's route.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { runtime } from '../runtime'
import { defaultTokenServiceDeps, handleTokenGet } from './token-service'

export const TOKEN_SERVICE_PATH = '/service/token'

/** Whether server.ts answers this request with `serveTokenGet`. */
export function isTokenGet(req: IncomingMessage): boolean {
  if (req.method !== 'GET') return false
  const url = req.url ?? ''
  const query = url.indexOf('?')
  return (query < 0 ? url : url.slice(0, query)) === TOKEN_SERVICE_PATH
}

export async function serveTokenGet(req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
    const response = await handleTokenGet(await defaultTokenServiceDeps(), new Request(new URL(req.url ?? '/', 'http://token.invalid'), { headers }))
    const body = Buffer.from(await response.arrayBuffer())
    // Data, never a page: the same nosniff Next's headers() gives every response it serves.
    res.writeHead(response.status, { ...Object.fromEntries(response.headers), 'X-Content-Type-Options': 'nosniff', 'Content-Length': String(body.length) })
    res.end(body)
  } catch (error) {
    runtime().logger.error({ err: error }, 'the token service failed')
    if (res.headersSent) return void res.destroy()
    const body = JSON.stringify({ errors: [{ code: 'UNKNOWN', message: 'internal error', detail: null }] })
    res.writeHead(500, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
    res.end(body)
  }
}
