// Seeded browser check of the repository page (issue #4): a repository with 10,000 tags (10,000
// tagged artifacts, seeded through SQL as in bench/dashboard.ts) on PostgreSQL, opened in Debian's
// chromium through Playwright; prints the time from navigation to the first artifact row being
// visible (median of 5 after one warm-up run, each in a fresh tab of a signed-in context).
//
//   npm run build && npx tsx bench/dashboard-render.ts                 # throwaway PostgreSQL 15 (as root)
//   npx tsx bench/dashboard-render.ts --database-url postgresql://…    # an existing, empty database
//   npx tsx bench/dashboard-render.ts --keep                           # keep temp dirs and logs
import { chromium } from '@playwright/test'
import { cleanupAll, onCleanup } from './lib/procs'
import { seedTaggedRepository, startSeedServer } from './lib/dashboard-seed'

const TAGS = 10_000
const RUNS = 5
// The same flags as playwright.config.ts.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

const args = process.argv.slice(2)
const keep = args.includes('--keep')
const dbIndex = args.indexOf('--database-url')
const givenDatabaseUrl = dbIndex >= 0 ? args[dbIndex + 1] : undefined

const log = (msg: string) => console.log(`[dashboard-render] ${msg}`)
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

async function main(): Promise<void> {
  const server = await startSeedServer(log, keep, givenDatabaseUrl)
  const { url: baseURL, user, password } = server
  log(`seeding ${TAGS} tagged artifacts in bench/big`)
  const seedStart = performance.now()
  await seedTaggedRepository(server, TAGS)
  log(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`)

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
  onCleanup(() => browser.close())
  const context = await browser.newContext({ baseURL, viewport: { width: 1440, height: 900 } })
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
    const total = await page
      .getByText(/of 10,00\d artifacts/)
      .first()
      .textContent()
    await page.close()
    if (run === 0) {
      log(`warm-up: ${wall.toFixed(0)} ms (${total?.trim()})`)
      continue
    }
    times.push(wall)
    log(`run ${run}: ${wall.toFixed(0)} ms to the first artifact row (page clock ≤ ${inPage.toFixed(0)} ms)`)
  }
  console.log(
    `\nrepository page with ${TAGS} tags: first artifact row visible after ${median(times).toFixed(0)} ms (median of ${RUNS}; min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`,
  )
  await browser.close()
}

main()
  .catch((error) => {
    console.error(error)
    process.exitCode = 1
  })
  .finally(() => cleanupAll())
