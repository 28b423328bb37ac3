// The password policy, for every way a password is set: signup, a password change, an
// administrator's reset, and ADMIN_PASSWORD at start.
//   - 12 to 256 characters;
//   - not one of the 10,000 most common passwords (lib/auth/common-passwords.json: the top 10,000 of
//     the `passwords` frequency list shipped in the zxcvbn npm package 4.4.2, MIT, lower-cased), also
//     not once trailing digits and symbols are taken off (`password1234!` is `password`);
//   - not the username;
//   - on a change, not the current password (checked by the caller, which has the hash).
import { z } from 'zod'
import commonPasswords from './common-passwords.json'

export const PASSWORD_MIN_LENGTH = 12
export const PASSWORD_MAX_LENGTH = 256

const COMMON: ReadonlySet<string> = new Set(commonPasswords as string[])

/** Length and the common-password list; the username rule needs the username (passwordProblem). */
export const passwordSchema = z
  .string({ error: 'password must be a string' })
  .min(PASSWORD_MIN_LENGTH, `password must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `password must be at most ${PASSWORD_MAX_LENGTH} characters`)
  .refine((password) => !isCommonPassword(password), 'password is too common: choose one that is not on lists of common passwords')

function stem(password: string): string {
  return password.toLowerCase().replace(/[\d\W_]+$/u, '')
}

/** True for a common password, or a common one with digits and symbols appended. */
export function isCommonPassword(password: string): boolean {
  return COMMON.has(password.toLowerCase()) || COMMON.has(stem(password))
}

/** The whole policy for `username`: null when the password is acceptable, else the reason. */
export function passwordProblem(password: string, username: string): string | null {
  const parsed = passwordSchema.safeParse(password)
  if (!parsed.success) return parsed.error.issues[0]?.message ?? 'password is not acceptable'
  const name = username.toLowerCase()
  const lower = password.toLowerCase()
  // The username itself, or with only digits and symbols appended (usernames may end in digits).
  if (lower.startsWith(name) && /^[\d\W_]*$/u.test(lower.slice(name.length))) return 'password must not be the username'
  return null
}
