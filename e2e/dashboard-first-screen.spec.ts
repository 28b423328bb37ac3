// The first screen of the project and repository pages comes with the HTML (issue #15): the server
// renders the table's first page, so it is there before any script runs (checked with JavaScript
// off), only for a caller allowed to see it; with JavaScript on, the page then works from that data
// (filters and search still ask the API over the whole list) and the console stays clean.
import { expect, test, type Page } from '@playwright/test'
import { Seeder } from './seed'
import { signUp as signUpAs, skopeoPush } from './support'

test.describe.configure({ mode: 'serial' })

const suffix = Date.now().toString(36)
const user = { username: `first-${suffix}`, email: `first-${suffix}@example.com`, password: 'first-screen-password-1' }
const project = `screen-${suffix}`
const repo = 'team/web'
// Tags no page would show by accident.
const [first, second, third] = ['alpha', 'beta', 'gamma'].map((name) => `${name}-${suffix}`)

/** Console errors and warnings, page errors and CSP violations of `page` from now on. */
function watchConsole(page: Page): string[] {
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  return problems
}

test('project and repository pages arrive with their first rows; only for who may see them; filters still ask the API', async ({ page, browser, baseURL }) => {
  // Two skopeo pushes, three browser contexts: more than the default minute on a busy machine.
  test.setTimeout(180_000)
  await signUpAs(page, user)
  await new Seeder(page.request, user).project(project)
  skopeoPush(new URL(baseURL!).host, user, `${project}/${repo}`, [first, second])
  skopeoPush(new URL(baseURL!).host, user, `${project}/${repo}`, [third])

  // JavaScript off: what the server sent is all there is.
  const noScript = await browser.newContext({ baseURL, javaScriptEnabled: false, storageState: await page.context().storageState() })
  try {
    const html = await noScript.newPage()
    await html.goto(`/projects/${project}`)
    await expect(html.getByRole('heading', { name: project })).toBeVisible()
    await expect(html.getByTestId('repository-table').getByRole('link', { name: repo })).toBeVisible()
    await html.goto(`/projects/${project}/repositories/${repo}`)
    await expect(html.getByTestId('artifact-row')).toHaveCount(2)
    await expect(html.getByTestId('artifact-table')).toContainText(first)
    await expect(html.getByTestId('artifact-table')).toContainText(third)
    await expect(html.getByText('Delete repository…')).toBeVisible()
  } finally {
    await noScript.close()
  }

  // Nobody else gets it in their HTML: an anonymous visitor's pages hold no row and no tag.
  const anonymous = await browser.newContext({ baseURL, javaScriptEnabled: false })
  try {
    const html = await anonymous.newPage()
    const projectPage = (await (await html.goto(`/projects/${project}`))?.text()) ?? ''
    expect(projectPage).not.toContain(repo)
    await expect(html.getByTestId('repository-table')).toHaveCount(0)
    const repositoryPage = (await (await html.goto(`/projects/${project}/repositories/${repo}`))?.text()) ?? ''
    for (const tag of [first, second, third]) expect(repositoryPage).not.toContain(tag)
    await expect(html.getByTestId('artifact-row')).toHaveCount(0)
  } finally {
    await anonymous.close()
  }

  // JavaScript on: the same rows, then the tag filter asks the API (over every artifact) and the
  // project's search does too; nothing on the console.
  const problems = watchConsole(page)
  const apiCalls: string[] = []
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/v1/')) apiCalls.push(new URL(request.url()).pathname + new URL(request.url()).search)
  })
  await page.goto(`/projects/${project}/repositories/${repo}`)
  await expect(page.getByTestId('artifact-row')).toHaveCount(2)
  await page.getByLabel('Filter by tag').fill('gamma')
  await expect(page.getByTestId('artifact-row')).toHaveCount(1)
  await expect(page.getByTestId('artifact-table')).toContainText(third)
  expect(apiCalls.some((call) => call.includes('/artifacts?') && call.includes('tag=gamma'))).toBe(true)

  await page.goto(`/projects/${project}`)
  await expect(page.getByTestId('repository-table').getByRole('link', { name: repo })).toBeVisible()
  await page.getByLabel('Search repositories').fill('nothing-like-it')
  await expect(page.getByText('No repository matches “nothing-like-it”.')).toBeVisible()
  expect(apiCalls.some((call) => call.includes('/repositories?') && call.includes('q=nothing-like-it'))).toBe(true)
  expect(problems).toEqual([])
})
