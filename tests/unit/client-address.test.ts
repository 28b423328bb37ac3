import { describe, expect, it } from 'vitest'
import type { IncomingMessage } from 'node:http'
import { CLIENT_ADDRESS_HEADER, clientAddress, stampClientAddress } from '../../lib/client-address'

function request(headers: Record<string, string>, peer = '::ffff:10.0.0.9'): IncomingMessage {
  return { headers: { ...headers }, socket: { remoteAddress: peer } } as unknown as IncomingMessage
}

describe('client address', () => {
  it('uses the socket peer and ignores what the client claims, unless a proxy is trusted', () => {
    const req = request({ 'x-forwarded-for': '6.6.6.6', [CLIENT_ADDRESS_HEADER]: '7.7.7.7' })
    expect(stampClientAddress(req, false)).toBe('10.0.0.9')
    expect(clientAddress(req.headers as Record<string, unknown>)).toBe('10.0.0.9')
  })

  it('behind a trusted proxy, takes the entry the proxy appended', () => {
    const req = request({ 'x-forwarded-for': '6.6.6.6, 203.0.113.5' })
    expect(stampClientAddress(req, true)).toBe('203.0.113.5')
    expect(clientAddress(new Headers({ [CLIENT_ADDRESS_HEADER]: '203.0.113.5' }))).toBe('203.0.113.5')
  })

  it('falls back to the peer when a trusted proxy sent no header', () => {
    expect(stampClientAddress(request({}), true)).toBe('10.0.0.9')
  })
})
