// Webhook signatures, so a receiver can tell a delivery came from us and was not replayed later.
//
// Headers on every delivery (the worker uses these constants; receivers read them):
//   X-Registry-Event          the event type, e.g. PUSH_ARTIFACT (lets a receiver route before parsing)
//   X-Registry-Delivery       the delivery id: the same on every retry of one delivery, so a receiver
//                             that saw it already can answer 2xx and skip it
//   X-Registry-Timestamp      unix seconds when this attempt was signed (a fresh value on each retry)
//   X-Registry-Signature-256  only when the policy has a secret:
//                             `sha256=` + hex HMAC-SHA256(secret, "<timestamp>.<raw body>")
//
// The timestamp is inside the signed text, so an attacker who captured one delivery cannot resend it
// with a new timestamp; receivers reject timestamps outside a tolerance (verifySignature: 5 minutes).
import { createHmac, timingSafeEqual } from 'node:crypto'

export const SIGNATURE_HEADER = 'X-Registry-Signature-256'
export const TIMESTAMP_HEADER = 'X-Registry-Timestamp'
export const DELIVERY_HEADER = 'X-Registry-Delivery'
export const EVENT_HEADER = 'X-Registry-Event'

const SIGNATURE_PATTERN = /^sha256=([0-9a-f]{64})$/i

function hmacHex(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')
}

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`; `timestamp` in unix seconds. */
export function signPayload(secret: string, timestamp: number, body: string): string {
  // Milliseconds (Date.now()) are the likely mistake; they would sign fine and then fail every
  // receiver's freshness check, so stop them here. 1e11 seconds is the year 5138.
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp >= 1e11) {
    throw new TypeError(`timestamp must be whole unix seconds, got ${timestamp}`)
  }
  return `sha256=${hmacHex(secret, timestamp, body)}`
}

/**
 * True when `header` is the signature of `body` at `timestamp` and the timestamp is within
 * `toleranceSeconds` of `now` (unix seconds) either way. `timestamp` may be the header text as
 * received; `body` the raw bytes as received (re-serialised JSON would not match).
 */
export function verifySignature(
  secret: string,
  timestamp: number | string,
  body: string | Uint8Array,
  header: string,
  toleranceSeconds = 300,
  now: number = Math.floor(Date.now() / 1000),
): boolean {
  const seconds = typeof timestamp === 'number' ? timestamp : /^\d{1,15}$/.test(timestamp) ? Number(timestamp) : NaN
  if (!Number.isSafeInteger(seconds) || Math.abs(now - seconds) > toleranceSeconds) return false
  const match = SIGNATURE_PATTERN.exec(header.trim())
  if (!match) return false
  const expected = Buffer.from(hmacHex(secret, seconds, body), 'hex')
  return timingSafeEqual(expected, Buffer.from(match[1], 'hex'))
}
