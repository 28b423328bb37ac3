// Password hashing: argon2id with the library's defaults (memory-hard, tuned for interactive logins).
import { hash, verify } from '@node-rs/argon2'
import { randomBytes } from 'node:crypto'

export function hashPassword(password: string): Promise<string> {
  return hash(password)
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

/** A random password that is easy to copy from a log line: 24 URL-safe characters (144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url')
}
