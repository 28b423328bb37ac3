// What a user hit in the dashboard (issue #10): the delivery log's Redeliver button clipped at 1440 px,
// header search without keyboard selection and with a dropdown off the input's edges, Markdown tables
// shown as text, and no favicon.
import { expect, test, type Locator, type Page } from '@playwright/test'
import { WebhookReceiver, Seeder } from './seed'
import { logIn, PHONE_VIEWPORT, skopeoPush } from './support'

const DESKTOP = { width: 1440, height: 900 }
test.use({ viewport: DESKTOP })

const suffix = Date.now().toString(36)
const user = { username: `layout-${suffix}`, email: `layout-${suffix}@example.com`, password: 'layout-password-1' }
const project = `layout-project-${suffix}`
const repo = 'platform-services/customer-notifications-gateway'
const tag = 'release-2026.11.28-build.1234567890'
const receiver = new WebhookReceiver()

// Seeded once per worker (a failed test restarts the worker, which seeds afresh under new names).
test.beforeAll(async ({ playwright, baseURL }) => {
  test.setTimeout(120_000)
  const request = await playwright.request.newContext({ baseURL })
  const signup = await request.post('/api/v1/users', { data: { username: user.username, email: user.email, password: user.password } })
  expect(signup.status(), await signup.text()).toBe(201)
  const seed = new Seeder(request, user)
  await seed.project(project)
  const webhook = await seed.webhook(project, 'deploy-pipeline-notifications', await receiver.start())
  skopeoPush(new URL(baseURL!).host, user, `${project}/${repo}`, [tag])
  await seed.testEvent(project, webhook)
  await seed.describeRepository(
    project,
    repo,
    ['Images of the gateway.', '', '| Tag | Arch | Size |', '|:----|:----:|-----:|', `| \`${tag}\` | amd64 | 2 KiB |`, '| latest | **arm64** | 3 KiB |'].join('\n'),
  )
  await seed.settled(project, webhook, 2)
  await request.dispose()
})

test.afterAll(() => receiver.stop())

/** The element is entirely on screen and inside every box that clips it, and nothing covers its centre. */
async function expectFullyVisible(page: Page, locator: Locator, what: string): Promise<void> {
  const result = await locator.evaluate((element) => {
    // Scroll the page (only the page: a sideways scroller must show the element by itself) to it.
    window.scrollBy(0, element.getBoundingClientRect().top - window.innerHeight / 2)
    const rect = element.getBoundingClientRect()
    const problems: string[] = []
    if (rect.left < 0 || rect.right > window.innerWidth + 0.5) problems.push(`off screen: ${rect.left}–${rect.right} of ${window.innerWidth}`)
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      if (getComputedStyle(parent).overflowX === 'visible') continue
      const box = parent.getBoundingClientRect()
      if (rect.left < box.left - 0.5 || rect.right > box.right + 0.5)
        problems.push(`clipped by <${parent.tagName.toLowerCase()} class="${parent.className}">: ${rect.left}–${rect.right} outside ${box.left}–${box.right}`)
    }
    const hit = document.elementFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2)
    if (!hit || !(hit === element || element.contains(hit))) problems.push(`covered by <${hit?.tagName.toLowerCase()}>`)
    return problems
  })
  expect(result, what).toEqual([])
}

test('the pages link a favicon that is served as an image', async ({ page, request }) => {
  await page.goto('/')
  const icon = await page
    .locator('link[rel="icon"]')
    .first()
    .getAttribute('href', { timeout: 5000 })
    .catch(() => null)
  expect(icon, 'a <link rel="icon">').toBeTruthy()
  const served = await request.get(icon!)
  expect(served.status()).toBe(200)
  expect(served.headers()['content-type']).toMatch(/^image\//)
})

test('header search: the list lines up with the input; arrows, Enter and Escape work as in a combobox', async ({ page }) => {
  await logIn(page, user)
  await page.goto('/projects')
  const input = page.getByRole('combobox', { name: 'Search projects and repositories' })
  await input.fill(`project-${suffix}`)
  const list = page.getByRole('listbox', { name: 'Search results' })
  const options = list.getByRole('option')
  await expect(options).toHaveCount(2)
  await expect(input).toHaveAttribute('aria-expanded', 'true')
  const inputBox = (await input.boundingBox())!
  const dropdownBox = (await page.getByTestId('search-results').boundingBox())!
  expect(Math.abs(dropdownBox.x - inputBox.x), 'same left edge').toBeLessThanOrEqual(1)
  expect(Math.abs(dropdownBox.width - inputBox.width), 'same width').toBeLessThanOrEqual(1)
  await page.screenshot({ path: 'test-results/header-search-1440.png' })
  await expect(input).not.toHaveAttribute('aria-activedescendant')
  await input.press('ArrowDown')
  await expect(input).toHaveAttribute('aria-activedescendant', (await options.nth(0).getAttribute('id'))!)
  await expect(options.nth(0)).toHaveAttribute('aria-selected', 'true')
  await input.press('ArrowDown')
  await input.press('ArrowDown')
  await input.press('ArrowUp')
  const repositoryOption = options.nth(1)
  await expect(repositoryOption).toHaveAttribute('aria-selected', 'true')
  await expect(repositoryOption).toContainText(`${project}/${repo}`)
  await expect(input).toHaveAttribute('aria-activedescendant', (await repositoryOption.getAttribute('id'))!)
  await input.press('Enter')
  await expect(page).toHaveURL(new RegExp(`/projects/${project}/repositories/${repo}$`))
  await expect(page.getByRole('heading', { name: `${project}/${repo}` })).toBeVisible()
  // Escape closes the list.
  await input.fill(`project-${suffix}`)
  await expect(options).toHaveCount(2)
  await input.press('Escape')
  await expect(list).toHaveCount(0)
  await expect(input).toHaveAttribute('aria-expanded', 'false')
})

test('a Markdown table in a repository description renders as a table', async ({ page }) => {
  await logIn(page, user)
  await page.goto(`/projects/${project}/repositories/${repo}`)
  const table = page.getByTestId('markdown').locator('table')
  await expect(table.getByRole('columnheader')).toHaveText(['Tag', 'Arch', 'Size'])
  await expect(table.getByRole('row')).toHaveCount(3)
  await expect(table.getByRole('row').nth(2).getByRole('cell')).toHaveText(['latest', 'arm64', '3 KiB'])
  await expect(table.locator('strong')).toHaveText('arm64')
  await expect(page.getByTestId('markdown')).not.toContainText('|:----|')
})

test('the delivery log shows Redeliver whole at 1440 px and on a phone', async ({ page }) => {
  await logIn(page, user)
  await page.goto(`/projects/${project}`)
  await page.getByRole('tab', { name: 'Webhooks' }).click()
  await page.getByRole('button', { name: 'Deliveries', exact: true }).click()
  const rows = page.getByTestId('delivery-row')
  await expect(rows).toHaveCount(2)
  for (let i = 0; i < 2; i++) await expectFullyVisible(page, rows.nth(i).getByRole('button', { name: /^Redeliver / }), `Redeliver on row ${i + 1} at 1440 px`)
  await page.screenshot({ path: 'test-results/delivery-log-1440.png', fullPage: true })
  await page.setViewportSize(PHONE_VIEWPORT)
  for (let i = 0; i < 2; i++) await expectFullyVisible(page, rows.nth(i).getByRole('button', { name: /^Redeliver / }), `Redeliver on row ${i + 1} at 390 px`)
  const before = receiver.received
  await rows
    .first()
    .getByRole('button', { name: /^Redeliver / })
    .click()
  await expect.poll(() => receiver.received, { message: 'the redelivery arrives' }).toBeGreaterThan(before)
  await page.screenshot({ path: 'test-results/delivery-log-390.png', fullPage: true })
})
