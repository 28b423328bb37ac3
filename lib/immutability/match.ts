// Which immutability rule, if any, protects a tag: pure, so the registry index, the artifact views
// and retention all decide the same way. A rule's repository pattern is matched against the
// repository's name inside its project (`team/app` in `project/team/app`), as Harbor does.
import { RegistryError } from '@registry-core'
import { compileGlob, type GlobMatcher } from '../patterns/glob'

export interface ActiveImmutableRule {
  id: number
  repositories: string
  tags: string
}

const MAX_CACHED_MATCHERS = 1000
const matchers = new Map<string, GlobMatcher>()

/** The compiled matcher of a stored pattern (validated on write), cached per process. */
function matcherOf(pattern: string): GlobMatcher {
  let matcher = matchers.get(pattern)
  if (!matcher) {
    matcher = compileGlob(pattern)
    if (matchers.size >= MAX_CACHED_MATCHERS) matchers.delete(matchers.keys().next().value!)
    matchers.set(pattern, matcher)
  }
  return matcher
}

/** `name` in `project/name`; the whole name when it has no project part. */
export function nameInProject(repository: string): string {
  const slash = repository.indexOf('/')
  return slash < 0 ? repository : repository.slice(slash + 1)
}

/** The first rule (lowest id) protecting `tag` of `repository` (its full name), or undefined. */
export function ruleProtecting(rules: readonly ActiveImmutableRule[], repository: string, tag: string): ActiveImmutableRule | undefined {
  const name = nameInProject(repository)
  return [...rules].sort((a, b) => a.id - b.id).find((rule) => matcherOf(rule.repositories).matches(name) && matcherOf(rule.tags).matches(tag))
}

/** The first of `tags` a rule protects, with that rule; undefined when none is. */
export function protectedTag(rules: readonly ActiveImmutableRule[], repository: string, tags: readonly string[]): { tag: string; rule: ActiveImmutableRule } | undefined {
  if (!rules.length) return undefined
  for (const tag of tags) {
    const rule = ruleProtecting(rules, repository, tag)
    if (rule) return { tag, rule }
  }
  return undefined
}

export function describeRule(rule: ActiveImmutableRule): string {
  return `rule ${rule.id}: repositories "${rule.repositories}", tags "${rule.tags}"`
}

/** The registry-core error every path answers for a protected tag: /v2 sends it as is, /api/v1 maps DENIED to 403. */
export function immutableTagError(repository: string, tag: string, rule: ActiveImmutableRule): RegistryError {
  return new RegistryError('DENIED', {
    message: `tag ${tag} is immutable (${describeRule(rule)})`,
    detail: { repository, tag, rule: { id: rule.id, repositories: rule.repositories, tags: rule.tags } },
  })
}
