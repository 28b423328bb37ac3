// The retention policy's input edge: Harbor's templates with their number, globs checked by the
// shared matcher, at most 15 rules, and a schedule that is hourly/daily/weekly or a valid cron.
import { describe, expect, it } from 'vitest'
import { retentionPolicyInputSchema } from '../../../lib/retention/policy'

const parse = (input: unknown) => retentionPolicyInputSchema.safeParse(input)
const messages = (input: unknown) => {
  const result = parse(input)
  return result.success ? [] : result.error.issues.map((issue) => issue.message)
}

describe('retention policy input', () => {
  it('fills the defaults and drops n for always', () => {
    expect(
      parse({
        rules: [
          { template: 'always', n: 4 },
          { template: 'latestPushedK', n: 3, tags: 'v*', untagged: true },
        ],
      }).data,
    ).toEqual({
      rules: [
        { template: 'always', n: null, repositories: '**', tags: '**', untagged: false, disabled: false },
        { template: 'latestPushedK', n: 3, repositories: '**', tags: 'v*', untagged: true, disabled: false },
      ],
      schedule: null,
    })
  })

  it('needs n for every template but always, as a whole number', () => {
    expect(messages({ rules: [{ template: 'nDaysSinceLastPull' }] })).toEqual(['n is required for nDaysSinceLastPull'])
    expect(messages({ rules: [{ template: 'latestPulledN', n: 1.5 }] })).toEqual(['n must be a whole number'])
    expect(messages({ rules: [{ template: 'keepSome', n: 1 }] })[0]).toMatch(/^template must be one of latestPushedK, /)
  })

  it('refuses bad globs, unknown fields and more than 15 rules', () => {
    expect(messages({ rules: [{ template: 'always', tags: '{v1' }] })[0]).toBe('unbalanced "{" in "{v1"')
    expect(parse({ rules: [{ template: 'always', extra: 1 }] }).success).toBe(false)
    expect(messages({ rules: Array.from({ length: 16 }, () => ({ template: 'always' })) })).toEqual(['at most 15 rules'])
  })

  it('takes hourly, daily, weekly or a cron expression as the schedule', () => {
    for (const schedule of ['hourly', 'daily', 'weekly', '0 3 * * *', '*/15 * * * *', '0 0 3 * * 1']) expect(parse({ rules: [], schedule }).success, schedule).toBe(true)
    for (const schedule of ['every tuesday', '61 * * * *', '']) expect(parse({ rules: [], schedule }).success, schedule).toBe(false)
    expect(parse({ rules: [], schedule: null }).data?.schedule).toBeNull()
  })
})
