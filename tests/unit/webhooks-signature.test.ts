import { describe, expect, it } from 'vitest'
import { createHmac } from 'node:crypto'
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signPayload, verifySignature } from '../../lib/webhooks/signature'

const secret = 'whsec_test'
const timestamp = 1700000000
const body = '{"type":"PUSH_ARTIFACT"}'
// Fixed vector, computed independently: printf '%s' '1700000000.{"type":"PUSH_ARTIFACT"}' | openssl dgst -sha256 -hmac whsec_test
const expected = 'sha256=4d73146a0caf6137381317228b4c14fc8121c9724d11268e076060ad8786d3cc'

describe('signPayload', () => {
  it('is the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    const independent = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
    expect(signPayload(secret, timestamp, body)).toBe(`sha256=${independent}`)
    expect(signPayload(secret, timestamp, body)).toBe(expected)
  })

  it('rejects timestamps that are not whole seconds', () => {
    expect(() => signPayload(secret, 1700000000.5, body)).toThrow('whole unix seconds')
    expect(() => signPayload(secret, Date.now(), body)).toThrow('whole unix seconds')
  })
})

describe('verifySignature', () => {
  const header = signPayload(secret, timestamp, body)

  it('accepts a fresh, untouched delivery (header text and raw bytes as received)', () => {
    expect(verifySignature(secret, timestamp, body, header, 300, timestamp + 10)).toBe(true)
    expect(verifySignature(secret, String(timestamp), Buffer.from(body), header, 300, timestamp)).toBe(true)
    expect(verifySignature(secret, timestamp, body, header.toUpperCase().replace('SHA256=', 'sha256='), 300, timestamp)).toBe(true)
  })

  it('rejects a tampered body, timestamp, secret or signature', () => {
    const now = timestamp
    expect(verifySignature(secret, timestamp, body.replace('PUSH', 'PULL'), header, 300, now)).toBe(false)
    expect(verifySignature(secret, timestamp + 1, body, header, 300, now)).toBe(false)
    expect(verifySignature('other', timestamp, body, header, 300, now)).toBe(false)
    expect(verifySignature(secret, timestamp, body, header.slice(0, -1) + '0', 300, now)).toBe(false)
    expect(verifySignature(secret, timestamp, body, header.replace('sha256=', 'sha1='), 300, now)).toBe(false)
    expect(verifySignature(secret, timestamp, body, '', 300, now)).toBe(false)
    expect(verifySignature(secret, '1700000000x', body, header, 300, now)).toBe(false)
  })

  it('rejects timestamps outside the tolerance, in either direction', () => {
    expect(verifySignature(secret, timestamp, body, header, 300, timestamp + 300)).toBe(true)
    expect(verifySignature(secret, timestamp, body, header, 300, timestamp + 301)).toBe(false)
    expect(verifySignature(secret, timestamp, body, header, 300, timestamp - 301)).toBe(false)
    // Default `now` is the clock: a 2023 timestamp is long expired.
    expect(verifySignature(secret, timestamp, body, header)).toBe(false)
    const fresh = Math.floor(Date.now() / 1000)
    expect(verifySignature(secret, fresh, body, signPayload(secret, fresh, body))).toBe(true)
  })
})

describe('header names', () => {
  it('are the documented ones', () => {
    expect([SIGNATURE_HEADER, TIMESTAMP_HEADER, DELIVERY_HEADER, EVENT_HEADER]).toEqual([
      'X-Registry-Signature-256',
      'X-Registry-Timestamp',
      'X-Registry-Delivery',
      'X-Registry-Event',
    ])
  })
})
