// The address of the client behind a request, decided once by server.ts and carried to the route
// handlers in a header of our own that a client cannot set: login throttling and the audit log
// depend on it, and a client-supplied X-Forwarded-For would let anyone pick an address.
import type { IncomingMessage } from 'node:http'

export const CLIENT_ADDRESS_HEADER = 'x-registry-client-address'

function normalize(address: string | undefined): string | undefined {
  const value = address?.trim()
  if (!value) return undefined
  return value.startsWith('::ffff:') ? value.slice(7) : value
}

/**
 * The socket's peer, or with `trustProxy` the last `X-Forwarded-For` entry (the one the proxy in
 * front of us appended). Also stamps the answer on the request for the handlers behind Next.
 */
export function stampClientAddress(req: IncomingMessage, trustProxy: boolean): string | undefined {
  const forwarded = req.headers['x-forwarded-for']
  const lastForwarded = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)?.split(',').at(-1)
  const address = normalize(trustProxy && lastForwarded ? lastForwarded : req.socket.remoteAddress)
  if (address) req.headers[CLIENT_ADDRESS_HEADER] = address
  else delete req.headers[CLIENT_ADDRESS_HEADER]
  return address
}

/** The address stamped by server.ts, from a Fetch API request or a plain header map. */
export function clientAddress(headers: Headers | Record<string, unknown> | undefined): string | undefined {
  if (!headers) return undefined
  const value = headers instanceof Headers ? headers.get(CLIENT_ADDRESS_HEADER) : headers[CLIENT_ADDRESS_HEADER]
  return typeof value === 'string' ? normalize(value) : undefined
}
