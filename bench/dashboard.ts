// Seeded performance check of the dashboard API (issue #4): a repository with 10,000 tags (10,000
// tagged artifacts), a repository whose one artifact has 5,000 tags, a project with 1,000
// repositories, and 200,000 more tags elsewhere in the registry (so a query that scans every tag
// shows), inserted through SQL in bulk; prints the first-page API latency (p50 / p95 of 20
// after warm-up) on PostgreSQL, including the artifact list's tag filter with matches from many to none.
//
//   npm run build && npx tsx bench/dashboard.ts                  # throwaway PostgreSQL 15 (initdb, as root)
//   npx tsx bench/dashboard.ts --database-url postgresql://…     # an existing, empty database
//   npx tsx bench/dashboard.ts --keep                            # keep temp dirs and logs
import { cleanupAll } from './lib/procs'
import { createManyProject, seedManyRepositories, seedTaggedRepository, startSeedServer } from './lib/dashboard-seed'

const TAGS = 10_000
const TAGS_ON_ONE_ARTIFACT = 5_000
const REPOSITORIES = 1_000
const TAGS_ELSEWHERE = 200_000
const RUNS = 20

const USAGE = `usage: npx tsx bench/dashboard.ts [--database-url postgresql://…] [--keep]

Starts our server (dist/server.mjs: npm run build first) on a throwaway PostgreSQL 15 (initdb, as
root) or on the given empty database, seeds bench/big (${TAGS.toLocaleString('en-US')} tagged artifacts),
bench/wide (one artifact with ${TAGS_ON_ONE_ARTIFACT.toLocaleString('en-US')} tags), project many
(${REPOSITORIES.toLocaleString('en-US')} repositories) and bench/elsewhere (${TAGS_ELSEWHERE.toLocaleString('en-US')} tagged artifacts), and prints p50 / p95 of ${RUNS} requests per API call.

  --database-url URL   use this (empty) PostgreSQL database instead of a throwaway one
  --keep               keep temp dirs and logs
  --help               this text`

const args = process.argv.slice(2)
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE)
  process.exit(0)
}
const keep = args.includes('--keep')
const dbIndex = args.indexOf('--database-url')
const givenDatabaseUrl = dbIndex >= 0 ? args[dbIndex + 1] : undefined

const log = (msg: string) => console.log(`[dashboard-bench] ${msg}`)

async function main(): Promise<void> {
  const server = await startSeedServer(log, keep, givenDatabaseUrl)
  const { call } = server

  log(
    `seeding ${TAGS} tagged artifacts in bench/big, one artifact with ${TAGS_ON_ONE_ARTIFACT} tags in bench/wide, ${REPOSITORIES} repositories in project many and ${TAGS_ELSEWHERE} tagged artifacts in bench/elsewhere`,
  )
  await createManyProject(server)
  const seedStart = performance.now()
  await seedTaggedRepository(server, TAGS, async (tx) => {
    await seedManyRepositories(tx, REPOSITORIES)
    // bench/wide: a copy of the newest artifact of bench/big, with thousands of tags.
    await tx.$executeRaw`
      INSERT INTO "Repository" ("name", "projectId", "lastPushedAt")
      SELECT 'bench/wide', r."projectId", now() FROM "Repository" r WHERE r."name" = 'bench/big'`
    await tx.$executeRaw`
      INSERT INTO "Artifact" ("repositoryId", "digest", "mediaType", "artifactType", "content", "manifestSize", "size", "pushedAt")
      SELECT w."id", a."digest", a."mediaType", a."artifactType", a."content", a."manifestSize", a."size", a."pushedAt"
        FROM "Repository" w, "Artifact" a JOIN "Repository" r ON r."id" = a."repositoryId"
       WHERE w."name" = 'bench/wide' AND r."name" = 'bench/big'
       ORDER BY a."pushedAt" DESC LIMIT 1`
    await tx.$executeRaw`
      INSERT INTO "Tag" ("repositoryId", "name", "artifactId", "updatedAt")
      SELECT a."repositoryId", 'w' || g, a."id", now() - g * interval '1 second'
        FROM "Artifact" a JOIN "Repository" r ON r."id" = a."repositoryId", generate_series(1, ${TAGS_ON_ONE_ARTIFACT}) g
       WHERE r."name" = 'bench/wide'`
    // bench/elsewhere: the rest of a busy registry (minimal manifests, one tag each).
    await tx.$executeRaw`
      INSERT INTO "Repository" ("name", "projectId", "lastPushedAt")
      SELECT 'bench/elsewhere', r."projectId", now() FROM "Repository" r WHERE r."name" = 'bench/big'`
    await tx.$executeRaw`
      INSERT INTO "Artifact" ("repositoryId", "digest", "mediaType", "content", "manifestSize", "size")
      SELECT r."id", 'sha256:' || encode(sha256(('elsewhere-' || g)::bytea), 'hex'), 'application/vnd.oci.image.manifest.v1+json', '\x7b7d'::bytea, 2, 2
        FROM "Repository" r, generate_series(1, ${TAGS_ELSEWHERE}) g WHERE r."name" = 'bench/elsewhere'`
    await tx.$executeRaw`
      INSERT INTO "Tag" ("repositoryId", "name", "artifactId")
      SELECT a."repositoryId", 'e' || a."id", a."id" FROM "Artifact" a JOIN "Repository" r ON r."id" = a."repositoryId" WHERE r."name" = 'bench/elsewhere'`
  })
  log(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`)

  const big = '/api/v1/projects/bench/repositories/big'
  const wide = '/api/v1/projects/bench/repositories/wide'
  const cases: Array<[string, string]> = [
    ['artifacts, first page (10)', `${big}/artifacts`],
    ['artifacts, first page (100)', `${big}/artifacts?page_size=100`],
    ['artifacts, tag filter "v99"', `${big}/artifacts?tag=v99`],
    ['artifacts, tag filter "1" (many)', `${big}/artifacts?tag=1&page_size=100`],
    ['artifacts, tag filter "v9999" (one)', `${big}/artifacts?tag=v9999`],
    ['artifacts, tag filter "nomatch" (none)', `${big}/artifacts?tag=nomatch`],
    ['artifacts, page 50 (100)', `${big}/artifacts?page=50&page_size=100`],
    ['one artifact by tag', `${big}/artifacts/v5000`],
    ['repository', `${big}`],
    ['artifacts, one with 5,000 tags', `${wide}/artifacts`],
    ['tags of it, first page (100)', `${wide}/artifacts/w1/tags?page_size=100`],
    ['projects, first page (10)', '/api/v1/projects'],
    ['repositories, first page (10)', '/api/v1/projects/many/repositories'],
    ['repositories, first page (100)', '/api/v1/projects/many/repositories?page_size=100'],
    ['search', '/api/v1/search?q=repo-09'],
  ]
  console.log(`\n${'request'.padEnd(40)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}  total`)
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
    console.log(`${label.padEnd(40)} ${q(0.5).toFixed(1).padStart(8)} ${q(0.95).toFixed(1).padStart(8)}  ${total}`)
  }
}

main()
  .catch((error) => {
    console.error(error)
    process.exitCode = 1
  })
  .finally(() => cleanupAll())
