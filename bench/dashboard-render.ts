// Seeded browser check of the repository page (issue #4): a repository with 10,000 tags (10,000
// tagged artifacts, seeded through SQL as in bench/dashboard.ts) on PostgreSQL, opened in Debian's
// chromium through Playwright; prints the time from navigation to the first artifact row being
// visible (median of 5 after one warm-up run, each in a fresh tab of a signed-in context).
//
//   npm run build && npx tsx bench/dashboard-render.ts                 # throwaway PostgreSQL 15 (as root)
//   npx tsx bench/dashboard-render.ts --database-url postgresql://…    # an existing, empty database
//   npx tsx bench/dashboard-render.ts --keep                           # keep temp dirs and logs
import { createHash, randomBytes } from 'node:crypto'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from '@playwright/test'
import { cleanupAll, onCleanup, startOurs, startPostgres } from './lib/procs'
import { createPrisma } from '../lib/db/prisma'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const TAGS = 10_000
const RUNS = 5
// The same flags as playwright.config.ts.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

const args = process.argv.slice(2)
const keep = args.includes('--keep')
const dbIndex = args.indexOf('--database-url')
const givenDatabaseUrl = dbIndex >= 0 ? args[dbIndex + 1] : undefined

const log = (msg: string) => console.log(`[dashboard-render] ${msg}`)
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

async function main(): Promise<void> {
  let databaseUrl = givenDatabaseUrl
  if (!databaseUrl) {
    log('starting a throwaway PostgreSQL 15')
    databaseUrl = (await startPostgres(keep)).url
  }
  const user = 'admin'
  const password = randomBytes(12).toString('base64url')
  const ours = await startOurs({ root: ROOT, databaseUrl, adminUser: user, adminPassword: password, extraEnv: {}, nodeArgs: [], keep })
  log(`server ${ours.url} (${ours.build})`)
  const auth = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64')
  const call = async (method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}) => {
    const payload = body === undefined || typeof body === 'string' ? body : new Uint8Array(body)
    const res = await fetch(ours.url + path, { method, headers: { authorization: auth, ...headers }, body: payload })
    const text = await res.text()
    if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status} ${text.slice(0, 300)}`)
    return { res, text }
  }

  // One real image so the repository exists and configs resolve (platforms) for every seeded artifact.
  await call('POST', '/api/v1/projects', JSON.stringify({ name: 'bench', public: false }), { 'content-type': 'application/json' })
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/app'] }, rootfs: { type: 'layers', diff_ids: [] } }))
  const layer = randomBytes(1024)
  for (const blob of [config, layer]) {
    await call('POST', `/v2/bench/big/blobs/uploads/?digest=${sha256(blob)}`, blob, { 'content-type': 'application/octet-stream' })
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
    }),
  )
  await call('PUT', '/v2/bench/big/manifests/real', manifest, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' })

  log(`seeding ${TAGS} tagged artifacts in bench/big`)
  const prisma = createPrisma(databaseUrl)
  const seedStart = performance.now()
  await prisma.$transaction(async (tx) => {
    await tx.$executeRaw`
      INSERT INTO "Artifact" ("repositoryId", "digest", "mediaType", "artifactType", "content", "manifestSize", "size", "pushedAt")
      SELECT r."id", 'sha256:' || encode(sha256(('seed-' || g)::bytea), 'hex'), 'application/vnd.oci.image.manifest.v1+json',
             'application/vnd.oci.image.config.v1+json', ${manifest}, ${manifest.length}, ${manifest.length + config.length + layer.length} + g,
             now() - g * interval '1 second'
        FROM "Repository" r, generate_series(1, ${TAGS}) g WHERE r."name" = 'bench/big'`
    await tx.$executeRaw`
      INSERT INTO "ArtifactReference" ("artifactId", "digest", "kind", "size", "mediaType")
      SELECT a."id", d."digest", 'blob'::"ReferenceKind", d."size", d."mediaType"
        FROM "Artifact" a JOIN "Repository" r ON r."id" = a."repositoryId",
             (VALUES (${sha256(config)}, ${BigInt(config.length)}::bigint, 'application/vnd.oci.image.config.v1+json'),
                     (${sha256(layer)}, ${BigInt(layer.length)}::bigint, 'application/vnd.oci.image.layer.v1.tar+gzip')) AS d("digest", "size", "mediaType")
       WHERE r."name" = 'bench/big' AND a."digest" LIKE 'sha256:%' AND a."digest" <> ${sha256(manifest)}`
    await tx.$executeRaw`
      INSERT INTO "Tag" ("repositoryId", "name", "artifactId")
      SELECT a."repositoryId", 'v' || row_number() OVER (ORDER BY a."id"), a."id"
        FROM "Artifact" a JOIN "Repository" r ON r."id" = a."repositoryId"
       WHERE r."name" = 'bench/big' AND a."digest" <> ${sha256(manifest)}`
  })
  await prisma.$executeRawUnsafe('ANALYZE')
  const counts = await prisma.$queryRaw<{ tags: bigint }[]>`
    SELECT count(*) AS "tags" FROM "Tag" t JOIN "Repository" r ON r."id" = t."repositoryId" WHERE r."name" = 'bench/big'`
  await prisma.$disconnect()
  log(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s: ${counts[0].tags} tags in bench/big`)

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
  onCleanup(() => browser.close())
  const context = await browser.newContext({ baseURL: ours.url, viewport: { width: 1440, height: 900 } })
  const login = await context.newPage()
  await login.goto('/login')
  await login.getByLabel('Username').fill(user)
  await login.getByLabel('Password').fill(password)
  await login.getByRole('button', { name: 'Log in' }).click()
  await login.getByTestId('signed-in-user').waitFor()
  await login.close()

  const url = '/projects/bench/repositories/big'
  const times: number[] = []
  for (let run = 0; run <= RUNS; run++) {
    const page = await context.newPage()
    const t0 = performance.now()
    await page.goto(url, { waitUntil: 'commit' })
    await page.getByTestId('artifact-row').first().waitFor({ state: 'visible', timeout: 60_000 })
    const wall = performance.now() - t0
    // The browser's own clock: from navigation start to the row being in the DOM and visible.
    const inPage = await page.evaluate(() => performance.now())
    const total = await page.getByText(/of 10,00\d artifacts/).first().textContent()
    await page.close()
    if (run === 0) {
      log(`warm-up: ${wall.toFixed(0)} ms (${total?.trim()})`)
      continue
    }
    times.push(wall)
    log(`run ${run}: ${wall.toFixed(0)} ms to the first artifact row (page clock ≤ ${inPage.toFixed(0)} ms)`)
  }
  console.log(`\nrepository page with ${TAGS} tags: first artifact row visible after ${median(times).toFixed(0)} ms (median of ${RUNS}; min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`)
  await browser.close()
}

main()
  .catch((error) => {
    console.error(error)
    process.exitCode = 1
  })
  .finally(() => cleanupAll())
