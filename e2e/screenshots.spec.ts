// Screenshots of every main page at 1440×900 and 390×844 into test-results/screenshots/<page>-<width>.png,
// on a seeded project (a repository with an artifact and a Markdown description, a webhook with
// deliveries), and on each page at each width the document never scrolls sideways.
import { expect, test, type Page } from '@playwright/test'
import { Seeder, WebhookReceiver } from './seed'
import { logIn, PHONE_VIEWPORT, skopeoPush } from './support'

const admin = { username: 'admin', password: 'e2e-admin-password', email: 'admin@example.com' }
const suffix = Date.now().toString(36)
const project = `screens-${suffix}`
const repo = 'platform-services/customer-notifications-gateway'
const tag = 'release-2026.11.28-build.1234567890'
const WIDTHS = [{ width: 1440, height: 900 }, PHONE_VIEWPORT]
const receiver = new WebhookReceiver()

test.afterAll(() => receiver.stop())

/** Screenshot of the page as it is now, and (softly, so every page is captured) no sideways scrolling. */
async function capture(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle')
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth }))
  await page.screenshot({ path: `test-results/screenshots/${name}-${innerWidth}.png`, fullPage: true })
  expect.soft(scrollWidth, `${name} at ${innerWidth} px scrolls sideways`).toBeLessThanOrEqual(innerWidth)
}

test('screenshots of the main pages at 1440 and 390 px, none scrolling sideways', async ({ page, request, baseURL }) => {
  test.setTimeout(300_000)
  const host = new URL(baseURL!).host
  const seed = new Seeder(request, admin)
  await seed.project(project, true)
  const webhook = await seed.webhook(project, 'deploy-pipeline', await receiver.start())
  skopeoPush(host, admin, `${project}/${repo}`, [tag, 'latest'])
  await seed.testEvent(project, webhook)
  await seed.describeRepository(project, repo, ['Notifications gateway images.', '', '| Tag | Arch |', '|-----|:----:|', `| \`${tag}\` | amd64 |`].join('\n'))
  await seed.settled(project, webhook, 2)

  for (const viewport of WIDTHS) {
    await page.setViewportSize(viewport)
    await page.goto('/')
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
    await capture(page, 'landing')
    await page.goto('/login')
    await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible()
    await capture(page, 'login')
  }

  await logIn(page, admin)
  for (const viewport of WIDTHS) {
    await page.setViewportSize(viewport)
    await page.goto('/projects')
    await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible()
    await capture(page, 'projects')

    await page.goto(`/projects/${project}`)
    await expect(page.getByRole('heading', { name: project })).toBeVisible()
    for (const [tab, name] of [
      ['Repositories', 'project-repositories'],
      ['Members', 'project-members'],
      ['Robot accounts', 'project-robots'],
      ['Webhooks', 'project-webhooks'],
      ['Settings', 'project-settings'],
    ] as const) {
      await page.getByRole('tab', { name: tab }).click()
      await expect(page.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true')
      if (tab === 'Repositories') await expect(page.getByTestId('repository-table')).toBeVisible()
      if (tab === 'Webhooks') {
        await page.getByRole('button', { name: 'Deliveries', exact: true }).click()
        await expect(page.getByTestId('delivery-row').nth(1)).toBeVisible()
      }
      await capture(page, name)
    }

    await page.goto(`/projects/${project}/repositories/${repo}`)
    await expect(page.getByTestId('artifact-row')).toHaveCount(1)
    await capture(page, 'repository')
    await page
      .getByTestId('artifact-row')
      .getByRole('link', { name: /^sha256:/ })
      .click()
    await expect(page.getByRole('heading', { name: /Layers/ })).toBeVisible()
    await capture(page, 'artifact')

    await page.goto('/account')
    await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeVisible()
    await capture(page, 'account')
    await page.goto('/admin')
    await expect(page.getByRole('heading', { name: 'Administration' })).toBeVisible()
    await capture(page, 'admin')
    await page.goto('/admin/webhooks')
    await expect(page.getByRole('heading', { name: 'System webhooks', level: 1 })).toBeVisible()
    await capture(page, 'admin-webhooks')
    await page.goto('/api-reference')
    await expect(page.getByRole('heading', { name: 'API reference' })).toBeVisible()
    await expect(page.getByTestId('operation').first()).toBeVisible()
    await capture(page, 'api-reference')
  }
})
