// Which rule protects a tag: repository patterns match the name inside the project, tag patterns
// the tag; the error every path answers is DENIED "tag <t> is immutable (rule …)".
import { describe, expect, it } from 'vitest'
import { immutableTagError, nameInProject, protectedTag, ruleProtecting } from '../../../lib/immutability/match'

const rules = [
  { id: 7, repositories: 'team/*', tags: 'v*' },
  { id: 3, repositories: '**', tags: '{release,stable}-*' },
]

describe('immutability rule matching', () => {
  it('matches the repository name without its project', () => {
    expect(nameInProject('acme/team/app')).toBe('team/app')
    expect(ruleProtecting(rules, 'acme/team/app', 'v1.0')?.id).toBe(7)
    // `team/*` does not cross a '/', and the project part is never part of the match
    expect(ruleProtecting(rules, 'acme/team/app/sub', 'v1.0')).toBeUndefined()
    expect(ruleProtecting(rules, 'team/app', 'v1.0')).toBeUndefined()
  })

  it('matches tags with the shared glob syntax, the lowest rule id first', () => {
    expect(ruleProtecting(rules, 'acme/any/depth/repo', 'release-1')?.id).toBe(3)
    expect(ruleProtecting(rules, 'acme/team/app', 'stable-2')?.id).toBe(3)
    expect(ruleProtecting(rules, 'acme/team/app', 'latest')).toBeUndefined()
    expect(ruleProtecting([...rules, { id: 1, repositories: '**', tags: '*' }], 'acme/team/app', 'v1')?.id).toBe(1)
  })

  it('finds the first protected tag of an artifact', () => {
    expect(protectedTag(rules, 'acme/team/app', ['latest', 'v2'])).toEqual({ tag: 'v2', rule: rules[0] })
    expect(protectedTag(rules, 'acme/team/app', ['latest', 'dev'])).toBeUndefined()
    expect(protectedTag([], 'acme/team/app', ['v2'])).toBeUndefined()
  })

  it('answers DENIED naming the tag and the rule', () => {
    const error = immutableTagError('acme/team/app', 'v2', rules[0])
    expect(error.code).toBe('DENIED')
    expect(error.status).toBe(403)
    expect(error.message).toBe('tag v2 is immutable (rule 7: repositories "team/*", tags "v*")')
  })
})
