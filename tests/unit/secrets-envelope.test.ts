import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../lib/config'
import { envelopeKeyId, SecretBox, SecretEnvelopeError } from '../../lib/secrets/envelope'
import { loadSecretKey, SECRET_KEY_FILE_NAME } from '../../lib/secrets/key'

const KEY = 'k'.repeat(32)
const OTHER_KEY = 'o'.repeat(32)

function failure(run: () => unknown): SecretEnvelopeError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(SecretEnvelopeError)
    return error as SecretEnvelopeError
  }
  throw new Error('opened an envelope that should not open')
}

describe('SecretBox', () => {
  const box = new SecretBox(KEY)

  it('round-trips text (unicode and empty included) and never stores it in clear', () => {
    for (const plaintext of ['hunter2-long-password', 'Bearer eyJhbGciOi…', 'ünïcödé ✓', '']) {
      const envelope = box.seal(plaintext, 'webhook.secret')
      expect(envelope).toMatch(/^v1:[0-9a-f]{12}:[A-Za-z0-9_-]+$/)
      if (plaintext) expect(envelope).not.toContain(plaintext)
      expect(box.open(envelope, 'webhook.secret')).toBe(plaintext)
    }
  })

  it('seals the same text differently every time (random IV)', () => {
    expect(box.seal('same', 'c')).not.toBe(box.seal('same', 'c'))
  })

  it('names the key in the envelope; the same key material gives the same id, another key another', () => {
    const envelope = box.seal('x', 'c')
    expect(envelopeKeyId(envelope)).toBe(box.keyId)
    expect(new SecretBox(KEY).keyId).toBe(box.keyId)
    expect(new SecretBox(OTHER_KEY).keyId).not.toBe(box.keyId)
    expect(envelopeKeyId('a plaintext secret')).toBeUndefined()
  })

  it('a wrong key is a typed error that says so', () => {
    const envelope = box.seal('secret', 'c')
    const error = failure(() => new SecretBox(OTHER_KEY).open(envelope, 'c'))
    expect(error.reason).toBe('wrong_key')
    expect(error.message).toMatch(/another key.*SECRET_KEY/)
    expect(error.message).not.toContain('secret:')
  })

  it('a tampered ciphertext, IV or tag does not open', () => {
    const envelope = box.seal('a secret worth tampering with', 'c')
    const [version, keyId, body] = envelope.split(':')
    const bytes = Buffer.from(body, 'base64url')
    for (const at of [0, 12, bytes.length - 1]) {
      const altered = Buffer.from(bytes)
      altered[at] ^= 0x01
      expect(failure(() => box.open(`${version}:${keyId}:${altered.toString('base64url')}`, 'c')).reason).toBe('corrupt')
    }
  })

  it('an envelope sealed for one place does not open in another (context is authenticated)', () => {
    const envelope = box.seal('token', 'registry.token')
    expect(failure(() => box.open(envelope, 'registry.password')).reason).toBe('corrupt')
  })

  it('an unknown version, a malformed or truncated envelope are typed errors', () => {
    const envelope = box.seal('x', 'c')
    expect(failure(() => box.open(envelope.replace(/^v1:/, 'v2:'), 'c')).reason).toBe('unsupported_version')
    expect(failure(() => box.open('plain text', 'c')).reason).toBe('malformed')
    expect(failure(() => box.open(`v1:${box.keyId}:AAAA`, 'c')).reason).toBe('malformed')
    expect(failure(() => box.open(`v1:${box.keyId}:${'A'.repeat(40)}!`, 'c')).reason).toBe('malformed')
  })

  it('refuses key material shorter than 32 characters', () => {
    expect(() => new SecretBox('short')).toThrow(/at least 32 characters/)
  })
})

describe('loadSecretKey', () => {
  const dirs: string[] = []
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'secret-key-'))
    dirs.push(dir)
    return join(dir, 'data')
  }
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  it('generates DATA_DIR/secret-key (0600) at first start and reuses it', () => {
    const dir = dataDir()
    const first = loadSecretKey({ dataDir: dir })
    expect(first.source).toBe('generated')
    const file = join(dir, SECRET_KEY_FILE_NAME)
    expect(first.file).toBe(file)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const envelope = first.box.seal('kept across restarts', 'c')
    const again = loadSecretKey({ dataDir: dir })
    expect(again.source).toBe('file')
    expect(again.box.open(envelope, 'c')).toBe('kept across restarts')
  })

  it('SECRET_KEY (for replicas) wins and writes nothing', () => {
    const dir = dataDir()
    const loaded = loadSecretKey(loadConfig({ DATA_DIR: dir, SECRET_KEY: KEY }))
    expect(loaded.source).toBe('env')
    expect(loaded.box.keyId).toBe(new SecretBox(KEY).keyId)
    expect(() => statSync(join(dir, SECRET_KEY_FILE_NAME))).toThrow()
  })

  it('SECRET_KEY_FILE is read; a missing or short file is a ConfigError naming the variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secret-key-file-'))
    dirs.push(dir)
    const file = join(dir, 'key')
    writeFileSync(file, `${KEY}\n`)
    expect(loadSecretKey(loadConfig({ DATA_DIR: dir, SECRET_KEY_FILE: file })).box.keyId).toBe(new SecretBox(KEY).keyId)
    expect(() => loadSecretKey(loadConfig({ DATA_DIR: dir, SECRET_KEY_FILE: join(dir, 'missing') }))).toThrow(/SECRET_KEY_FILE: cannot read .*ENOENT/)
    writeFileSync(file, 'short')
    expect(() => loadSecretKey(loadConfig({ DATA_DIR: dir, SECRET_KEY_FILE: file }))).toThrow(ConfigError)
  })

  it('the configuration refuses a short SECRET_KEY and both variables at once', () => {
    expect(() => loadConfig({ SECRET_KEY: 'short' })).toThrow(/SECRET_KEY: must be at least 32 characters/)
    expect(() => loadConfig({ SECRET_KEY: KEY, SECRET_KEY_FILE: '/tmp/x' })).toThrow(/not both/)
  })
})
