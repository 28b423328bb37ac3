// Seeded performance check of the dashboard API (issue #4): a repository with 10,000 tags (10,000
// tagged artifacts) and a project with 1,000 repositories, inserted through SQL in bulk; prints the
// first-page API latency (p50 / p95 of 20 after warm-up) on PostgreSQL.
//
//   npm run build && npx tsx bench/dashboard.ts                  # throwaway PostgreSQL 15 (initdb, as root)
//   npx tsx bench/dashboard.ts --database-url postgresql://…     # an existing, empty database
//   npx tsx bench/dashboard.ts --keep                            # keep temp dirs and logs
import { createHash, randomBytes } from 'node:crypto'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cleanupAll, startOurs, startPostgres } from './lib/procs'
import { createPrisma } from '../lib/db/prisma'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const TAGS = 10_000
const REPOSITORIES = 1_000
const RUNS = 20

const args = process.argv.slice(2)
const keep = args.includes('--keep')
const dbIndex = args.indexOf('--database-url')
const givenDatabaseUrl = dbIndex >= 0 ? args[dbIndex + 1] : undefined

const log = (msg: string) => console.log(`[dashboard-bench] ${msg}`)
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`

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

  // Projects, and one real image so configs resolve (platforms) for every seeded artifact.
  for (const name of ['bench', 'many']) await call('POST', '/api/v1/projects', JSON.stringify({ name, public: false }), { 'content-type': 'application/json' })
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

  log(`seeding ${TAGS} tagged artifacts in bench/big and ${REPOSITORIES} repositories in project many`)
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
    await tx.$executeRaw`
      INSERT INTO "Repository" ("name", "projectId", "description", "lastPushedAt")
      SELECT 'many/repo-' || lpad(g::text, 4, '0'), p."id", 'seeded', now() - g * interval '1 minute'
        FROM "Project" p, generate_series(1, ${REPOSITORIES}) g WHERE p."name" = 'many'`
  })
  await prisma.$executeRawUnsafe('ANALYZE')
  const counts = await prisma.$queryRaw<{ tags: bigint; repos: bigint }[]>`
    SELECT (SELECT count(*) FROM "Tag" t JOIN "Repository" r ON r."id" = t."repositoryId" WHERE r."name" = 'bench/big') AS "tags",
           (SELECT count(*) FROM "Repository" r JOIN "Project" p ON p."id" = r."projectId" WHERE p."name" = 'many') AS "repos"`
  await prisma.$disconnect()
  log(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s: ${counts[0].tags} tags in bench/big, ${counts[0].repos} repositories in many`)

  const cases: Array<[string, string]> = [
    ['artifacts, first page (10)', '/api/v1/projects/bench/repositories/big/artifacts'],
    ['artifacts, first page (100)', '/api/v1/projects/bench/repositories/big/artifacts?page_size=100'],
    ['artifacts, tag filter', '/api/v1/projects/bench/repositories/big/artifacts?tag=v99'],
    ['artifacts, page 50 (100)', '/api/v1/projects/bench/repositories/big/artifacts?page=50&page_size=100'],
    ['one artifact by tag', '/api/v1/projects/bench/repositories/big/artifacts/v5000'],
    ['repository', '/api/v1/projects/bench/repositories/big'],
    ['repositories, first page (10)', '/api/v1/projects/many/repositories'],
    ['repositories, first page (100)', '/api/v1/projects/many/repositories?page_size=100'],
    ['search', '/api/v1/search?q=repo-09'],
  ]
  console.log(`\n${'request'.padEnd(34)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}  total`)
  for (const [label, path] of cases) {
    for (let i = 0; i < 3; i++) await call('GET', path)
    const times: number[] = []
    let total = ''
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now()
      const { res } = await call('GET', path)
      times.push(performance.now() - t0)
      total = res.headers.get('x-total-count') ?? ''
    }
    times.sort((a, b) => a - b)
    const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]
    console.log(`${label.padEnd(34)} ${q(0.5).toFixed(1).padStart(8)} ${q(0.95).toFixed(1).padStart(8)}  ${total}`)
  }
}

main()
  .catch((error) => {
    console.error(error)
    process.exitCode = 1
  })
  .finally(() => cleanupAll())
