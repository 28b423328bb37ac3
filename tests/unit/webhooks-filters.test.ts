// Webhook policy filters (globs) and the retry schedule.
import { describe, expect, it } from 'vitest'
import { compileGlob, PatternError } from '../../lib/patterns/glob'
import { passesFilters } from '../../lib/webhooks/filters'
import { outcome, retryDelayMs } from '../../lib/webhooks/deliveries'

describe('compileGlob', () => {
  it.each([
    ['team/*', 'team/app', true],
    ['team/*', 'team/app/sub', false],
    ['team/**', 'team/app/sub', true],
    ['*/app', 'team/app', true],
    ['team/app-?', 'team/app-1', true],
    ['team/app-?', 'team/app-10', false],
    ['v{1,2}.*', 'v2.0', true],
    ['v{1,2}.*', 'v3.0', false],
    ['release.1', 'releasex1', false], // '.' is literal
    ['a+b', 'a+b', true],
    ['a+b', 'aab', false],
  ])('%s against %s -> %s', (pattern, value, expected) => {
    expect(compileGlob(pattern).matches(value)).toBe(expected)
  })

  it('refuses malformed patterns with a reason', () => {
    expect(() => compileGlob('')).toThrow(PatternError)
    expect(() => compileGlob('{a,{b}}')).toThrow(/nested/)
    expect(() => compileGlob('{a,b')).toThrow(/unbalanced/)
    expect(() => compileGlob('a}')).toThrow(/unbalanced/)
    expect(() => compileGlob('x'.repeat(300))).toThrow(/at most/)
  })
})

describe('passesFilters', () => {
  const filters = (repository: string | null, tag: string | null) => ({
    repository: repository ? compileGlob(repository) : null,
    tag: tag ? compileGlob(tag) : null,
  })
  it('passes everything without filters', () => {
    expect(passesFilters({ repository: 'p/a', tags: [] }, filters(null, null))).toBe(true)
  })
  it('needs a matching tag when a tag filter is set (a push by digest has none)', () => {
    expect(passesFilters({ repository: 'p/a', tags: [] }, filters(null, 'v*'))).toBe(false)
    expect(passesFilters({ repository: 'p/a', tags: ['latest', 'v1'] }, filters(null, 'v*'))).toBe(true)
    expect(passesFilters({ repository: 'p/a', tags: ['latest'] }, filters(null, 'v*'))).toBe(false)
  })
  it('matches the repository full name', () => {
    expect(passesFilters({ repository: 'p/app/api', tags: ['v1'] }, filters('p/app/**', 'v*'))).toBe(true)
    expect(passesFilters({ repository: 'p/other', tags: ['v1'] }, filters('p/app/**', 'v*'))).toBe(false)
  })
})

describe('retry schedule', () => {
  const retry = { maxAttempts: 10, retryBaseMs: 10_000, retryMaxMs: 3_600_000 }
  it('doubles from the base with jitter between half and all of the step, up to the cap', () => {
    expect(retryDelayMs(1, retry, () => 0)).toBe(5_000)
    expect(retryDelayMs(1, retry, () => 1)).toBe(10_000)
    expect(retryDelayMs(3, retry, () => 1)).toBe(40_000)
    expect(retryDelayMs(3, retry, () => 0)).toBe(20_000)
    expect(retryDelayMs(20, retry, () => 1)).toBe(3_600_000)
    expect(retryDelayMs(1000, retry, () => 1)).toBe(3_600_000)
  })
  it('spreads retries of simultaneous failures', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(4, retry)))
    expect(delays.size).toBeGreaterThan(40)
    for (const d of delays) expect(d >= 40_000 && d <= 80_000).toBe(true)
  })
  it('treats 2xx as delivered, other answers and network errors as retryable, refusals as final', () => {
    expect(outcome({ kind: 'response', status: 204, headers: {}, bodySnippet: '', latencyMs: 1 })).toMatchObject({ delivered: true, retry: false, statusCode: 204 })
    expect(outcome({ kind: 'response', status: 302, headers: {}, bodySnippet: '', latencyMs: 1 })).toMatchObject({ delivered: false, retry: true, statusCode: 302 })
    expect(outcome({ kind: 'error', error: 'timed out after 10000 ms', latencyMs: 1 })).toMatchObject({ delivered: false, retry: true, error: 'timed out after 10000 ms' })
    expect(outcome({ kind: 'refused', reason: 'loopback', latencyMs: 0 })).toMatchObject({ delivered: false, retry: false, error: 'loopback' })
  })
})
