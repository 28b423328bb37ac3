// How validation failures and counts read to people: each field named once, rules in words, names
// someone chose keep their case, counts agree with their nouns.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { describeIssue, describeIssues } from '../../../lib/api/messages'
import { countOf, pluralNoun } from '../../../lib/plural'
import { sentence } from '../../../components/api'
import { namespaceNameSchema } from '../../../lib/projects/names'
import { DIGEST_RULE, TAG_RULE } from '../../../lib/name-rules'

describe('describeIssue', () => {
  it('keeps a message that already names its field, instead of "name: name must …"', () => {
    expect(describeIssue({ path: ['name'], message: 'name must be at most 64 characters' })).toBe('name must be at most 64 characters')
    expect(describeIssue({ path: ['description'], message: 'description must be at most 64 KiB of UTF-8' })).toBe('description must be at most 64 KiB of UTF-8')
    expect(describeIssue({ path: ['targetUrl'], message: 'targetUrl must be an http:// or https:// URL' })).toBe('targetUrl must be an http:// or https:// URL')
    expect(describeIssue({ path: ['eventTypes', 0], message: 'event types must be among PUSH_ARTIFACT, DELETE_TAG' })).toBe('event types must be among PUSH_ARTIFACT, DELETE_TAG')
  })

  it('completes a predicate with its field, and labels anything else', () => {
    expect(describeIssue({ path: ['username'], message: 'must be at least 2 characters' })).toBe('username must be at least 2 characters')
    expect(describeIssue({ path: ['role'], message: 'Invalid option: expected one of "guest"|"developer"' })).toBe('role: invalid option: expected one of "guest"|"developer"')
    expect(describeIssue({ path: [], message: 'Unrecognized key: "extra"' })).toBe('Unrecognized key: "extra"')
  })

  it('says each field once, however many of its rules fail', () => {
    const schema = z.object({ username: namespaceNameSchema, email: z.email('email must be an email address') })
    const result = schema.safeParse({ username: '-', email: 'nope' })
    expect(result.success).toBe(false)
    const text = describeIssues(result.error!.issues)
    expect(text).toBe('username must be at least 2 characters; email must be an email address')
    expect(text).not.toMatch(/username.*username/)
  })
})

describe('naming rules in words', () => {
  it('describe tags, digests and names without a regular expression', () => {
    for (const rule of [TAG_RULE, DIGEST_RULE, namespaceNameSchema.safeParse('A--b').error!.issues[0].message]) {
      expect(rule).not.toMatch(/[[\]{}^$\\]|\(\?/)
    }
    expect(TAG_RULE).toBe("a tag is 1–128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")
  })
})

describe('sentence (dashboard error text)', () => {
  it('capitalises a plain phrase and ends it with a full stop', () => {
    expect(sentence('name is required')).toBe('Name is required.')
    expect(sentence('the user alice is already a member of team')).toBe('The user alice is already a member of team.')
    expect(sentence('a tag is needed')).toBe('A tag is needed.')
  })

  it('keeps field names as the API spells them', () => {
    expect(sentence('targetUrl must be an http:// or https:// URL')).toBe('targetUrl must be an http:// or https:// URL.')
    expect(sentence('q must be at most 128 characters')).toBe('q must be at most 128 characters.')
    expect(sentence('eventTypes.0: invalid option')).toBe('eventTypes.0: invalid option.')
  })
})

describe('countOf', () => {
  it('agrees with its noun', () => {
    expect(countOf(1, 'repository')).toBe('1 repository')
    expect(countOf(0, 'repository')).toBe('0 repositories')
    expect(countOf(2, 'tag')).toBe('2 tags')
    expect(countOf(1234, 'artifact')).toBe('1,234 artifacts')
    expect(countOf(1, 'delivery')).toBe('1 delivery')
    expect(countOf(3, 'delivery')).toBe('3 deliveries')
    expect(countOf(undefined, 'member')).toBe('0 members')
  })

  it('forms English plurals', () => {
    expect(['key', 'policy', 'match', 'index', 'user', 'token'].map(pluralNoun)).toEqual(['keys', 'policies', 'matches', 'indexes', 'users', 'tokens'])
  })
})
