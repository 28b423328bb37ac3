// Retention rule evaluation: each of Harbor's templates, the patterns, untagged artifacts, and the
// one documented rule for shared digests, index children and referrers (lib/retention/evaluate.ts).
import { describe, expect, it } from 'vitest'
import { evaluateRepository, type RetentionArtifact } from '../../../lib/retention/evaluate'
import type { RetentionRule } from '../../../lib/retention/schema'

const NOW = new Date('2026-12-01T12:00:00Z')
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 24 * 3600 * 1000)

function artifact(digest: string, tags: string[], pushedDaysAgo: number, extra: Partial<RetentionArtifact> = {}): RetentionArtifact {
  return { digest, tags, pushedAt: daysAgo(pushedDaysAgo), lastPulledAt: null, children: [], subject: null, ...extra }
}

function rule(template: RetentionRule['template'], n: number | null, extra: Partial<RetentionRule> = {}): RetentionRule {
  return { template, n, repositories: '**', tags: '**', untagged: false, disabled: false, ...extra }
}

const kept = (result: ReturnType<typeof evaluateRepository>) => result!.retained.map((r) => r.digest).sort()
const gone = (result: ReturnType<typeof evaluateRepository>) => result!.deleted.map((r) => r.digest)

describe('retention templates', () => {
  const artifacts = [
    artifact('a', ['v1'], 10, { lastPulledAt: daysAgo(1) }),
    artifact('b', ['v2'], 5, { lastPulledAt: daysAgo(8) }),
    artifact('c', ['v3'], 3),
    artifact('d', ['v4'], 1, { lastPulledAt: daysAgo(3) }),
  ]

  it('latestPushedK keeps the K most recently pushed', () => {
    const result = evaluateRepository('p/app', artifacts, [rule('latestPushedK', 2)], [], NOW)
    expect(kept(result)).toEqual(['c', 'd'])
    expect(gone(result)).toEqual(['a', 'b'])
    expect(result!.retained[0].reason).toBe('rule 1 (the 2 most recently pushed; repositories "**", tags "**") via tag v3')
  })

  it('latestPulledN keeps the N most recently pulled, never-pulled last', () => {
    expect(kept(evaluateRepository('p/app', artifacts, [rule('latestPulledN', 2)], [], NOW))).toEqual(['a', 'd'])
    expect(kept(evaluateRepository('p/app', artifacts, [rule('latestPulledN', 4)], [], NOW))).toEqual(['a', 'b', 'c', 'd'])
  })

  it('nDaysSinceLastPush keeps what was pushed within N days', () => {
    expect(kept(evaluateRepository('p/app', artifacts, [rule('nDaysSinceLastPush', 4)], [], NOW))).toEqual(['c', 'd'])
  })

  it('nDaysSinceLastPull keeps what was pulled within N days (never pulled: not kept)', () => {
    expect(kept(evaluateRepository('p/app', artifacts, [rule('nDaysSinceLastPull', 7)], [], NOW))).toEqual(['a', 'd'])
  })

  it('always keeps everything selected; rules add up (union), the first naming the reason', () => {
    expect(gone(evaluateRepository('p/app', artifacts, [rule('always', null)], [], NOW))).toEqual([])
    const result = evaluateRepository('p/app', artifacts, [rule('latestPushedK', 1), rule('always', null, { tags: 'v1' })], [], NOW)
    expect(kept(result)).toEqual(['a', 'd'])
    expect(result!.retained.find((r) => r.digest === 'a')!.reason).toMatch(/^rule 2 \(always; .*\) via tag v1$/)
  })

  it('disabled rules retain nothing', () => {
    expect(evaluateRepository('p/app', artifacts, [rule('always', null, { disabled: true })], [], NOW)).toBeNull()
  })
})

describe('retention patterns and untagged artifacts', () => {
  it('selects by tag pattern: artifacts whose tags match no rule go', () => {
    const artifacts = [artifact('a', ['release-1'], 1), artifact('b', ['dev-1'], 1), artifact('c', ['release-2', 'x'], 2)]
    const result = evaluateRepository('p/app', artifacts, [rule('always', null, { tags: 'release-*' })], [], NOW)
    expect(kept(result)).toEqual(['a', 'c'])
    expect(gone(result)).toEqual(['b'])
  })

  it('leaves a repository no rule pattern matches untouched, matching names inside the project', () => {
    const artifacts = [artifact('a', ['v1'], 1)]
    expect(evaluateRepository('p/team/app', artifacts, [rule('latestPushedK', 0, { repositories: 'other/*' })], [], NOW)).toBeNull()
    expect(gone(evaluateRepository('p/team/app', artifacts, [rule('latestPushedK', 0, { repositories: 'team/*' })], [], NOW))).toEqual(['a'])
    // the project part is not part of the name matched
    expect(evaluateRepository('p/team/app', artifacts, [rule('latestPushedK', 0, { repositories: 'p/**' })], [], NOW)).toBeNull()
  })

  it('deletes untagged artifacts unless a rule includes them (Harbor: "untagged artifacts" box)', () => {
    const artifacts = [artifact('a', ['v1'], 1), artifact('u', [], 1)]
    expect(gone(evaluateRepository('p/app', artifacts, [rule('always', null)], [], NOW))).toEqual(['u'])
    const result = evaluateRepository('p/app', artifacts, [rule('always', null, { tags: 'none', untagged: true })], [], NOW)
    expect(kept(result)).toEqual(['u'])
    expect(result!.retained[0].reason).toBe('rule 1 (always; repositories "**", tags "none", untagged included)')
  })
})

describe("the documented rule for Harbor's reported surprises", () => {
  it('a shared digest: the tag a rule keeps keeps the other tags of the same artifact alive', () => {
    const artifacts = [artifact('shared', ['latest', 'v1'], 5), artifact('old', ['v0'], 9)]
    const result = evaluateRepository('p/app', artifacts, [rule('always', null, { tags: 'latest' })], [], NOW)
    expect(result!.retained).toEqual([{ digest: 'shared', tags: ['latest', 'v1'], reason: expect.stringMatching(/via tag latest$/) }])
    expect(gone(result)).toEqual(['old'])
  })

  it('untagged children of a kept index are never deleted, even when untagged artifacts are not retained', () => {
    const artifacts = [artifact('idx', ['v1'], 1, { children: ['amd64', 'arm64'] }), artifact('amd64', [], 1), artifact('arm64', [], 1), artifact('stray', [], 1)]
    const result = evaluateRepository('p/app', artifacts, [rule('latestPushedK', 1)], [], NOW)
    expect(kept(result)).toEqual(['amd64', 'arm64', 'idx'])
    expect(result!.retained.find((r) => r.digest === 'amd64')!.reason).toBe('referenced by kept index idx')
    expect(gone(result)).toEqual(['stray'])
  })

  it('the children of a deleted index go with it, after it; a tagged child a kept index needs stays', () => {
    const artifacts = [
      artifact('old-idx', ['v0'], 9, { children: ['c0', 'shared-child'] }),
      artifact('c0', [], 9),
      artifact('new-idx', ['v1'], 1, { children: ['shared-child', 'tagged-child'] }),
      artifact('shared-child', [], 9),
      artifact('tagged-child', ['amd64-only'], 9),
    ]
    const result = evaluateRepository('p/app', artifacts, [rule('latestPushedK', 1, { tags: 'v*' })], [], NOW)
    expect(kept(result)).toEqual(['new-idx', 'shared-child', 'tagged-child'])
    expect(gone(result)).toEqual(['old-idx', 'c0'])
  })

  it('referrers (signatures, SBOMs) follow their subject', () => {
    const artifacts = [artifact('img', ['v1'], 1), artifact('sig', [], 1, { subject: 'img' }), artifact('old', ['v0'], 9), artifact('old-sig', [], 9, { subject: 'old' })]
    const result = evaluateRepository('p/app', artifacts, [rule('latestPushedK', 1)], [], NOW)
    expect(kept(result)).toEqual(['img', 'sig'])
    expect(gone(result)).toEqual(['old', 'old-sig'])
  })

  it('never deletes an artifact with an immutable tag, and says why it stays', () => {
    const artifacts = [artifact('a', ['v1'], 9), artifact('b', ['dev'], 9)]
    const result = evaluateRepository('p/app', artifacts, [rule('latestPushedK', 0)], [{ id: 4, repositories: '**', tags: 'v*' }], NOW)
    expect(result!.retained).toEqual([{ digest: 'a', tags: ['v1'], reason: 'tag v1 is immutable (rule 4: repositories "**", tags "v*")' }])
    expect(gone(result)).toEqual(['b'])
  })
})
