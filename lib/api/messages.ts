// How a failed validation reads to a person: one message per field, naming the field once.
// Schema messages are written either as a whole phrase ("name must be at most 64 characters") or as
// a predicate to complete ("must be at least 2 characters"); zod's own defaults ("Invalid input: …")
// are neither, so they get the field as a label.

export interface IssueLike {
  path: readonly PropertyKey[]
  message: string
}

const PREDICATE = /^(must|may|is|are|should|cannot|can|needs?|has|have)\b/

/**
 * Whether the message already names its field: a segment of its path spelled by one or more
 * consecutive words ("targetUrl" by "targetUrl", "eventTypes" by "event types").
 */
function namesField(message: string, path: string[]): boolean {
  const words = message.toLowerCase().match(/[a-z0-9_]+/g) ?? []
  return path.some((segment) => {
    const wanted = segment.toLowerCase()
    return words.some((_, start) => {
      let joined = ''
      for (let i = start; i < words.length && joined.length < wanted.length; i++) joined += words[i]
      return joined === wanted
    })
  })
}

/** One issue as a phrase: "name must be …", never "name: name must be …". */
export function describeIssue(issue: IssueLike): string {
  const path = issue.path.filter((segment) => typeof segment === 'string') as string[]
  const message = issue.message.trim()
  if (path.length === 0 || namesField(message, path)) return message
  const field = issue.path.map(String).join('.')
  return PREDICATE.test(message) ? `${field} ${message}` : `${field}: ${message.charAt(0).toLowerCase()}${message.slice(1)}`
}

/** The first issue of each field (a field that breaks several rules is described once), at most `limit` fields. */
export function describeIssues(issues: readonly IssueLike[], limit = 5): string {
  const seen = new Set<string>()
  const phrases: string[] = []
  for (const issue of issues) {
    const key = issue.path.map(String).join('.')
    if (seen.has(key)) continue
    seen.add(key)
    phrases.push(describeIssue(issue))
    if (phrases.length === limit) break
  }
  return phrases.join('; ')
}
