import { describe, expect, it } from 'vitest'
import { checkTargetResolves, checkTargetUrl, type OutboundPurpose } from '../../lib/net/outbound-guard'

// The address rules themselves are covered through the webhook sender (webhooks-outbound.test.ts);
// here: the guard speaks for whichever caller uses it.
const upstream: OutboundPurpose = { setting: 'UPSTREAM_ALLOWED_NETWORKS', target: 'an upstream registry', credentialsAdvice: "use the endpoint's credentials" }

describe('outbound guard reasons name the caller and its setting', () => {
  it('names the setting that would allow a private address', () => {
    expect(checkTargetUrl('http://127.0.0.1:5000/', { allowedNetworks: [] }, upstream)).toEqual({
      ok: false,
      reason: '127.0.0.1 is a loopback address (127.0.0.0/8); allow it with UPSTREAM_ALLOWED_NETWORKS',
    })
    expect(checkTargetUrl('http://169.254.169.254/', { allowedNetworks: ['169.254.0.0/16'] }, upstream)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('only an entry for exactly this address in UPSTREAM_ALLOWED_NETWORKS allows it'),
    })
  })

  it('says where credentials go and what must resolve', async () => {
    expect(checkTargetUrl('https://u:p@registry.example.com/', { allowedNetworks: [] }, upstream)).toEqual({
      ok: false,
      reason: "credentials in the URL are not allowed; use the endpoint's credentials",
    })
    const check = await checkTargetResolves('https://registry.does-not-exist.invalid/', { allowedNetworks: [] }, upstream)
    expect(!check.ok && check.reason).toMatch(/does not resolve \([A-Z_]+\); an upstream registry must resolve when it is saved$/)
  })
})
