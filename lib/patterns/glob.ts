// Glob patterns as Harbor's (doublestar) filters, for every user-supplied pattern: webhook filters
// now, tag immutability and retention rules later.
//   *      any run of characters except '/'
//   **     any run of characters, '/' included
//   ?      one character except '/'
//   {a,b}  one of the comma-separated alternatives (not nested; wildcards allowed inside)
// Everything else matches itself, and a pattern matches the whole text.
//
// A pattern is compiled to a nondeterministic automaton and run as a state-set simulation
// (Thompson's construction): every text character advances the whole set of live states at once,
// so matching costs at most (text length + 1) x (automaton size) steps whatever the pattern. A
// backtracking regular expression would take exponential time on `*a*a*a*a*b` against `aaaa…`.
export const MAX_PATTERN_LENGTH = 256

export class PatternError extends Error {}

export interface GlobMatcher {
  readonly pattern: string
  /** Does the whole of `text` match the pattern? */
  matches(text: string): boolean
  /** Automaton steps taken by the last `matches` call: the work it did (for tests and measurements). */
  readonly lastSteps: number
}

// The automaton: consuming states advance to `next` on one character they accept; a split state
// leads to all of `out` without consuming; the accept state ends a match.
type State =
  { kind: 'char'; char: string; next: number } | { kind: 'anyButSlash'; next: number } | { kind: 'any'; next: number } | { kind: 'split'; out: number[] } | { kind: 'accept' }

/** A pattern element: one character, `?`, `*`, `**`, or a brace group of alternative sequences. */
type Element = { kind: 'char'; char: string } | { kind: 'one' } | { kind: 'star' } | { kind: 'doubleStar' } | { kind: 'group'; alternatives: Element[][] }

function parse(pattern: string): Element[] {
  const top: Element[] = []
  let group: Element[][] | null = null
  const current = () => (group ? group[group.length - 1] : top)
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        current().push({ kind: 'doubleStar' })
        i++
      } else current().push({ kind: 'star' })
    } else if (c === '?') current().push({ kind: 'one' })
    else if (c === '{') {
      if (group) throw new PatternError(`nested braces are not supported in "${pattern}"`)
      group = [[]]
    } else if (c === '}') {
      if (!group) throw new PatternError(`unbalanced "}" in "${pattern}"`)
      top.push({ kind: 'group', alternatives: group })
      group = null
    } else if (c === ',' && group) group.push([])
    else current().push({ kind: 'char', char: c })
  }
  if (group) throw new PatternError(`unbalanced "{" in "${pattern}"`)
  return top
}

/** Builds the automaton of `elements` followed by state `next`; returns the entry state. */
function build(elements: Element[], next: number, states: State[]): number {
  let entry = next
  for (let i = elements.length - 1; i >= 0; i--) {
    const element = elements[i]
    const add = (state: State) => states.push(state) - 1
    switch (element.kind) {
      case 'char':
        entry = add({ kind: 'char', char: element.char, next: entry })
        break
      case 'one':
        entry = add({ kind: 'anyButSlash', next: entry })
        break
      case 'star':
      case 'doubleStar': {
        // A loop: the split either leaves (to `entry`) or consumes one character and comes back.
        const loop = add({ kind: 'split', out: [] })
        const consume = add(element.kind === 'star' ? { kind: 'anyButSlash', next: loop } : { kind: 'any', next: loop })
        ;(states[loop] as { out: number[] }).out.push(consume, entry)
        entry = loop
        break
      }
      case 'group': {
        const after = entry
        entry = add({ kind: 'split', out: element.alternatives.map((alternative) => build(alternative, after, states)) })
        break
      }
    }
  }
  return entry
}

/** Compiles `pattern` once; throws PatternError with a readable reason. */
export function compileGlob(pattern: string): GlobMatcher {
  if (pattern.length === 0) throw new PatternError('a pattern must not be empty')
  if (pattern.length > MAX_PATTERN_LENGTH) throw new PatternError(`a pattern must be at most ${MAX_PATTERN_LENGTH} characters`)
  const states: State[] = [{ kind: 'accept' }]
  const start = build(parse(pattern), 0, states)
  const size = states.length
  // Per-state generation marks keep each set free of duplicates without clearing it.
  const mark = new Uint32Array(size)
  let generation = 0
  let steps = 0

  /** Adds `state` and every state reachable from it without consuming to `set`. */
  const addClosure = (set: number[], state: number): void => {
    const stack = [state]
    while (stack.length > 0) {
      const s = stack.pop()!
      steps++
      if (mark[s] === generation) continue
      mark[s] = generation
      const st = states[s]
      if (st.kind === 'split') for (let k = st.out.length - 1; k >= 0; k--) stack.push(st.out[k])
      else set.push(s)
    }
  }

  return {
    pattern,
    get lastSteps() {
      return steps
    },
    matches(text: string): boolean {
      steps = 0
      let current: number[] = []
      generation = nextGeneration(mark, generation)
      addClosure(current, start)
      for (let i = 0; i < text.length && current.length > 0; i++) {
        const c = text[i]
        const next: number[] = []
        generation = nextGeneration(mark, generation)
        for (const s of current) {
          const st = states[s]
          steps++
          const accepted = st.kind === 'char' ? st.char === c : st.kind === 'anyButSlash' ? c !== '/' : st.kind === 'any'
          if (accepted) addClosure(next, (st as { next: number }).next)
        }
        current = next
      }
      return current.includes(0)
    },
  }
}

/** The next generation number; marks are reset in the (practically unreachable) wrap-around. */
function nextGeneration(mark: Uint32Array, generation: number): number {
  if (generation < 0xffffffff) return generation + 1
  mark.fill(0)
  return 1
}
