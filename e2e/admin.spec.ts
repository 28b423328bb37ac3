// The admin page and the API reference in a real browser: the system admin sees the users, turns
// sign-up off (nothing offers sign-up any more, the sign-up page and POST /api/v1/users refuse, the
// admin still creates users), turns it back on, and cannot demote the last admin; disables, resets
// the password of, signs out and deletes a user; a normal user is told the page is for administrators only and the API refuses;
// the admin pages raise no Content-Security-Policy violation; the API reference lists the operations.
// Screenshots go to test-results/.
import { expect, test, type Page } from '@playwright/test'
import { basicAuth } from './support'

test.describe.configure({ mode: 'serial' })

const suffix = Date.now().toString(36)
const admin = { username: 'admin', password: 'e2e-admin-password' }
const carol = { username: `carol-${suffix}`, email: `carol-${suffix}@example.com`, password: 'carol-password-1' }
const dave = { username: `dave-${suffix}`, email: `dave-${suffix}@example.com`, password: 'dave-password-1' }
const erin = { username: `erin-${suffix}`, email: `erin-${suffix}@example.com`, password: 'erin-password-1' }

async function logIn(page: Page, user: { username: string; password: string }) {
  await page.goto('/login')
  await page.getByLabel('Username').fill(user.username)
  await page.getByLabel('Password').fill(user.password)
  await page.getByRole('button', { name: 'Log in' }).click()
  await expect(page.getByTestId('signed-in-user')).toContainText(user.username)
}

async function signUp(page: Page, user: typeof carol) {
  await page.goto('/signup')
  await page.getByLabel('Username').fill(user.username)
  await page.getByLabel('Email').fill(user.email)
  await page.getByLabel('Password', { exact: true }).fill(user.password)
  await page.getByLabel('Confirm password').fill(user.password)
  await page.getByRole('button', { name: 'Create account' }).click()
}

test('a normal user is told the admin page is for administrators only', async ({ page }) => {
  await signUp(page, carol)
  await expect(page.getByTestId('signed-in-user')).toContainText(carol.username)
  await expect(page.getByRole('link', { name: 'Admin', exact: true })).toHaveCount(0)
  await expect(page.getByRole('link', { name: 'API', exact: true })).toBeVisible()
  await page.goto('/admin')
  await expect(page.getByTestId('admin-forbidden')).toContainText('administrators only')
  await expect(page.getByTestId('users-table')).toHaveCount(0)
  // And the API refuses anyway.
  expect((await page.request.get('/api/v1/users')).status()).toBe(403)
  expect((await page.request.get('/api/v1/settings')).status()).toBe(403)
  expect((await page.request.put('/api/v1/settings', { data: { signupEnabled: false } })).status()).toBe(403)
  expect((await page.request.patch(`/api/v1/users/${carol.username}`, { data: { isAdmin: true } })).status()).toBe(403)
})

test('without a session /admin redirects to the login page', async ({ page }) => {
  await page.goto('/admin')
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fadmin/)
})

test('the admin pages render under the Content-Security-Policy without violations', async ({ page }) => {
  // The Admin page builds zod object schemas in the browser (registry endpoints' forms); zod must not
  // probe `new Function` there, which the policy (no 'unsafe-eval') refuses and reports.
  const violations: string[] = []
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to|unsafe-eval/i.test(message.text())) violations.push(message.text())
  })
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => console.error(`Refused to load: CSP ${event.violatedDirective} ${event.blockedURI}`))
  })
  await logIn(page, admin)
  for (const [path, heading] of [
    ['/admin', 'Administration'],
    ['/admin/gc', 'Garbage collection'],
    ['/admin/audit', 'Audit log'],
    ['/admin/webhooks', 'System webhooks'],
  ] as const) {
    await page.goto(path)
    await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible()
    await expect(page.getByText('Loading').first()).toBeHidden()
  }
  expect(violations).toEqual([])
})

test('the admin sees users, switches sign-up off and on, and cannot demote the last admin', async ({ page, browser }) => {
  await logIn(page, admin)
  await page.getByRole('link', { name: 'Admin', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Administration', level: 1 })).toBeVisible()
  const table = page.getByTestId('users-table')
  const adminRow = table.getByRole('row').filter({ hasText: /^admin/ })
  await expect(adminRow).toContainText('Admin')
  await expect(table.getByRole('row').filter({ hasText: carol.username })).toContainText(carol.email)

  // Search narrows the list.
  await page.getByLabel('Search users').fill(carol.username)
  await expect(table.getByRole('row')).toHaveCount(2) // header + carol
  await page.getByLabel('Search users').fill('')
  await expect(table.getByRole('row').filter({ hasText: /^admin/ })).toBeVisible()

  // Demoting the last admin shows the server's error and changes nothing.
  await page.getByRole('button', { name: 'Revoke admin from admin' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke admin' }).click()
  await expect(page.getByTestId('confirm-error')).toContainText('last system administrator')
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)

  // Promote carol, then take it back.
  const carolRow = table.getByRole('row').filter({ hasText: carol.username })
  await carolRow.getByRole('button', { name: `Make ${carol.username} admin` }).click()
  await expect(page.getByRole('dialog')).toContainText(`Make ${carol.username} a system administrator?`)
  await expect(page.getByTestId('confirm-error')).toHaveCount(0) // the failure above is not shown again
  await page.getByRole('dialog').getByRole('button', { name: 'Make admin' }).click()
  await expect(page.getByText(`${carol.username} is now a system administrator.`)).toBeVisible()
  await expect(carolRow.getByText('Admin', { exact: true })).toBeVisible()
  await carolRow.getByRole('button', { name: `Revoke admin from ${carol.username}` }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke admin' }).click()
  await expect(page.getByText(`${carol.username} is no longer a system administrator.`)).toBeVisible()
  await expect(carolRow.getByText('Admin', { exact: true })).toHaveCount(0)

  // Sign-up off: the sign-up page and the API refuse a new account.
  const signup = page.getByRole('switch', { name: 'Sign-up enabled' })
  await expect(signup).toHaveAttribute('aria-checked', 'true')
  await signup.click()
  await expect(signup).toHaveAttribute('aria-checked', 'false')
  await expect(page.getByText('Sign-up is now closed')).toBeVisible()
  await page.screenshot({ path: 'test-results/admin.png', fullPage: true })

  const anonymous = await browser.newContext()
  try {
    const visitor = await anonymous.newPage()
    const refused = await visitor.request.post('/api/v1/users', { data: { username: dave.username, email: dave.email, password: dave.password } })
    expect(refused.status()).toBe(403)
    // Nothing offers sign-up: not the header, not the landing page, not the login page; /signup says it is off.
    await visitor.goto('/')
    await expect(visitor.getByTestId('signup-closed')).toBeVisible()
    await expect(visitor.getByRole('link', { name: /sign up/i })).toHaveCount(0)
    await visitor.goto('/login')
    await expect(visitor.getByRole('heading', { name: 'Log in' })).toBeVisible()
    await expect(visitor.getByRole('link', { name: /sign up/i })).toHaveCount(0)
    await visitor.goto('/signup')
    await expect(visitor.getByRole('heading', { name: 'Sign-up is off' })).toBeVisible()
    await expect(visitor.getByRole('button', { name: 'Create account' })).toHaveCount(0)

    // An administrator can still create accounts, from the admin page.
    await page.getByLabel('New username').fill(erin.username)
    await page.getByLabel("New user's email").fill(erin.email)
    await page.getByLabel('Initial password').fill('password1234')
    await page.getByRole('button', { name: 'Create user' }).click()
    await expect(page.getByTestId('create-user-error')).toContainText('too common')
    await page.getByLabel('Initial password').fill(erin.password)
    await page.getByRole('button', { name: 'Create user' }).click()
    await expect(page.getByText(`Created ${erin.username}.`)).toBeVisible()
    await expect(page.getByTestId('users-table').getByRole('row').filter({ hasText: erin.username })).toBeVisible()

    // Back on: the same account can be created.
    await page.reload()
    await expect(signup).toHaveAttribute('aria-checked', 'false')
    await signup.click()
    await expect(signup).toHaveAttribute('aria-checked', 'true')
    await expect(page.getByText('Sign-up is now open')).toBeVisible()
    const accepted = await visitor.request.post('/api/v1/users', { data: { username: dave.username, email: dave.email, password: dave.password } })
    expect(accepted.status()).toBe(201)
  } finally {
    await anonymous.close()
    // Never leave sign-up closed for the specs that run after this one.
    await page.request.put('/api/v1/settings', { data: { signupEnabled: true } })
  }
})

test('the admin disables, resets the password of, signs out and deletes a user', async ({ page, browser }) => {
  const frank = { username: `frank-${suffix}`, email: `frank-${suffix}@example.com`, password: 'frank-password-1' }
  const userContext = await browser.newContext()
  try {
    const user = await userContext.newPage()
    await signUp(user, frank)
    await expect(user.getByTestId('signed-in-user')).toContainText(frank.username)

    await logIn(page, admin)
    await page.goto('/admin')
    const table = page.getByTestId('users-table')
    await page.getByLabel('Search users').fill(frank.username)
    const row = table.getByRole('row').filter({ hasText: frank.username })
    await expect(row).toBeVisible()

    // End sessions: frank's browser is signed out on the next page load, its cookie opens nothing.
    await row.getByRole('button', { name: `End sessions of ${frank.username}` }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'End sessions' }).click()
    await expect(page.getByText(`All sessions of ${frank.username} ended.`)).toBeVisible()
    expect((await user.request.get('/api/v1/users/me')).status()).toBe(401)
    await user.goto('/')
    await expect(user.getByRole('link', { name: 'Log in' })).toBeVisible()
    await expect(user.getByTestId('signed-in-user')).toHaveCount(0)
    await user.goto('/login')

    // Disable: frank cannot sign in; enable again.
    await row.getByRole('button', { name: `Disable ${frank.username}` }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click()
    await expect(row.getByText('Disabled', { exact: true })).toBeVisible()
    await user.getByLabel('Username').fill(frank.username)
    await user.getByLabel('Password').fill(frank.password)
    await user.getByRole('button', { name: 'Log in' }).click()
    await expect(user.getByTestId('login-error')).toHaveText('Invalid username or password.')
    await row.getByRole('button', { name: `Enable ${frank.username}` }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Enable' }).click()
    await expect(row.getByText('Disabled', { exact: true })).toHaveCount(0)

    // Reset the password: a weak one is refused in the dialog; the new one works, the old one not.
    await row.getByRole('button', { name: `Reset password of ${frank.username}` }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('New password').fill('password')
    await dialog.getByRole('button', { name: 'Reset password' }).click()
    await expect(page.getByTestId('confirm-error')).toContainText('at least 12')
    await dialog.getByLabel('New password').fill('frank-reset-by-admin')
    await dialog.getByRole('button', { name: 'Reset password' }).click()
    await expect(page.getByText(`New password set for ${frank.username}`)).toBeVisible()
    expect((await user.request.get('/api/v1/users/me', { headers: { authorization: basicAuth(frank.username, frank.password) } })).status()).toBe(401)
    await logIn(user, { username: frank.username, password: 'frank-reset-by-admin' })

    // Delete (typed confirmation): the account is gone, the browser session with it.
    await row.getByRole('button', { name: `Delete ${frank.username}` }).click()
    await dialog.getByLabel(/Type .* to confirm/).fill(frank.username)
    await dialog.getByRole('button', { name: 'Delete' }).click()
    await expect(page.getByText(`${frank.username} was deleted.`)).toBeVisible()
    await expect(row).toHaveCount(0)
    expect((await user.request.get('/api/v1/users/me')).status()).toBe(401)
  } finally {
    await userContext.close()
  }
})

test('the API reference lists the operations with their parameters', async ({ page }) => {
  await page.goto('/')
  await page.getByRole('link', { name: 'API', exact: true }).click()
  await expect(page).toHaveURL(/\/api-reference$/)
  await expect(page.getByRole('heading', { name: 'API reference', level: 1 })).toBeVisible()
  const listProjects = page.getByRole('article', { name: 'GET /api/v1/projects', exact: true })
  await expect(listProjects).toBeVisible()
  await expect(listProjects.getByTestId('method-badge')).toHaveText(/^get$/i)
  await expect(listProjects).toContainText('Projects the caller may see')
  await expect(listProjects.getByRole('cell', { name: 'page_size' })).toBeVisible()
  await expect(listProjects).toContainText('X-Total-Count')
  await expect(page.getByRole('heading', { name: /^projects$/i, level: 2 })).toBeVisible()

  // The request body of "create a project" expands to its fields, and so does its 201 answer.
  const createProject = page.getByRole('article', { name: 'POST /api/v1/projects', exact: true })
  await createProject.getByText('Request body').click()
  await expect(createProject.locator('details:has(> summary:has-text("Request body"))').getByText('name', { exact: true })).toBeVisible()
  await createProject.getByText('Fields', { exact: true }).click()
  await expect(createProject.locator('details:has(> summary:text-is("Fields"))').getByText('repositoryCount', { exact: true })).toBeVisible()
  await expect(page.getByRole('link', { name: 'OpenAPI JSON' })).toHaveAttribute('href', '/api/v1/openapi.json')
  await page.setViewportSize({ width: 1280, height: 1400 })
  await page.locator('#tag-projects').evaluate((section) => section.scrollIntoView())
  await page.screenshot({ path: 'test-results/api-reference.png' })
  await page.screenshot({ path: 'test-results/api-reference-full.png', fullPage: true })

  // The filter narrows to matching operations.
  await page.getByLabel('Filter operations').fill('tags')
  await expect(page.getByRole('article', { name: 'GET /api/v1/projects', exact: true })).toHaveCount(0)
  await expect(page.getByRole('article').first()).toBeVisible()
})
