// `npm start` on a fresh checkout: build first when there is no build, or when sources are newer.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const outputs = ['dist/server.mjs', '.next/BUILD_ID']
const sources = ['app', 'components', 'lib', 'registry-core', 'prisma', 'server.ts', 'proxy.ts', 'package-lock.json', 'next.config.js']
const skip = new Set(['node_modules', 'generated', '.next', 'dist'])

function newestMtime(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = 0
  for (const entry of readdirSync(path)) {
    if (!skip.has(entry)) newest = Math.max(newest, newestMtime(join(path, entry)))
  }
  return newest
}

const built = Math.min(...outputs.map((p) => (existsSync(p) ? statSync(p).mtimeMs : 0)))
const changed = Math.max(...sources.map(newestMtime))
if (built === 0 || changed > built) {
  console.log(built === 0 ? 'No build yet: building (about a minute)…' : 'Sources changed since the last build: rebuilding…')
  const result = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' })
  process.exit(result.status ?? 1)
}
