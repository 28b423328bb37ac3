// Seeded performance check of the dashboard API (issue #4): a repository with 10,000 tags (10,000
// tagged artifacts) and a project with 1,000 repositories, inserted through SQL in bulk; prints the
// first-page API latency (p50 / p95 of 20 after warm-up) on PostgreSQL.
//
//   npm run build && npx tsx bench/dashboard.ts                  # throwaway PostgreSQL 15 (initdb, as root)
//   npx tsx bench/dashboard.ts --database-url postgresql://…     # an existing, empty database
//   npx tsx bench/dashboard.ts --keep                            # keep temp dirs and logs
import { cleanupAll } from './lib/procs'
import { seedTaggedRepository, startSeedServer } from './lib/dashboard-seed'

const TAGS = 10_000
const REPOSITORIES = 1_000
const RUNS = 20

const args = process.argv.slice(2)
const keep = args.includes('--keep')
const dbIndex = args.indexOf('--database-url')
const givenDatabaseUrl = dbIndex >= 0 ? args[dbIndex + 1] : undefined

const log = (msg: string) => console.log(`[dashboard-bench] ${msg}`)

async function main(): Promise<void> {
  const server = await startSeedServer(log, keep, givenDatabaseUrl)
  const { call } = server

  log(`seeding ${TAGS} tagged artifacts in bench/big and ${REPOSITORIES} repositories in project many`)
  await call('POST', '/api/v1/projects', JSON.stringify({ name: 'many', public: false }), { 'content-type': 'application/json' })
  const seedStart = performance.now()
  await seedTaggedRepository(server, TAGS, (tx) => tx.$executeRaw`
      INSERT INTO "Repository" ("name", "projectId", "description", "lastPushedAt")
      SELECT 'many/repo-' || lpad(g::text, 4, '0'), p."id", 'seeded', now() - g * interval '1 minute'
        FROM "Project" p, generate_series(1, ${REPOSITORIES}) g WHERE p."name" = 'many'`)
  log(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`)

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
