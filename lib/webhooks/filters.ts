// Repository and tag filters of a webhook policy: glob patterns as Harbor's (doublestar) filters.
//   *      any run of characters except '/'
//   **     any run of characters, '/' included
//   ?      one character except '/'
//   {a,b}  one of the comma-separated alternatives (not nested)
// Everything else matches itself. Repository patterns match the full name (`project/name`).
export const MAX_PATTERN_LENGTH = 256

export class PatternError extends Error {}

/** Compiles `pattern` to an anchored RegExp; throws PatternError with a readable reason. */
export function compileGlob(pattern: string): RegExp {
  if (pattern.length === 0) throw new PatternError('a pattern must not be empty')
  if (pattern.length > MAX_PATTERN_LENGTH) throw new PatternError(`a pattern must be at most ${MAX_PATTERN_LENGTH} characters`)
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
      if (inBraces) throw new PatternError(`nested braces are not supported in "${pattern}"`)
      inBraces = true
      source += '(?:'
    } else if (c === '}') {
      if (!inBraces) throw new PatternError(`unbalanced "}" in "${pattern}"`)
      inBraces = false
      source += ')'
    } else if (c === ',' && inBraces) source += '|'
    else source += c.replace(/[.+^$()|[\]\\]/g, '\\$&')
  }
  if (inBraces) throw new PatternError(`unbalanced "{" in "${pattern}"`)
  return new RegExp(`^${source}$`)
}

export interface EventSubject {
  repository: string
  tags: string[]
}

/**
 * Does an event about `subject` pass the policy's filters? No filter: yes. A tag filter needs at
 * least one matching tag, so events without a tag (a push by digest) do not pass it.
 */
export function passesFilters(subject: EventSubject, filters: { repository: RegExp | null; tag: RegExp | null }): boolean {
  if (filters.repository && !filters.repository.test(subject.repository)) return false
  if (filters.tag && !subject.tags.some((tag) => filters.tag!.test(tag))) return false
  return true
}
