// The zod schema of a user-supplied glob pattern (lib/patterns/glob.ts), for every input edge that
// takes one: webhook filters, tag immutability rules, retention rules.
import { z } from 'zod'
import { compileGlob, MAX_PATTERN_LENGTH, PatternError } from './glob'

/** A glob that compiles; `required` is the message for a value that is not a string. */
export function globPatternSchema(required: string) {
  return z
    .string({ error: required })
    .trim()
    .superRefine((pattern, ctx) => {
      try {
        compileGlob(pattern)
      } catch (error) {
        if (!(error instanceof PatternError)) throw error
        ctx.addIssue({ code: 'custom', message: error.message })
      }
    })
    .describe(`glob: * (not /), ** (anything), ? (one character, not /), {a,b}; at most ${MAX_PATTERN_LENGTH} characters`)
}
