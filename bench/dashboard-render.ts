// Seeded browser check of the dashboard on big data (issues #4 and #15): the repository page of a
// repository with 10,000 tags (bench/big, 10,000 tagged artifacts) and the project page of a project
// with 1,000 repositories (many), seeded through SQL as in bench/dashboard.ts on PostgreSQL, opened
// in Debian's chromium through Playwright on a warm server. For each page it prints (median and p90
// of N navigations after two warm-ups, each in a fresh tab of a signed-in context) the time from
// navigation until Playwright sees the table's first row visible, and, by the browser's own clock
// (free of Playwright's polling), where the time went: first byte of the HTML, the row in the DOM,
// the first frame rendered after it (when it can be on screen), DOMContentLoaded, and the /api/v1
// requests the page made before its row appeared. Any console error or CSP violation is printed and
// fails the run.
//
//   npm run build && npx tsx bench/dashboard-render.ts                 # throwaway PostgreSQL 15 (as root)
//   npx tsx bench/dashboard-render.ts --database-url postgresql://…    # an existing, empty database
//   npx tsx bench/dashboard-render.ts --runs 40 --keep                 # more navigations; keep temp dirs and logs
import { availableParallelism, loadavg } from 'node:os'
import { chromium, type BrowserContext } from '@playwright/test'
import { cleanupAll, onCleanup } from './lib/procs'
import { createManyProject, seedManyRepositories, seedTaggedRepository, startSeedServer } from './lib/dashboard-seed'

const TAGS = 10_000
const REPOSITORIES = 1_000
const WARM_UPS = 2
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

const USAGE = `usage: npx tsx bench/dashboard-render.ts [--runs N] [--database-url postgresql://…] [--keep]

Starts our server (dist/server.mjs: npm run build first) on a throwaway PostgreSQL 15 (initdb, as
root) or on the given empty database, seeds bench/big (${TAGS.toLocaleString('en-US')} tagged artifacts) and project many
(${REPOSITORIES.toLocaleString('en-US')} repositories), and times N navigations (default 20) to each page in chromium.

  --runs N             navigations per page after ${WARM_UPS} warm-ups (default 20)
  --database-url URL   use this (empty) PostgreSQL database instead of a throwaway one
  --keep               keep temp dirs and logs
  --help               this text`

const args = process.argv.slice(2)
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE)
  process.exit(0)
}
const keep = args.includes('--keep')
const option = (name: string) => {
  const index = args.indexOf(name)
  return index >= 0 ? args[index + 1] : undefined
}
const givenDatabaseUrl = option('--database-url')
const runs = Number(option('--runs') ?? 20)
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer')

const log = (msg: string) => console.log(`[dashboard-render] ${msg}`)
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
}

interface Target {
  label: string
  url: string
  /** The first row of the page's main table. */
  row: string
}

const TARGETS: Target[] = [
  { label: `repository page, ${TAGS.toLocaleString('en-US')} tags`, url: '/projects/bench/repositories/big', row: '[data-testid="artifact-row"]' },
  { label: `project page, ${REPOSITORIES.toLocaleString('en-US')} repositories`, url: '/projects/many', row: '[data-testid="repository-table"] tbody tr' },
]

/** What the page's own clock says (ms from navigation start). */
interface InPage {
  firstByte: number
  rowInDom: number
  /** The first frame rendered after that. */
  rowPainted: number
  domContentLoaded: number
  apiBeforeRow: number
  /** When the last of those answered. */
  apiDone: number
}

interface Navigation {
  wall: number
  inPage: InPage
}

// Runs in every page before its own scripts: notes when the first row enters the DOM, and any CSP
// violation. A string, not a function: tsx would wrap a function's inner functions in its __name helper.
const observer = (selector: string) => `
  window.__csp = []
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI))
  const check = () => {
    if (window.__rowAt === undefined && document.querySelector(${JSON.stringify(selector)})) {
      window.__rowAt = performance.now()
      // The next frame after it: rendering waits for the stylesheet, so this is when it can be on screen.
      requestAnimationFrame(() => setTimeout(() => (window.__paintedAt = performance.now())))
    }
    return window.__rowAt !== undefined
  }
  new MutationObserver((_, observer) => check() && observer.disconnect()).observe(document, { childList: true, subtree: true })
`

async function navigate(context: BrowserContext, target: Target, problems: string[]): Promise<Navigation> {
  const page = await context.newPage()
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${target.url}: console ${message.type()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`${target.url}: page error: ${error.message}`))
  await page.addInitScript(observer(target.row))
  const t0 = performance.now()
  await page.goto(target.url, { waitUntil: 'commit' })
  await page.locator(target.row).first().waitFor({ state: 'visible', timeout: 60_000 })
  const wall = performance.now() - t0
  await page.waitForLoadState('load')
  const inPage = await page.evaluate(() => {
    const w = window as unknown as { __rowAt?: number; __paintedAt?: number; __csp?: string[] }
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming
    const rowAt = w.__rowAt ?? NaN
    const api = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((r) => new URL(r.name).pathname.startsWith('/api/'))
    return {
      csp: w.__csp ?? [],
      timing: {
        firstByte: nav.responseStart,
        rowInDom: rowAt,
        rowPainted: w.__paintedAt ?? NaN,
        domContentLoaded: nav.domContentLoadedEventEnd,
        apiBeforeRow: api.filter((r) => r.startTime < rowAt).length,
        apiDone: Math.max(0, ...api.filter((r) => r.startTime < rowAt).map((r) => r.responseEnd)),
      },
    }
  })
  for (const violation of inPage.csp) problems.push(`${target.url}: CSP violation: ${violation}`)
  await page.close()
  return { wall, inPage: inPage.timing }
}

async function main(): Promise<void> {
  const server = await startSeedServer(log, keep, givenDatabaseUrl)
  const { url: baseURL, user, password } = server
  log(`seeding ${TAGS} tagged artifacts in bench/big and ${REPOSITORIES} repositories in project many`)
  const seedStart = performance.now()
  await createManyProject(server)
  await seedTaggedRepository(server, TAGS, (tx) => seedManyRepositories(tx, REPOSITORIES))
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

  const problems: string[] = []
  const loadBefore = loadavg()[0]
  const results: Array<[Target, Navigation[]]> = []
  for (const target of TARGETS) {
    for (let i = 0; i < WARM_UPS; i++) await navigate(context, target, problems)
    const navigations: Navigation[] = []
    for (let run = 1; run <= runs; run++) {
      const navigation = await navigate(context, target, problems)
      navigations.push(navigation)
      const t = navigation.inPage
      log(
        `${target.url} run ${run}: ${navigation.wall.toFixed(0)} ms (page clock: first byte ${t.firstByte.toFixed(0)}, row in DOM ${t.rowInDom.toFixed(0)}, painted ${t.rowPainted.toFixed(0)}, DOMContentLoaded ${t.domContentLoaded.toFixed(0)}, ${t.apiBeforeRow} API requests before the row, answered by ${t.apiDone.toFixed(0)})`,
      )
    }
    results.push([target, navigations])
  }
  await browser.close()

  const ms = (values: number[]) => `${quantile(values, 0.5).toFixed(0)} / ${quantile(values, 0.9).toFixed(0)}`
  console.log(
    `\n${runs} navigations per page after ${WARM_UPS} warm-ups; p50 / p90 in ms; load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after, on ${availableParallelism()} cores`,
  )
  console.log(
    `${'page'.padEnd(36)} ${'row visible'.padStart(12)} ${'first byte'.padStart(12)} ${'row in DOM'.padStart(12)} ${'row painted'.padStart(12)} ${'DCL'.padStart(12)} ${'API before row'.padStart(15)}`,
  )
  for (const [target, navigations] of results) {
    const of = (key: keyof InPage) => navigations.map((n) => n.inPage[key])
    console.log(
      `${target.label.padEnd(36)} ${ms(navigations.map((n) => n.wall)).padStart(12)} ${ms(of('firstByte')).padStart(12)} ${ms(of('rowInDom')).padStart(12)} ${ms(of('rowPainted')).padStart(12)} ${ms(of('domContentLoaded')).padStart(12)} ${String(quantile(of('apiBeforeRow'), 0.5)).padStart(15)} ${ms(of('apiDone')).padStart(12)}`,
    )
  }
  if (problems.length > 0) {
    console.log(`\n${problems.length} console errors / CSP violations:`)
    for (const problem of [...new Set(problems)]) console.log(`  ${problem}`)
    process.exitCode = 1
  } else {
    console.log('\nbrowser console clean: no errors, warnings or CSP violations')
  }
}

main()
  .catch((error) => {
    console.error(error)
    process.exitCode = 1
  })
  .finally(() => cleanupAll())
