// The login page's pure helpers: where to go after signing in (never another origin), which error
// text to show for `?error=` (never the code itself), and the password policy.
import { describe, expect, it } from 'vitest'
import { safeRedirect, safeRedirectPath } from '../../../lib/auth/safe-redirect'
import { loginErrorMessage, SIGN_IN_UNAVAILABLE } from '../../../lib/auth/login-errors'
import { isCommonPassword, passwordProblem } from '../../../lib/auth/password-policy'

const origin = 'http://registry.test:5000'

describe('safeRedirect', () => {
  it.each([
    '/\t/evil.example/x',
    '/\n/evil.example/x',
    '/\r/evil.example/x',
    '//evil.example/x',
    '/\\evil.example/x',
    '\\\\evil.example',
    'https://evil.example/x',
    'http://registry.test:5001/x',
    'javascript:alert(1)',
    '/login?callbackUrl=/projects',
    '/signup',
    '',
    null,
  ])('sends %j to the fallback', (target) => {
    expect(safeRedirect(target, origin, '/projects')).toBe(`${origin}/projects`)
    expect(safeRedirectPath(target, origin)).toBe('/projects')
  })

  it('keeps paths on this origin, with query and fragment, and never yields a `//` path', () => {
    expect(safeRedirectPath('/projects/a?tab=tags#x', origin)).toBe('/projects/a?tab=tags#x')
    expect(safeRedirect(`${origin}/admin`, origin, '/')).toBe(`${origin}/admin`)
    expect(safeRedirectPath('/.//evil.example/x', origin)).toBe('/evil.example/x')
    expect(safeRedirectPath('account', origin)).toBe('/account')
  })
})

describe('loginErrorMessage', () => {
  it("shows the app's own text for known codes and a generic one for anything else", () => {
    expect(loginErrorMessage('CredentialsSignin')).toBe('Invalid username or password.')
    expect(loginErrorMessage('SessionRequired')).toMatch(/log in/i)
    expect(loginErrorMessage(SIGN_IN_UNAVAILABLE)).toBe(SIGN_IN_UNAVAILABLE)
    for (const crafted of ['Your account is locked, call +1 555 0100', 'Configuration', 'toString', '__proto__']) {
      expect(loginErrorMessage(crafted)).toBe('Sign-in failed. Reload the page and try again.')
    }
  })
})

describe('password policy', () => {
  it('refuses short, common, username-like and over-long passwords', () => {
    expect(passwordProblem('password', 'alice')).toMatch(/at least 12/)
    expect(passwordProblem('password1234', 'alice')).toMatch(/too common/)
    expect(passwordProblem('qwertyuiop!!', 'alice')).toMatch(/too common/)
    expect(passwordProblem('1q2w3e4r5t6y', 'alice')).toMatch(/too common/)
    expect(passwordProblem('alice.the.admin', 'alice.the.admin')).toMatch(/username/)
    expect(passwordProblem('longusername2024', 'longusername')).toMatch(/username/)
    expect(passwordProblem('policy86yy42024!', 'policy86yy4')).toMatch(/username/)
    expect(passwordProblem('x'.repeat(257), 'alice')).toMatch(/at most 256/)
    expect(isCommonPassword('Dragon123456')).toBe(true)
  })

  it('accepts a long uncommon password', () => {
    expect(passwordProblem('correct horse battery staple', 'alice')).toBeNull()
    expect(passwordProblem('e2e-admin-password', 'admin')).toBeNull()
  })
})
