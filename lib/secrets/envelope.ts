// The secret envelope: values the server must be able to send again (upstream registry passwords and
// tokens, webhook signing secrets, webhook Authorization headers) are stored encrypted with
// AES-256-GCM under a key of their own, never in clear text.
//
// Format (one printable string, so it fits a text column):
//   v1:<key id>:<base64url(12-byte IV | ciphertext | 16-byte GCM tag)>
// `v1` names the algorithm and layout; the key id (derived from the key, not secret) says which key
// sealed it, so a wrong key is reported as such and a later key rotation can find what to re-seal.
// The header and a context label (which column the value belongs to) are authenticated as AAD: an
// envelope copied into another column, or with its header edited, does not open.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'

const VERSION = 'v1'
const IV_BYTES = 12
const TAG_BYTES = 16
const KEY_ID_BYTES = 6
/** Key material shorter than this is refused (a generated key is 43 characters). */
export const MIN_KEY_MATERIAL_LENGTH = 32

/** What each envelope is for (its context label): an envelope opens only for the column it was sealed for. */
export const SECRET_CONTEXT = {
  webhookSecret: 'webhook.secret',
  webhookAuthHeader: 'webhook.authHeader',
  registryPassword: 'registry.password',
  registryToken: 'registry.token',
} as const

export type SecretEnvelopeFailure = 'malformed' | 'unsupported_version' | 'wrong_key' | 'corrupt'

/** An envelope that cannot be opened; `reason` says why. Never carries the plaintext or the key. */
export class SecretEnvelopeError extends Error {
  constructor(
    readonly reason: SecretEnvelopeFailure,
    message: string,
  ) {
    super(message)
    this.name = 'SecretEnvelopeError'
  }
}

/** Seals and opens envelopes with one key. */
export class SecretBox {
  /** Identifies the key in the envelopes it seals (an HMAC of the key: says nothing about it). */
  readonly keyId: string
  private readonly key: Buffer

  /** `keyMaterial`: the SECRET_KEY value (at least 32 characters); the AES key is derived from it with HKDF-SHA256. */
  constructor(keyMaterial: string) {
    if (keyMaterial.length < MIN_KEY_MATERIAL_LENGTH) throw new RangeError(`the secret key must be at least ${MIN_KEY_MATERIAL_LENGTH} characters`)
    this.key = Buffer.from(hkdfSync('sha256', Buffer.from(keyMaterial, 'utf8'), Buffer.alloc(0), 'harbormaster secret envelope v1', 32))
    this.keyId = createHmac('sha256', this.key).update('key id').digest().subarray(0, KEY_ID_BYTES).toString('hex')
  }

  /** Encrypts `plaintext` for the place named by `context` (e.g. `webhook.secret`). */
  seal(plaintext: string, context: string): string {
    const header = `${VERSION}:${this.keyId}:`
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    cipher.setAAD(aad(header, context))
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return header + Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64url')
  }

  /** Decrypts an envelope sealed for `context`; throws SecretEnvelopeError when it cannot. */
  open(envelope: string, context: string): string {
    const parts = envelope.split(':')
    if (parts.length !== 3) throw new SecretEnvelopeError('malformed', 'the stored secret is not an encrypted envelope')
    const [version, keyId, body] = parts
    if (version !== VERSION) throw new SecretEnvelopeError('unsupported_version', `the stored secret is in an unknown format (${version.slice(0, 16)})`)
    if (keyId !== this.keyId) {
      throw new SecretEnvelopeError('wrong_key', `the stored secret was encrypted with another key (id ${keyId.slice(0, 32)}, this server's is ${this.keyId}): check SECRET_KEY`)
    }
    const bytes = Buffer.from(body, 'base64url')
    if (bytes.length < IV_BYTES + TAG_BYTES || bytes.toString('base64url') !== body) throw new SecretEnvelopeError('malformed', 'the stored secret is truncated or not base64url')
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES))
    decipher.setAAD(aad(`${version}:${keyId}:`, context))
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES))
    try {
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8')
    } catch {
      throw new SecretEnvelopeError('corrupt', 'the stored secret was altered or belongs elsewhere: it does not authenticate')
    }
  }
}

/** The id of the key that sealed `envelope`, or undefined when it is not an envelope. */
export function envelopeKeyId(envelope: string): string | undefined {
  const parts = envelope.split(':')
  return parts.length === 3 && parts[0] === VERSION ? parts[1] : undefined
}

function aad(header: string, context: string): Buffer {
  return Buffer.from(`${header}${context}`, 'utf8')
}
