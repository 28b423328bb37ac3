// The field for choosing a password (sign-up, password change, a new user): the
// server's policy stated once, and the hints that make password managers offer to generate one.
import type { InputHTMLAttributes } from 'react'
import { TextField } from './ui'

/** lib/auth/password-policy.ts's PASSWORD_MIN_LENGTH (that module is server-only: it holds the common-password list). */
const MIN_LENGTH = 12
const POLICY = `At least ${MIN_LENGTH} characters, not a common password`

/** `also` adds to the policy's hint what else this form checks (", not your username"). */
export function NewPasswordField({ also = '', ...props }: InputHTMLAttributes<HTMLInputElement> & { label: string; also?: string }) {
  return <TextField type="password" autoComplete="new-password" minLength={MIN_LENGTH} hint={`${POLICY}${also}.`} {...props} />
}

/** The second entry of a new password, checked against the first by the form. */
export function ConfirmPasswordField(props: InputHTMLAttributes<HTMLInputElement> & { label: string }) {
  return <TextField type="password" autoComplete="new-password" minLength={MIN_LENGTH} required {...props} />
}
