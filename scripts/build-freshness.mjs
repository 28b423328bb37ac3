// Whether the production build (dist/server.mjs + .next/BUILD_ID) is missing, older than its sources,
// or fresh. Used by `npm start` (scripts/ensure-build.mjs), the integration test harness
// (tests/support/registry-server.ts) and the Playwright web server, so none of them runs a stale build.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

export const BUILD_OUTPUTS = ['dist/server.mjs', '.next/BUILD_ID']
export const BUILD_SOURCES = [
  'app',
  'components',
  'lib',
  'registry-core',
  'prisma',
  'server.ts',
  'proxy.ts',
  'next.config.js',
  'postcss.config.mjs',
  'prisma.config.ts',
  'package.json',
  'package-lock.json',
]
// Build output and installed packages inside source directories (lib/generated is written by the build).
const SKIPPED = new Set(['node_modules', 'generated', '.next', 'dist'])

function newestMtime(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = 0
  for (const entry of readdirSync(path)) {
    if (!SKIPPED.has(entry)) newest = Math.max(newest, newestMtime(join(path, entry)))
  }
  return newest
}

/** 'missing' (no build), 'stale' (a source is newer than the oldest build output) or 'fresh', for the project at `root`. */
export function buildState(root) {
  const outputs = BUILD_OUTPUTS.map((p) => join(root, p))
  if (!outputs.every((p) => existsSync(p))) return 'missing'
  const built = Math.min(...outputs.map((p) => statSync(p).mtimeMs))
  const changed = Math.max(...BUILD_SOURCES.map((p) => newestMtime(join(root, p))))
  return changed > built ? 'stale' : 'fresh'
}
