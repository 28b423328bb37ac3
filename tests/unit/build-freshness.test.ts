import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildState } from '../../scripts/build-freshness.mjs'

// A fake project: sources at t=1000 s, build outputs at t=2000 s unless a test says otherwise.
let root: string
const at = (seconds: number) => new Date(seconds * 1000)

async function file(rel: string, seconds: number) {
  const p = path.join(root, rel)
  await mkdir(path.dirname(p), { recursive: true })
  await writeFile(p, rel)
  await utimes(p, at(seconds), at(seconds))
}

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'build-freshness-'))
  await file('app/page.tsx', 1000)
  await file('lib/webhooks/outbox.ts', 1000)
  await file('registry-core/src/index.ts', 1000)
  await file('server.ts', 1000)
  await file('prisma/schema.prisma', 1000)
  await file('package-lock.json', 1000)
  await file('next.config.js', 1000)
  await file('dist/server.mjs', 2000)
  await file('.next/BUILD_ID', 2000)
})
afterEach(() => rm(root, { recursive: true, force: true }))

describe('buildState', () => {
  it('is fresh when every build output is newer than every source', () => {
    expect(buildState(root)).toBe('fresh')
  })

  it('is missing without dist/server.mjs or .next/BUILD_ID', async () => {
    await rm(path.join(root, '.next/BUILD_ID'))
    expect(buildState(root)).toBe('missing')
    await file('.next/BUILD_ID', 2000)
    await rm(path.join(root, 'dist/server.mjs'))
    expect(buildState(root)).toBe('missing')
  })

  it.each([
    'lib/webhooks/outbox.ts',
    'registry-core/src/index.ts',
    'app/page.tsx',
    'components/nav.tsx',
    'server.ts',
    'prisma/schema.prisma',
    'package-lock.json',
    'next.config.js',
  ])('is stale when %s is newer than the build', async (source) => {
    await file(source, 3000)
    expect(buildState(root)).toBe('stale')
  })

  it('compares against the older of the two outputs', async () => {
    await file('.next/BUILD_ID', 900)
    expect(buildState(root)).toBe('stale')
  })

  it('ignores generated code, installed packages and files outside the sources', async () => {
    await file('lib/generated/prisma/client.ts', 3000)
    await file('node_modules/x/index.js', 3000)
    await file('tests/unit/x.test.ts', 3000)
    await file('README.md', 3000)
    expect(buildState(root)).toBe('fresh')
  })
})
