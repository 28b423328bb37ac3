// The shared glob matcher: the documented semantics against the regular-expression translation it
// replaced (on many generated cases), and linear work on patterns that make a backtracking
// regular expression take exponential time.
import { describe, expect, it } from 'vitest'
import { compileGlob, MAX_PATTERN_LENGTH, PatternError } from '../../lib/patterns/glob'

/** The former translation of a glob to a backtracking RegExp: the reference semantics. */
function referenceRegExp(pattern: string): RegExp {
  let source = ''
  let inBraces = false
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        source += '.*'
        i++
      } else source += '[^/]*'
    } else if (c === '?') source += '[^/]'
    else if (c === '{') {
      inBraces = true
      source += '(?:'
    } else if (c === '}') {
      inBraces = false
      source += ')'
    } else if (c === ',' && inBraces) source += '|'
    else source += c.replace(/[.+^$()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

/** A small deterministic generator (mulberry32), so a failure names a reproducible case. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)]

const TEXT_CHARS = ['a', 'b', '/', '.', '-', ',', '+']
const PATTERN_PIECES = ['a', 'b', '/', '.', '-', ',', '+', '*', '**', '?']

function generatePattern(next: () => number): string {
  let pattern = ''
  const length = 1 + Math.floor(next() * 8)
  let braced = false
  for (let i = 0; i < length; i++) {
    if (!braced && next() < 0.12) {
      const alternatives = Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
        Array.from({ length: Math.floor(next() * 3) }, () =>
          pick(
            next,
            PATTERN_PIECES.filter((p) => p !== ','),
          ),
        ).join(''),
      )
      pattern += `{${alternatives.join(',')}}`
      braced = next() < 0.5
    } else pattern += pick(next, PATTERN_PIECES)
  }
  return pattern
}

function generateText(next: () => number): string {
  return Array.from({ length: Math.floor(next() * 10) }, () => pick(next, TEXT_CHARS)).join('')
}

describe('compileGlob', () => {
  it('agrees with the former regular-expression semantics on 200 000 generated cases', () => {
    const next = random(20261203)
    let matched = 0
    for (let p = 0; p < 4000; p++) {
      const pattern = generatePattern(next)
      const matcher = compileGlob(pattern)
      const reference = referenceRegExp(pattern)
      for (let t = 0; t < 50; t++) {
        // Half the texts are built from the pattern itself so that matches are common, not rare.
        const text = t % 2 === 0 ? generateText(next) : pattern.replace(/[{}*?]/g, () => pick(next, ['', 'a', 'ab', '/', ','])).slice(0, 12)
        const expected = reference.test(text)
        if (matcher.matches(text) !== expected) expect.fail(`pattern ${JSON.stringify(pattern)} against ${JSON.stringify(text)}: expected ${expected}`)
        if (expected) matched++
      }
    }
    expect(matched).toBeGreaterThan(20_000)
  })

  it('keeps the documented semantics on the edge cases', () => {
    const cases: [string, string, boolean][] = [
      ['***', 'a/b', true], // `**` then `*`
      ['{}', '', true],
      ['x{,y}', 'x', true],
      ['x{,y}', 'xy', true],
      ['{a*,b?}/c', 'ab/c', true],
      ['{a*,b?}/c', 'a/x/c', false],
      ['a,b', 'a,b', true],
      ['?', '/', false],
      ['**', '', true],
      ['[a]', '[a]', true],
      ['^a$', '^a$', true],
      ['a\\b', 'a\\b', true],
    ]
    for (const [pattern, text, expected] of cases) expect([pattern, text, compileGlob(pattern).matches(text)]).toEqual([pattern, text, expected])
  })

  it('does linear work on patterns that make a backtracking regular expression explode', () => {
    const text = 'a'.repeat(128)
    for (const pattern of ['*a*a*a*a*a*a*a*a*a*a*b', '**a**a**a**a**a**a**a**a**b', '{*a,a*}{*a,a*}{*a,a*}{*a,a*}{*a,a*}b', `${'*a'.repeat(60)}b`]) {
      const matcher = compileGlob(pattern)
      const started = performance.now()
      expect(matcher.matches(text)).toBe(false)
      const elapsed = performance.now() - started
      // Each text character touches each automaton state a bounded number of times.
      expect(matcher.lastSteps).toBeLessThanOrEqual((text.length + 1) * 4 * pattern.length)
      expect(elapsed).toBeLessThan(1000) // generous: the work above is a few hundred thousand steps
    }
  })

  it('the worst case a policy can store stays cheap on the longest names', () => {
    const pattern = '*a'.repeat(MAX_PATTERN_LENGTH / 2 - 1) + 'b'
    expect(pattern.length).toBeLessThanOrEqual(MAX_PATTERN_LENGTH)
    const matcher = compileGlob(pattern)
    expect(matcher.matches('a'.repeat(255))).toBe(false)
    expect(matcher.lastSteps).toBeLessThan(256 * 4 * MAX_PATTERN_LENGTH)
  })

  it('refuses malformed patterns with a reason', () => {
    expect(() => compileGlob('')).toThrow(PatternError)
    expect(() => compileGlob('{a,{b}}')).toThrow(/nested/)
    expect(() => compileGlob('{a,b')).toThrow(/unbalanced/)
    expect(() => compileGlob('a}')).toThrow(/unbalanced/)
    expect(() => compileGlob('x'.repeat(MAX_PATTERN_LENGTH + 1))).toThrow(/at most 256/)
  })
})
