// What the login page says for an error code. The code arrives in `?error=` (anyone can craft that
// link) or from signIn(); only the app's own texts are ever shown, never the code itself.

/** Thrown by the credentials provider when the database cannot be asked; next-auth passes it on as the code. */
export const SIGN_IN_UNAVAILABLE = 'Sign-in is unavailable right now. Try again later.'

const INVALID = 'Invalid username or password.'
const GENERIC = 'Sign-in failed. Reload the page and try again.'

const MESSAGES: Readonly<Record<string, string>> = {
  CredentialsSignin: INVALID,
  SessionRequired: 'Please log in to see this page.',
  [SIGN_IN_UNAVAILABLE]: SIGN_IN_UNAVAILABLE,
}

/** The message for a login error code: the app's own text for known codes, a generic one otherwise. */
export function loginErrorMessage(code: string | null | undefined): string {
  if (!code) return INVALID
  return Object.hasOwn(MESSAGES, code) ? MESSAGES[code] : GENERIC
}
