// Upload session ids that carry their own proof: starting a session writes nothing anywhere, and any
// replica holding the same key can tell a session it handed out from a made-up or another
// repository's id. The index records a session only once bytes arrive or it ends.
//
//   id = base64url( startedAt ms, 6 bytes BE | 16 random bytes ) + base64url( HMAC-SHA256(key, those 22 bytes | repository)[0..16] )
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

const TIME_BYTES = 6
const RANDOM_BYTES = 16
const PAYLOAD_BYTES = TIME_BYTES + RANDOM_BYTES
const MAC_BYTES = 16
const PAYLOAD_CHARS = Math.ceil((PAYLOAD_BYTES * 4) / 3)
const ID_CHARS = PAYLOAD_CHARS + Math.ceil((MAC_BYTES * 4) / 3)
const ID_RE = new RegExp(`^[A-Za-z0-9_-]{${ID_CHARS}}$`)
export const MIN_UPLOAD_ID_KEY_BYTES = 32

export class UploadIds {
  private readonly key: Buffer

  constructor(key: Uint8Array) {
    if (key.length < MIN_UPLOAD_ID_KEY_BYTES) throw new RangeError(`the upload id key needs at least ${MIN_UPLOAD_ID_KEY_BYTES} bytes`)
    this.key = Buffer.from(key)
  }

  /** A new session id for `repository`, started at `startedAt`. */
  mint(repository: string, startedAt: Date): string {
    const payload = Buffer.allocUnsafe(PAYLOAD_BYTES)
    payload.writeUIntBE(startedAt.getTime(), 0, TIME_BYTES)
    randomBytes(RANDOM_BYTES).copy(payload, TIME_BYTES)
    return payload.toString('base64url') + this.mac(payload, repository).toString('base64url')
  }

  /** When the session started, if `id` is one this key minted for `repository`; null otherwise. */
  verify(repository: string, id: string): Date | null {
    if (!ID_RE.test(id)) return null
    const payload = Buffer.from(id.slice(0, PAYLOAD_CHARS), 'base64url')
    const mac = Buffer.from(id.slice(PAYLOAD_CHARS), 'base64url')
    // Only the canonical spelling: an id names one session row, so no two strings may decode alike.
    if (payload.toString('base64url') + mac.toString('base64url') !== id) return null
    if (!timingSafeEqual(mac, this.mac(payload, repository))) return null
    return new Date(payload.readUIntBE(0, TIME_BYTES))
  }

  private mac(payload: Buffer, repository: string): Buffer {
    return createHmac('sha256', this.key).update(payload).update(repository, 'utf8').digest().subarray(0, MAC_BYTES)
  }
}
