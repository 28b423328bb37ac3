// Browser-facing security headers: pages cannot be framed, nothing is sniffed, a CSP and a
// Referrer-Policy are sent; /api and /v2 responses are not sniffed either.
import { describe, expect, it } from 'vitest'
import { registryUnderTest } from '../support/context'

const reg = registryUnderTest()
const ours = reg.flavour === 'ours'

describe.runIf(ours)('security headers', () => {
  it.each(['/', '/login', '/signup', '/api-reference'])('page %s: no framing, nosniff, CSP, Referrer-Policy', async (path) => {
    const res = await fetch(reg.url + path)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin')
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("object-src 'none'")
    expect(csp).not.toContain('unsafe-eval')
    await res.arrayBuffer()
  })

  it.each(['/api/v1/users/me', '/v2/', '/v2/nosuch/repo/manifests/latest'])('%s: nosniff', async (path) => {
    const res = await fetch(reg.url + path)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    await res.arrayBuffer()
  })
})
