// What a retention policy keeps and deletes in one repository: a pure function, so the dry run and
// the real run decide identically and every rule kind is unit-tested.
//
// THE RULE for shared digests, index children and referrers (Harbor's reported surprises):
// - Retention decides per ARTIFACT, never per tag. A rule retains an artifact when one of its tags
//   matches the rule's tag pattern (or, with `untagged`, when it has no tag) and the template picks
//   it; a retained artifact keeps ALL its tags. So `latest` retained keeps `v1` on the same digest
//   alive too: the result names the rule and the tag that kept it.
// - An untagged manifest that an index of the repository references, or whose subject (a
//   signature, an SBOM) is in the repository, is not judged on its own: it stays while what it
//   belongs to stays, and goes with it. Untagged children of a kept index are never deleted.
// - Anything a kept index references stays, tagged or not (deleting it would break the index).
// - An artifact with a tag an immutability rule protects is never deleted.
// - A repository that no enabled rule's repository pattern matches is left alone entirely.
// Everything else (not retained) is deleted, parents before what they reference.
import { compileGlob, type GlobMatcher } from '../patterns/glob'
import { nameInProject, protectedTag, describeRule, type ActiveImmutableRule } from '../immutability/match'
import type { RetentionRepositoryResult, RetentionRule } from './schema'

export interface RetentionArtifact {
  digest: string
  tags: string[]
  pushedAt: Date
  lastPulledAt: Date | null
  /** Digests of the manifests it references (an index's children). */
  children: string[]
  /** The digest of its subject (referrers), if any. */
  subject: string | null
}

const DAY_MS = 24 * 60 * 60 * 1000

function describe(rule: RetentionRule, index: number): string {
  const n = rule.n ?? 0
  const what: Record<RetentionRule['template'], string> = {
    latestPushedK: `the ${n} most recently pushed`,
    latestPulledN: `the ${n} most recently pulled`,
    nDaysSinceLastPush: `pushed within ${n} days`,
    nDaysSinceLastPull: `pulled within ${n} days`,
    always: 'always',
  }
  return `rule ${index + 1} (${what[rule.template]}; repositories "${rule.repositories}", tags "${rule.tags}"${rule.untagged ? ', untagged included' : ''})`
}

/** The artifacts of `candidates` the template picks, in the template's order. */
function pick(rule: RetentionRule, candidates: RetentionArtifact[], now: Date): RetentionArtifact[] {
  const n = rule.n ?? 0
  const byDigest = (a: RetentionArtifact, b: RetentionArtifact) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0)
  switch (rule.template) {
    case 'always':
      return candidates
    case 'latestPushedK':
      return [...candidates].sort((a, b) => b.pushedAt.getTime() - a.pushedAt.getTime() || byDigest(a, b)).slice(0, n)
    case 'latestPulledN':
      // Never pulled ranks after every pulled artifact (then by push time), as in Harbor.
      return [...candidates]
        .sort((a, b) => (b.lastPulledAt?.getTime() ?? -1) - (a.lastPulledAt?.getTime() ?? -1) || b.pushedAt.getTime() - a.pushedAt.getTime() || byDigest(a, b))
        .slice(0, n)
    case 'nDaysSinceLastPush':
      return candidates.filter((a) => a.pushedAt.getTime() >= now.getTime() - n * DAY_MS)
    case 'nDaysSinceLastPull':
      return candidates.filter((a) => a.lastPulledAt !== null && a.lastPulledAt.getTime() >= now.getTime() - n * DAY_MS)
  }
}

/** Does the rule apply to the repository (its full name)? */
export function ruleAppliesTo(rule: RetentionRule, repository: string): boolean {
  return !rule.disabled && compileGlob(rule.repositories).matches(nameInProject(repository))
}

/**
 * Retained artifacts (each with the reason) and deleted ones, in deletion order; null when no
 * enabled rule applies to the repository (then nothing in it is touched).
 */
export function evaluateRepository(
  repository: string,
  artifacts: RetentionArtifact[],
  rules: RetentionRule[],
  immutable: ActiveImmutableRule[],
  now: Date,
): RetentionRepositoryResult | null {
  const applicable = rules.map((rule, index) => ({ rule, index })).filter(({ rule }) => ruleAppliesTo(rule, repository))
  if (!applicable.length) return null

  const present = new Map(artifacts.map((a) => [a.digest, a]))
  const referenced = new Set(artifacts.flatMap((a) => a.children.filter((c) => present.has(c))))
  const dependent = (a: RetentionArtifact) => a.tags.length === 0 && (referenced.has(a.digest) || (a.subject !== null && present.has(a.subject)))
  const judged = artifacts.filter((a) => !dependent(a))

  const reasons = new Map<string, string>()
  for (const { rule, index } of applicable) {
    const tags: GlobMatcher = compileGlob(rule.tags)
    const selected = judged.filter((a) => (a.tags.length ? a.tags.some((t) => tags.matches(t)) : rule.untagged))
    for (const a of pick(rule, selected, now)) {
      if (reasons.has(a.digest)) continue
      const via = a.tags.find((t) => tags.matches(t))
      reasons.set(a.digest, `${describe(rule, index)}${via !== undefined ? ` via tag ${via}` : ''}`)
    }
  }
  for (const a of judged) {
    if (reasons.has(a.digest)) continue
    const found = protectedTag(immutable, repository, a.tags)
    if (found) reasons.set(a.digest, `tag ${found.tag} is immutable (${describeRule(found.rule)})`)
  }

  // What kept artifacts need stays with them: children of a kept index, referrers of a kept subject.
  const referrersOf = new Map<string, RetentionArtifact[]>()
  for (const a of artifacts) if (a.subject !== null && dependent(a)) referrersOf.set(a.subject, [...(referrersOf.get(a.subject) ?? []), a])
  const queue = [...reasons.keys()]
  while (queue.length) {
    const digest = queue.pop()!
    const kept = present.get(digest)!
    for (const child of kept.children) {
      if (present.has(child) && !reasons.has(child)) {
        reasons.set(child, `referenced by kept index ${digest}`)
        queue.push(child)
      }
    }
    for (const referrer of referrersOf.get(digest) ?? []) {
      if (!reasons.has(referrer.digest)) {
        reasons.set(referrer.digest, `refers to kept artifact ${digest}`)
        queue.push(referrer.digest)
      }
    }
  }

  const retained = artifacts.filter((a) => reasons.has(a.digest)).map((a) => ({ digest: a.digest, tags: a.tags, reason: reasons.get(a.digest)! }))
  const deleted = deletionOrder(artifacts.filter((a) => !reasons.has(a.digest))).map((a) => ({ digest: a.digest, tags: a.tags }))
  return { repository, retained, deleted }
}

/** Parents before what they reference, subjects' referrers after their subject; stable otherwise. */
function deletionOrder(doomed: RetentionArtifact[]): RetentionArtifact[] {
  const byDigest = new Map(doomed.map((a) => [a.digest, a]))
  const parentsLeft = new Map(doomed.map((a) => [a.digest, 0]))
  for (const a of doomed) for (const c of new Set(a.children)) if (byDigest.has(c) && c !== a.digest) parentsLeft.set(c, parentsLeft.get(c)! + 1)
  const ordered: RetentionArtifact[] = []
  const ready = doomed.filter((a) => parentsLeft.get(a.digest) === 0)
  while (ready.length) {
    const a = ready.shift()!
    ordered.push(a)
    for (const c of new Set(a.children)) {
      if (!byDigest.has(c) || c === a.digest) continue
      const left = parentsLeft.get(c)! - 1
      parentsLeft.set(c, left)
      if (left === 0) ready.push(byDigest.get(c)!)
    }
  }
  // A reference cycle cannot be pushed (digests), but never drop anything if one appeared.
  for (const a of doomed) if (!ordered.includes(a)) ordered.push(a)
  return ordered
}
