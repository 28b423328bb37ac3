// Prisma's `contains` / `startsWith` put the value into a LIKE pattern as it is, so `_` and `%` in it
// act as wildcards (a tag filter `v_1` would match `v21`). Escaped with LIKE's default escape
// character, they match themselves.

/** `value` for a Prisma `contains` / `startsWith` that matches it literally. */
export function likeLiteral(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`)
}
