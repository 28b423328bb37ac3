// Repository and tag filters of a webhook policy: glob patterns (lib/patterns/glob.ts) matched
// against the repository's full name (`project/name`) and the event's tags.
import type { GlobMatcher } from '../patterns/glob'

export interface EventSubject {
  repository: string
  tags: string[]
}

/**
 * Does an event about `subject` pass the policy's filters? No filter: yes. A tag filter needs at
 * least one matching tag, so events without a tag (a push by digest) do not pass it.
 */
export function passesFilters(subject: EventSubject, filters: { repository: GlobMatcher | null; tag: GlobMatcher | null }): boolean {
  if (filters.repository && !filters.repository.matches(subject.repository)) return false
  if (filters.tag && !subject.tags.some((tag) => filters.tag!.matches(tag))) return false
  return true
}
