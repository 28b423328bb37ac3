// Who sees what on the project pages, in a real browser: anonymous visitors browse a public project,
// its repository and artifact read-only (a private one is "not found"); the tabs and actions follow
// the caller's role; each tab has its own URL (Back/Forward, reload, old #hash links); every page has
// its own title. Screenshots go to test-results/.
import { expect, test, type Browser, type Page } from '@playwright/test'
import { basicAuth, logIn, skopeoPush, type TestUser } from './support'

test.describe.configure({ mode: 'serial' })

const suffix = Date.now().toString(36)
const account = (name: string): TestUser => ({ username: `${name}-${suffix}`, email: `${name}-${suffix}@example.com`, password: `Pass-${name}-${suffix}-9` })
const owner = account('owner')
const maintainer = account('maint')
const developer = account('dev')
const guest = account('guest')
const publicProject = `open-${suffix}`
const privateProject = `closed-${suffix}`
const repository = 'app'
const emptyRepository = 'empty'
let digest = ''

const TAB_NAMES = ['Repositories', 'Members', 'Robot accounts', 'Webhooks', 'Tag immutability', 'Tag retention', 'Logs', 'Settings']

async function expectTabs(page: Page, visible: string[]): Promise<void> {
  await expect(page.getByRole('tab', { name: 'Repositories' })).toBeVisible()
  for (const name of TAB_NAMES) await expect(page.getByRole('tab', { name, exact: true }), name).toHaveCount(visible.includes(name) ? 1 : 0)
}

async function signedIn(browser: Browser, baseURL: string, user: TestUser): Promise<Page> {
  const context = await browser.newContext({ baseURL })
  const page = await context.newPage()
  await logIn(page, user)
  return page
}

test.beforeAll(async ({ request, baseURL }) => {
  for (const user of [owner, maintainer, developer, guest]) {
    const created = await request.post('/api/v1/users', { data: user })
    expect(created.status(), await created.text()).toBe(201)
  }
  const auth = { authorization: basicAuth(owner.username, owner.password) }
  for (const [name, isPublic] of [
    [publicProject, true],
    [privateProject, false],
  ] as const) {
    const created = await request.post('/api/v1/projects', { headers: auth, data: { name, public: isPublic } })
    expect(created.status(), await created.text()).toBe(201)
  }
  for (const [user, role] of [
    [maintainer, 'maintainer'],
    [developer, 'developer'],
    [guest, 'guest'],
  ] as const) {
    const added = await request.post(`/api/v1/projects/${publicProject}/members`, { headers: auth, data: { username: user.username, role } })
    expect(added.status(), await added.text()).toBe(201)
  }
  const empty = await request.post(`/api/v1/projects/${publicProject}/repositories`, { headers: auth, data: { name: emptyRepository } })
  expect(empty.status(), await empty.text()).toBe(201)
  const host = new URL(baseURL!).host
  skopeoPush(host, owner, `${publicProject}/${repository}`, ['v1'])
  skopeoPush(host, owner, `${privateProject}/${repository}`, ['v1'])
  const artifacts = await request.get(`/api/v1/projects/${publicProject}/repositories/${repository}/artifacts`, { headers: auth })
  digest = (await artifacts.json())[0].digest
})

test('anonymous visitors browse a public project, its repository and artifact read-only; a private one is not found', async ({ page }) => {
  // The projects page lists the public projects, without the create form.
  await page.goto('/projects')
  await expect(page).toHaveURL(/\/projects$/)
  await expect(page.getByRole('heading', { name: 'Public projects' })).toBeVisible()
  await expect(page.getByRole('link', { name: publicProject, exact: true })).toBeVisible()
  await expect(page.getByRole('link', { name: privateProject, exact: true })).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'Create project' })).toHaveCount(0)
  await expect(page.getByTestId('sign-in-hint')).toBeVisible()

  // The project: repositories only, nothing to create, a hint to log in.
  await page.getByRole('link', { name: publicProject, exact: true }).click()
  await expect(page).toHaveURL(new RegExp(`/projects/${publicProject}$`))
  await expect(page.getByRole('heading', { name: publicProject })).toBeVisible()
  await expect(page.getByTestId('repository-table')).toContainText(repository)
  await expectTabs(page, ['Repositories'])
  await expect(page.getByRole('heading', { name: 'Create repository' })).toHaveCount(0)
  await expect(page.getByTestId('sign-in-hint')).toBeVisible()
  await page.screenshot({ path: 'test-results/anonymous-public-project.png', fullPage: true })

  // The repository: its artifacts, without edit or delete controls.
  await page.getByRole('link', { name: repository, exact: true }).click()
  await expect(page.getByTestId('artifact-table')).toContainText('v1')
  await expect(page.getByRole('button', { name: /^Delete/ })).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'Edit description' })).toHaveCount(0)

  // The artifact: its layers, without the form to add a tag.
  await page.goto(`/projects/${publicProject}/repositories/${repository}/artifacts/${encodeURIComponent(digest)}`)
  await expect(page.getByRole('heading', { name: 'Layers (1)' })).toBeVisible()
  await expect(page.getByLabel('Tag name')).toHaveCount(0)
  await expect(page.getByRole('button', { name: /^Delete/ })).toHaveCount(0)

  // A private project is "not found", never sent to the login page nor shown.
  for (const path of [`/projects/${privateProject}`, `/projects/${privateProject}/members`]) {
    await page.goto(path)
    await expect(page.getByTestId('project-error')).toContainText(`There is no project named ${privateProject} that you can see.`)
    await expect(page.getByTestId('repository-table')).toHaveCount(0)
  }
  await page.goto(`/projects/${privateProject}/repositories/${repository}`)
  await expect(page.getByTestId('repository-error')).toContainText('that you can see')
  await expect(page.getByTestId('artifact-table')).toHaveCount(0)
})

test('tabs and actions follow the role: guest, developer, maintainer, project admin', async ({ browser, baseURL }) => {
  const base = `/projects/${publicProject}`

  const guestPage = await signedIn(browser, baseURL!, guest)
  await guestPage.goto(base)
  await expectTabs(guestPage, ['Repositories', 'Members', 'Logs'])
  await expect(guestPage.getByRole('heading', { name: 'Create repository' })).toHaveCount(0)
  await guestPage.getByRole('tab', { name: 'Members' }).click()
  await expect(guestPage.getByTestId('member-list')).toContainText(owner.username)
  await expect(guestPage.getByRole('button', { name: /^Remove/ })).toHaveCount(0)
  await expect(guestPage.getByRole('button', { name: 'Add member' })).toHaveCount(0)
  // An empty repository offers push commands only to those who may push.
  await guestPage.goto(`${base}/repositories/${emptyRepository}`)
  await expect(guestPage.getByTestId('artifacts-empty')).toContainText('No artifacts yet.')
  await expect(guestPage.getByTestId('artifacts-empty')).not.toContainText('docker push')
  await guestPage.context().close()

  const developerPage = await signedIn(browser, baseURL!, developer)
  await developerPage.goto(base)
  await expectTabs(developerPage, ['Repositories', 'Members', 'Logs'])
  await expect(developerPage.getByRole('heading', { name: 'Create repository' })).toBeVisible()
  await developerPage.goto(`${base}/repositories/${emptyRepository}`)
  await expect(developerPage.getByTestId('artifacts-empty')).toContainText('docker push')
  await developerPage.goto(base)
  // A shared link to a tab the developer may not use lands on the first tab.
  await developerPage.goto(`${base}/robots`)
  await expect(developerPage).toHaveURL(new RegExp(`${base}$`))
  await expect(developerPage.getByRole('tab', { name: 'Repositories' })).toHaveAttribute('aria-selected', 'true')
  await expect(developerPage.getByRole('heading', { name: 'Create robot account' })).toHaveCount(0)
  await developerPage.getByRole('link', { name: repository, exact: true }).click()
  await expect(developerPage.getByTestId('artifact-table')).toContainText('v1')
  await expect(developerPage.getByRole('button', { name: 'Edit description' })).toBeVisible()
  await expect(developerPage.getByRole('button', { name: /^Delete/ })).toHaveCount(0)
  await developerPage.context().close()

  const maintainerPage = await signedIn(browser, baseURL!, maintainer)
  await maintainerPage.goto(`${base}/robots`)
  await expectTabs(maintainerPage, ['Repositories', 'Members', 'Robot accounts', 'Tag immutability', 'Tag retention', 'Logs'])
  await expect(maintainerPage.getByRole('tab', { name: 'Robot accounts' })).toHaveAttribute('aria-selected', 'true')
  await expect(maintainerPage.getByRole('heading', { name: 'Robot accounts' })).toBeVisible()
  await expect(maintainerPage.getByRole('heading', { name: 'Create robot account' })).toHaveCount(0)
  await maintainerPage.context().close()

  const ownerPage = await signedIn(browser, baseURL!, owner)
  await ownerPage.goto(base)
  await expectTabs(ownerPage, TAB_NAMES)
  await ownerPage.getByRole('tab', { name: 'Robot accounts' }).click()
  await expect(ownerPage.getByRole('heading', { name: 'Create robot account' })).toBeVisible()
  await ownerPage.getByRole('tab', { name: 'Settings' }).click()
  await expect(ownerPage.getByRole('button', { name: 'Delete project…' })).toBeVisible()
  await ownerPage.context().close()
})

test('each project tab has its own URL: Back and Forward move between tabs, reload keeps it, #hash links still work', async ({ page }) => {
  const base = `/projects/${publicProject}`
  await logIn(page, owner)
  await page.goto(base)
  const selected = (name: string) => expect(page.getByRole('tab', { name, exact: true })).toHaveAttribute('aria-selected', 'true')
  await selected('Repositories')
  await page.getByRole('tab', { name: 'Members' }).click()
  await expect(page).toHaveURL(new RegExp(`${base}/members$`))
  await selected('Members')
  await page.getByRole('tab', { name: 'Robot accounts' }).click()
  await expect(page).toHaveURL(new RegExp(`${base}/robots$`))
  await selected('Robot accounts')

  await page.goBack()
  await expect(page).toHaveURL(new RegExp(`${base}/members$`))
  await selected('Members')
  await expect(page.getByTestId('member-list')).toContainText(owner.username)
  await page.goBack()
  await expect(page).toHaveURL(new RegExp(`${base}$`))
  await selected('Repositories')
  await page.goForward()
  await expect(page).toHaveURL(new RegExp(`${base}/members$`))
  await selected('Members')
  await page.reload()
  await selected('Members')

  await page.goto(`${base}#settings`)
  await expect(page).toHaveURL(new RegExp(`${base}/settings$`))
  await selected('Settings')
  expect((await page.goto(`${base}/nonsense`))?.status()).toBe(404)
})

test('every page has its own title', async ({ page, browser, baseURL }) => {
  const anonymous = await browser.newContext({ baseURL })
  const visitor = await anonymous.newPage()
  for (const [path, title] of [
    ['/', 'Harbormaster registry'],
    ['/login', 'Log in · Harbormaster'],
    ['/signup', 'Sign up · Harbormaster'],
    ['/api-reference', 'API reference · Harbormaster'],
  ]) {
    await visitor.goto(path)
    await expect(visitor, path).toHaveTitle(title)
  }
  await anonymous.close()

  await logIn(page, owner)
  const repositoryPage = `/projects/${publicProject}/repositories/${repository}`
  for (const [path, title] of [
    ['/projects', 'Projects · Harbormaster'],
    [`/projects/${publicProject}`, `${publicProject} · Harbormaster`],
    [`/projects/${publicProject}/members`, `Members · ${publicProject} · Harbormaster`],
    [`/projects/${publicProject}/settings`, `Settings · ${publicProject} · Harbormaster`],
    [repositoryPage, `${publicProject}/${repository} · Harbormaster`],
    [`${repositoryPage}/artifacts/${encodeURIComponent(digest)}`, `${publicProject}/${repository}@${digest.slice(0, 19)}… · Harbormaster`],
    ['/account', 'Account · Harbormaster'],
    ['/admin', 'Administration · Harbormaster'],
  ]) {
    await page.goto(path)
    await expect(page, path).toHaveTitle(title)
  }
})
