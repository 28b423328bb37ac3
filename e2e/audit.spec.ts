// The audit log pages in a real browser: a project's Logs tab (read by a guest, as in Harbor) shows
// the pushes (skopeo), the pulls coalesced into one entry with their count, and a /v2 tag delete,
// filtered by operation, resource and time on the server; the system page (/admin/audit, linked from
// Administration) filters by operator and operation and pages; other users are told it is for
// administrators; at phone width nothing scrolls sideways. Screenshots go to test-results/.
import { expect, test, type APIRequestContext } from '@playwright/test'
import { PHONE_VIEWPORT, basicAuth, expectNoHorizontalOverflow, logIn, skopeoPush, type TestUser } from './support'

test.describe.configure({ mode: 'serial' })

const suffix = Date.now().toString(36)
const account = (name: string): TestUser => ({ username: `${name}-${suffix}`, email: `${name}-${suffix}@example.com`, password: `Pass-${name}-${suffix}-9` })
const admin = { username: 'admin', password: 'e2e-admin-password' }
const owner = account('auditor')
const guest = account('watcher')
const project = `audited-${suffix}`
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const REPOSITORIES = 26

/** Polls the project's log until `action` has an entry (pulls are written within about a second). */
async function entriesOf(request: APIRequestContext, action: string): Promise<{ resource: string; detail: { count?: number } }[]> {
  const auth = { authorization: basicAuth(owner.username, owner.password) }
  let entries: { resource: string; detail: { count?: number } }[] = []
  await expect
    .poll(
      async () => {
        entries = await (await request.get(`/api/v1/projects/${project}/audit-logs?action=${action}`, { headers: auth })).json()
        return entries.length
      },
      { timeout: 15_000 },
    )
    .toBeGreaterThan(0)
  return entries
}

test.beforeAll(async ({ request, baseURL }) => {
  test.setTimeout(180_000)
  for (const user of [owner, guest]) {
    const created = await request.post('/api/v1/users', { data: user })
    expect(created.status(), await created.text()).toBe(201)
  }
  const auth = { authorization: basicAuth(owner.username, owner.password) }
  const created = await request.post('/api/v1/projects', { headers: auth, data: { name: project, public: false } })
  expect(created.status(), await created.text()).toBe(201)
  const added = await request.post(`/api/v1/projects/${project}/members`, { headers: auth, data: { username: guest.username, role: 'guest' } })
  expect(added.status(), await added.text()).toBe(201)
  // Enough entries of one operation for two pages.
  for (let i = 0; i < REPOSITORIES; i++) {
    const repository = await request.post(`/api/v1/projects/${project}/repositories`, { headers: auth, data: { name: `empty-${i}` } })
    expect(repository.status(), await repository.text()).toBe(201)
  }
  skopeoPush(new URL(baseURL!).host, owner, `${project}/app`, ['1.0', '2.0'])
  // Three pulls and a HEAD (which is no pull), then a tag delete on /v2.
  for (let i = 0; i < 3; i++) {
    const pulled = await request.get(`/v2/${project}/app/manifests/1.0`, { headers: { ...auth, accept: OCI_MANIFEST } })
    expect(pulled.status()).toBe(200)
  }
  expect((await request.head(`/v2/${project}/app/manifests/1.0`, { headers: { ...auth, accept: OCI_MANIFEST } })).status()).toBe(200)
  expect((await request.delete(`/v2/${project}/app/manifests/2.0`, { headers: auth })).status()).toBe(202)
  const pulls = await entriesOf(request, 'artifact.pull')
  expect(pulls).toHaveLength(1)
  expect(pulls[0].detail.count).toBe(3)
})

test("a guest reads the project's Logs tab: pushes, coalesced pulls and a delete, filtered on the server", async ({ page }) => {
  await logIn(page, guest)
  await page.goto(`/projects/${project}`)
  await page.getByRole('tab', { name: 'Logs' }).click()
  await expect(page).toHaveURL(new RegExp(`/projects/${project}/logs$`))
  const table = page.getByTestId('audit-table')
  await expect(table.getByRole('row').filter({ hasText: 'artifact.pull' })).toContainText('3 pulls')
  await expect(table.getByRole('row').filter({ hasText: 'tag.delete' })).toContainText(`${project}/app:2.0`)
  await expect(table.getByRole('row').filter({ hasText: 'artifact.push' })).toHaveCount(2)
  await page.screenshot({ path: 'test-results/audit-project-logs.png', fullPage: true })

  await page.getByLabel('Operation').fill('artifact.pull')
  await expect(table.getByRole('row')).toHaveCount(2)
  await expect(table).toContainText(owner.username)
  await page.getByLabel('Operation').fill('')
  await page.getByLabel('Resource starts with').fill(`${project}/app:`)
  await expect(table.getByRole('row').filter({ hasText: 'artifact.push' })).toHaveCount(2)
  await expect(table.getByRole('row').filter({ hasText: 'repository.create' })).toHaveCount(0)
  await page.screenshot({ path: 'test-results/audit-project-logs-filtered.png', fullPage: true })

  // A time range in the future: nothing, then Clear brings everything back.
  await page.getByLabel('From').fill('2099-01-01T00:00')
  await expect(page.getByTestId('audit-empty')).toHaveText('No entries match these filters.')
  await page.getByRole('button', { name: 'Clear' }).click()
  await expect(table.getByRole('row').filter({ hasText: 'repository.create' }).first()).toBeVisible()

  // On a phone the filters stack and the table scrolls in its own box.
  await page.setViewportSize(PHONE_VIEWPORT)
  await expect(table).toBeVisible()
  await expectNoHorizontalOverflow(page, 'test-results/audit-project-logs-phone.png')
})

test('the system audit log: admins filter by operator and operation and page through; others are refused', async ({ page }) => {
  await logIn(page, admin)
  await page.goto('/admin')
  await page.getByRole('link', { name: 'View the audit log' }).click()
  await expect(page).toHaveURL(/\/admin\/audit$/)
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible()
  const table = page.getByTestId('audit-table')
  await expect(table).toBeVisible()

  await page.getByLabel('Operator').fill(owner.username)
  await page.getByLabel('Operation').fill('repository.create')
  const pages = page.getByRole('navigation', { name: 'entries pages' })
  await expect(pages).toContainText(`1–25 of ${REPOSITORIES} entries`)
  await expect(table.getByRole('row')).toHaveCount(26)
  await page.screenshot({ path: 'test-results/audit-system.png', fullPage: true })
  await pages.getByRole('button', { name: 'Next' }).click()
  await expect(pages).toContainText(`26–26 of ${REPOSITORIES} entries`)
  await expect(table.getByRole('row')).toHaveCount(2)
  // Newest first: the last page holds the first repository created.
  await expect(table).toContainText(`${project}/empty-0`)
  // A new filter starts again at page 1.
  await page.getByLabel('Operation').fill('project.create')
  await expect(table.getByRole('row')).toHaveCount(2)
  await expect(table).toContainText(project)

  await page.context().clearCookies()
  await logIn(page, owner)
  await page.goto('/admin/audit')
  await expect(page.getByTestId('admin-forbidden')).toBeVisible()
  await page.screenshot({ path: 'test-results/audit-system-forbidden.png', fullPage: true })
})
