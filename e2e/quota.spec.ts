// Storage quotas in a real browser (issue #13): the system admin sets a project's quota in its
// settings, the project page shows the usage bar and each repository's size, skopeo (a real client)
// is refused with Harbor's "quota exceeded" message once the quota is used up, and the admin page
// holds the system defaults. Screenshots go to test-results/.
import { execFileSync } from 'node:child_process'
import { expect, test } from '@playwright/test'
import { basicAuth, logIn, skopeoPush } from './support'

const admin = { username: 'admin', email: 'admin@example.com', password: 'e2e-admin-password' }
const project = `quota-${Date.now().toString(36)}`

test('the admin sets a quota, the project page shows the bar, skopeo is refused when it is used up', async ({ page, request, baseURL }) => {
  const host = new URL(baseURL!).host
  const auth = { authorization: basicAuth(admin.username, admin.password) }
  expect((await request.post('/api/v1/projects', { headers: auth, data: { name: project } })).status()).toBe(201)
  skopeoPush(host, admin, `${project}/app`, ['1.0'], 300_000)

  await logIn(page, admin)
  await page.goto(`/projects/${project}/settings`)
  const form = page.getByRole('form', { name: 'Storage quota', exact: true })
  await expect(form).toBeVisible()
  await form.getByLabel('No quota (unlimited)').uncheck()
  await form.getByLabel('Quota', { exact: true }).fill('0.5')
  await form.getByLabel('Unit').selectOption('MiB')
  await form.getByRole('button', { name: 'Save quota' }).click()
  await expect(page.getByText(`The storage quota of ${project} is now 0.5 MiB.`)).toBeVisible()
  await page.screenshot({ path: 'test-results/quota-settings.png', fullPage: true })

  await page.goto(`/projects/${project}`)
  const meter = page.getByRole('meter', { name: 'Storage quota used' })
  await expect(meter).toBeVisible()
  await expect(page.getByTestId('storage-usage').first()).toContainText(/KiB of 512 KiB/)
  expect(Number(await meter.getAttribute('aria-valuenow'))).toBeGreaterThan(50)
  await expect(page.getByTestId('repository-table')).toContainText(/\d+(\.\d)? KiB/)
  await page.screenshot({ path: 'test-results/quota-project.png', fullPage: true })

  // A second image of the same size does not fit: skopeo fails with the registry's message.
  let failure = ''
  try {
    skopeoPush(host, admin, `${project}/app`, ['2.0'], 300_000)
  } catch (error) {
    failure = String((error as { stderr?: Buffer }).stderr ?? error)
  }
  expect(failure).toMatch(new RegExp(`quota exceeded: ${project} uses \\d+(\\.\\d)? KiB of 512 KiB`))
  const tags = execFileSync('skopeo', ['list-tags', '--tls-verify=false', '--creds', `${admin.username}:${admin.password}`, `docker://${host}/${project}/app`], {
    encoding: 'utf8',
  })
  expect(JSON.parse(tags).Tags).toEqual(['1.0'])
})

test('the admin page holds the quota defaults', async ({ page }) => {
  await logIn(page, admin)
  await page.goto('/admin')
  const form = page.getByRole('form', { name: 'Storage quotas', exact: true })
  await expect(form.getByLabel('Warning at (%)')).toHaveValue('85')
  await expect(form.getByLabel('Quota of new projects (GiB)')).toHaveValue('')
  await page.getByRole('heading', { name: 'Storage quotas' }).scrollIntoViewIfNeeded()
  await page.screenshot({ path: 'test-results/quota-admin.png', fullPage: true })
})
