// docker search shows one line per repository: the summary of a Markdown description (lib/search/docker.ts).
import { describe, expect, it } from 'vitest'
import { SHORT_DESCRIPTION_MAX, shortDescription } from '../../../lib/search/docker'

describe('shortDescription', () => {
  it('is the first non-blank line, without heading marks, whitespace collapsed', () => {
    expect(shortDescription('\n\r\n  ## Build   tools\t for CI \r\nmore text')).toBe('Build tools for CI')
    expect(shortDescription('plain line\n# later heading')).toBe('plain line')
  })

  it('is empty for an empty or blank description', () => {
    expect(shortDescription('')).toBe('')
    expect(shortDescription(' \n\t\n#  \n')).toBe('')
  })

  it(`cuts at ${SHORT_DESCRIPTION_MAX} characters (not bytes) with an ellipsis`, () => {
    expect(shortDescription('é'.repeat(SHORT_DESCRIPTION_MAX))).toBe('é'.repeat(SHORT_DESCRIPTION_MAX))
    const cut = shortDescription('😀'.repeat(SHORT_DESCRIPTION_MAX + 1))
    expect([...cut]).toHaveLength(SHORT_DESCRIPTION_MAX)
    expect(cut).toBe('😀'.repeat(SHORT_DESCRIPTION_MAX - 1) + '…')
  })
})
