// `npm start` and the Playwright web server: build first when there is no build, or when sources are newer.
import { spawnSync } from 'node:child_process'
import { buildState } from './build-freshness.mjs'

const state = buildState(process.cwd())
if (state !== 'fresh') {
  console.log(state === 'missing' ? 'No build yet: building (about a minute)…' : 'Sources changed since the last build: rebuilding…')
  const result = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' })
  process.exit(result.status ?? 1)
}
