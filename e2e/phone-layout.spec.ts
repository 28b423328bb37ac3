// Phone width (390 × 844): the projects list, a project page, a repository page with artifacts and
// an artifact page fit the screen (the document never scrolls sideways; wide tables scroll in their
// own box) and their main controls are visible. The header is one row (its links behind a Menu
// button), the project tabs scroll with a visible cue and keep the current tab in view, and
// repository names wrap after '/' rather than inside a word. Screenshots go to test-results/*-phone.png.
import { expect, test, type Locator, type Page } from '@playwright/test'
import { MT } from '../tests/support/oci'
import { basicAuth, expectNoHorizontalOverflow, PHONE_VIEWPORT, signUp, skopeoPush } from './support'

test.use({ viewport: PHONE_VIEWPORT })

const suffix = Date.now().toString(36)
const user = { username: `phone-${suffix}`, email: `phone-${suffix}@example.com`, password: 'phone-password-1' }
// Long names and tags: the worst case for a narrow screen.
const project = `mobile-layout-project-${suffix}`
const repo = 'platform-services/customer-notifications-gateway'
const tags = ['release-2026.11.28-build.1234567890', 'latest']
// One row of the header: its padding and one control (a button or the search field).
const ONE_ROW = 64

async function expectOneRowHeader(page: Page): Promise<void> {
  const box = (await page.locator('header').first().boundingBox())!
  expect(box.height, 'the header is one row high').toBeLessThanOrEqual(ONE_ROW)
}

/** The character before each line break of `locator`'s text, as laid out. */
async function lineBreaks(locator: Locator): Promise<string[]> {
  return locator.evaluate((element) => {
    const chars: { ch: string; top: number }[] = []
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
      for (let i = 0; i < node.data.length; i++) {
        const range = document.createRange()
        range.setStart(node, i)
        range.setEnd(node, i + 1)
        const rect = range.getClientRects()[0]
        if (rect && node.data[i].trim()) chars.push({ ch: node.data[i], top: rect.top })
      }
    }
    const breaks: string[] = []
    for (let i = 1; i < chars.length; i++) if (chars[i].top > chars[i - 1].top + 2) breaks.push(`${chars[i - 1].ch}|${chars[i].ch}`)
    return breaks
  })
}

/** Each tab can be scrolled to and is then entirely inside the tab strip. */
async function expectInsideTabStrip(page: Page, tab: Locator): Promise<void> {
  const strip = (await page.getByRole('tablist').boundingBox())!
  const box = (await tab.boundingBox())!
  expect(box.x, `${await tab.textContent()} starts inside the tab strip`).toBeGreaterThanOrEqual(strip.x - 0.5)
  expect(box.x + box.width, `${await tab.textContent()} ends inside the tab strip`).toBeLessThanOrEqual(strip.x + strip.width + 0.5)
}

test('projects list, project, repository and artifact pages fit a phone', async ({ page, request, baseURL }) => {
  const host = new URL(baseURL!).host
  // Anonymous: one header row, its links behind Menu.
  await page.goto('/')
  await expectOneRowHeader(page)
  await signUp(page, user)
  await expectOneRowHeader(page)
  const menu = page.getByRole('button', { name: 'Menu' })
  await expect(page.getByRole('link', { name: 'Account', exact: true })).toBeHidden()
  await menu.click()
  await expect(menu).toHaveAttribute('aria-expanded', 'true')
  await expect(page.getByRole('link', { name: 'Account', exact: true })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible()
  await page.screenshot({ path: 'test-results/header-menu-phone.png' })
  await page.keyboard.press('Escape')
  await expect(page.getByRole('link', { name: 'Account', exact: true })).toBeHidden()

  // The projects list: create a project from it.
  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible()
  await expect(page.getByLabel('Search projects and repositories')).toBeVisible()
  await page.getByLabel('Project name').fill(project)
  await expect(page.getByRole('button', { name: 'Create project' })).toBeVisible()
  await page.getByRole('button', { name: 'Create project' }).click()
  await expect(page.getByText(`Project ${project} created.`)).toBeVisible()
  await expect(page.getByTestId('project-list').getByRole('link', { name: project })).toBeVisible()
  await expectNoHorizontalOverflow(page, 'test-results/projects-phone.png')

  skopeoPush(host, user, `${project}/${repo}`, tags)
  const served = await request.get(`/v2/${project}/${repo}/manifests/latest`, { headers: { authorization: basicAuth(user.username, user.password), accept: MT.ociManifest } })
  const digest = served.headers()['docker-content-digest']

  // A project page: its tabs and the repository list.
  await page.getByTestId('project-list').getByRole('link', { name: project }).click()
  await expect(page.getByRole('heading', { name: project })).toBeVisible()
  for (const tab of ['Repositories', 'Members', 'Robot accounts', 'Settings']) await expect(page.getByRole('tab', { name: tab })).toBeVisible()
  await expectOneRowHeader(page)
  // The tabs do not fit: a cue marks the side with more, and every tab can be scrolled to.
  await expect(page.getByTestId('tabs-more-end')).toBeVisible()
  await expect(page.getByTestId('tabs-more-start')).toHaveCount(0)
  for (const name of ['Repositories', 'Members', 'Robot accounts', 'Webhooks', 'Settings']) {
    const tab = page.getByRole('tab', { name })
    await tab.scrollIntoViewIfNeeded()
    await expectInsideTabStrip(page, tab)
  }
  await expect(page.getByTestId('tabs-more-start')).toBeVisible()
  // The current tab is scrolled into view when the page opens on it.
  await page.getByRole('tab', { name: 'Settings' }).click()
  // The tab is its own URL: reload only once the navigation to it has happened.
  await expect(page).toHaveURL(/\/settings$/)
  await page.reload()
  await expect(page.getByRole('tab', { name: 'Settings' })).toHaveAttribute('aria-selected', 'true')
  await expectInsideTabStrip(page, page.getByRole('tab', { name: 'Settings' }))
  await page.getByRole('tab', { name: 'Repositories' }).click()
  // The repository name wraps after a '/' or a '-', never between two letters.
  const repositoryLink = page.getByTestId('repository-table').getByRole('link', { name: repo })
  await expect(repositoryLink).toBeVisible()
  for (const at of await lineBreaks(repositoryLink)) expect(at, 'the repository name breaks after / or -').toMatch(/^[/-]\|/)
  await expect(page.getByLabel('Search repositories')).toBeVisible()
  await expect(page.getByLabel('Repository name')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Create repository' })).toBeVisible()
  await expect(page.getByTestId('repository-table').getByRole('link', { name: repo })).toBeVisible()
  await expectNoHorizontalOverflow(page, 'test-results/project-phone.png')

  // The repository page: filters, and the artifact table scrolling in its own box.
  await page.getByTestId('repository-table').getByRole('link', { name: repo }).click()
  await expect(page.getByRole('heading', { name: `${project}/${repo}` })).toBeVisible()
  // The long heading wraps at '/' or after a '-' (a word boundary), never between two letters.
  const headingBreaks = await lineBreaks(page.getByRole('heading', { name: `${project}/${repo}` }))
  expect(headingBreaks.length, 'the heading needs more than one line on a phone').toBeGreaterThan(0)
  for (const at of headingBreaks) expect(at, 'the heading breaks after / or -').toMatch(/^[/-]\|/)
  await expect(page.getByLabel('Filter by tag')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Untagged', exact: true })).toBeVisible()
  await expect(page.getByLabel('Per page')).toBeVisible()
  await expect(page.getByTestId('artifact-row')).toHaveCount(1)
  await expect(page.getByRole('link', { name: digest.slice(0, 19) })).toBeVisible()
  await expectNoHorizontalOverflow(page, 'test-results/repository-artifacts-phone.png')

  // The artifact page: digest, tags with their pull commands, add a tag, layers.
  await page.getByRole('link', { name: digest.slice(0, 19) }).click()
  await expect(page.getByRole('heading', { name: 'Layers (1)' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Copy digest' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Copy pull command by digest' })).toBeVisible()
  for (const tag of tags) await expect(page.getByRole('button', { name: `Copy pull command for ${tag}` })).toBeVisible()
  await expect(page.getByLabel('Tag name')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Add tag' })).toBeVisible()
  await page.getByText('Raw manifest').click()
  await expect(page.getByTestId('raw-manifest')).toBeVisible()
  await expectNoHorizontalOverflow(page, 'test-results/artifact-phone.png')
})
