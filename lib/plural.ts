// Counts with their nouns, for people: "1 repository", "0 repositories", "1,234 tags". Used by the
// dashboard (through components/format.ts) and by the API's messages.

/** The plural of an English noun: repository → repositories, policy → policies, match → matches, tag → tags. */
export function pluralNoun(noun: string): string {
  if (/[^aeiou]y$/i.test(noun)) return `${noun.slice(0, -1)}ies`
  if (/(s|x|z|ch|sh)$/i.test(noun)) return `${noun}es`
  return `${noun}s`
}

/** `noun` for `count` things: 1 → "repository", 0 or 2 → "repositories". */
export function nounFor(count: number, noun: string): string {
  return count === 1 ? noun : pluralNoun(noun)
}

/** A count with its noun: "1 repository", "0 repositories", "1,234 tags". */
export function countOf(count: number | null | undefined, noun: string): string {
  const value = typeof count === 'number' && Number.isFinite(count) ? count : 0
  return `${value.toLocaleString('en-US')} ${nounFor(value, noun)}`
}
