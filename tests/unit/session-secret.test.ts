import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../../lib/config'
import { prepareSessionEnvironment, SESSION_SECRET_FILE } from '../../lib/auth/session-secret'

const dirs: string[] = []
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'session-secret-'))
  dirs.push(dir)
  return join(dir, 'data') // does not exist yet
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('prepareSessionEnvironment', () => {
  it('generates a secret at first start, stores it 0600 under DATA_DIR and reuses it', () => {
    const dir = dataDir()
    const env: Record<string, string | undefined> = {}
    const first = prepareSessionEnvironment({ dataDir: dir }, env)
    expect(first.secretSource).toBe('generated')
    expect(env.NEXTAUTH_SECRET).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const file = join(dir, SESSION_SECRET_FILE)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8').trim()).toBe(env.NEXTAUTH_SECRET)

    const again: Record<string, string | undefined> = {}
    expect(prepareSessionEnvironment({ dataDir: dir }, again).secretSource).toBe('file')
    expect(again.NEXTAUTH_SECRET).toBe(env.NEXTAUTH_SECRET)
  })

  it('prefers NEXTAUTH_SECRET and writes no file', () => {
    const dir = dataDir()
    const env: Record<string, string | undefined> = { NEXTAUTH_SECRET: 'x'.repeat(40) }
    expect(prepareSessionEnvironment({ dataDir: dir }, env)).toMatchObject({ secretSource: 'env' })
    expect(env.NEXTAUTH_SECRET).toBe('x'.repeat(40))
    expect(() => statSync(join(dir, SESSION_SECRET_FILE))).toThrow()
  })

  it('tightens a secret file that others can read, and replaces an empty one', () => {
    const dir = dataDir()
    prepareSessionEnvironment({ dataDir: dir }, {})
    const file = join(dir, SESSION_SECRET_FILE)
    chmodSync(file, 0o644)
    prepareSessionEnvironment({ dataDir: dir }, {})
    expect(statSync(file).mode & 0o777).toBe(0o600)
    writeFileSync(file, '\n')
    const env: Record<string, string | undefined> = {}
    expect(prepareSessionEnvironment({ dataDir: dir }, env).secretSource).toBe('generated')
    expect(env.NEXTAUTH_SECRET).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('defaults NEXTAUTH_URL to PUBLIC_URL and keeps an explicit one', () => {
    const env: Record<string, string | undefined> = {}
    prepareSessionEnvironment({ dataDir: dataDir(), publicUrl: 'https://registry.example.com' }, env)
    expect(env.NEXTAUTH_URL).toBe('https://registry.example.com')
    const explicit: Record<string, string | undefined> = { NEXTAUTH_URL: 'https://web.example.com' }
    prepareSessionEnvironment({ dataDir: dataDir(), publicUrl: 'https://registry.example.com' }, explicit)
    expect(explicit.NEXTAUTH_URL).toBe('https://web.example.com')
  })

  it('rejects a short secret and a bad URL, naming the variables', () => {
    try {
      prepareSessionEnvironment({ dataDir: dataDir() }, { NEXTAUTH_SECRET: 'short', NEXTAUTH_URL: 'ftp://x' })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^NEXTAUTH_SECRET: /), expect.stringMatching(/^NEXTAUTH_URL: /)])
    }
  })
})
