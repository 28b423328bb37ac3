// The browser session's signing key (next-auth's NEXTAUTH_SECRET) and its base URL (NEXTAUTH_URL).
// Called from server.ts before Next starts, so `npm start` works with zero configuration: without
// NEXTAUTH_SECRET a random secret is generated at first start and kept in DATA_DIR/session-secret
// (mode 0600), which keeps sessions valid across restarts. Replicas that do not share DATA_DIR must
// all be given the same NEXTAUTH_SECRET.
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError } from '../config'

export const SESSION_SECRET_FILE = 'session-secret'
const MIN_SECRET_LENGTH = 32

export interface SessionEnvironment {
  /** Where the secret came from. */
  secretSource: 'env' | 'file' | 'generated'
  /** The file holding the secret, when it came from DATA_DIR. */
  secretFile?: string
  /** NEXTAUTH_URL as it is now set, if set. */
  url?: string
}

/**
 * Sets `env.NEXTAUTH_SECRET` (from the environment, the secret file, or a new random one) and
 * defaults `env.NEXTAUTH_URL` to PUBLIC_URL. Throws ConfigError naming the variable for bad values.
 */
export function prepareSessionEnvironment(options: { dataDir: string; publicUrl?: string }, env: Record<string, string | undefined> = process.env): SessionEnvironment {
  const problems: string[] = []
  const configuredSecret = env.NEXTAUTH_SECRET?.trim()
  if (configuredSecret && configuredSecret.length < MIN_SECRET_LENGTH) {
    problems.push(`NEXTAUTH_SECRET: must be at least ${MIN_SECRET_LENGTH} characters (try: openssl rand -base64 32)`)
  }
  const configuredUrl = env.NEXTAUTH_URL?.trim()
  if (configuredUrl) {
    let valid: boolean
    try {
      const url = new URL(configuredUrl)
      valid = (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash
    } catch {
      valid = false
    }
    if (!valid) problems.push('NEXTAUTH_URL: must be the http(s) origin browsers use, such as https://registry.example.com')
  }
  if (problems.length > 0) throw new ConfigError(problems)

  if (configuredUrl) env.NEXTAUTH_URL = configuredUrl
  else if (options.publicUrl) env.NEXTAUTH_URL = options.publicUrl
  else delete env.NEXTAUTH_URL
  const url = env.NEXTAUTH_URL

  if (configuredSecret) {
    env.NEXTAUTH_SECRET = configuredSecret
    return { secretSource: 'env', url }
  }
  const { secret, file, generated } = readOrCreateSecret(options.dataDir)
  env.NEXTAUTH_SECRET = secret
  return { secretSource: generated ? 'generated' : 'file', secretFile: file, url }
}

/** Reads DATA_DIR/<fileName> (default: session-secret), creating it (0600, exclusively) when missing or empty. */
export function readOrCreateSecret(dataDir: string, fileName = SESSION_SECRET_FILE): { secret: string; file: string; generated: boolean } {
  mkdirSync(dataDir, { recursive: true })
  const file = join(dataDir, fileName)
  const existing = readSecret(file)
  if (existing) return { secret: existing, file, generated: false }
  const secret = randomBytes(32).toString('base64url')
  try {
    // `wx`: when two processes start on one DATA_DIR at once, exactly one secret wins.
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: existing === '' ? 'w' : 'wx' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    const winner = readSecret(file)
    if (winner) return { secret: winner, file, generated: false }
    throw error
  }
  return { secret, file, generated: true }
}

/** The file's secret; '' when the file is empty; undefined when it does not exist. */
function readSecret(file: string): string | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  // Someone loosened the permissions (or restored a backup): a readable signing key lets anyone forge sessions.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600)
  return text.trim()
}
