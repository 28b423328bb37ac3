// The account pages in a real browser: sign up, log in, create a project, create an access token and
// use it like `docker login` does, log out; a second user cannot see the first user's private
// project; a wrong password shows an error. Screenshots of each page go to test-results/.
import { expect, test } from '@playwright/test'
import { basicAuth, logIn, signUp } from './support'

test.describe.configure({ mode: 'serial' })

const suffix = Date.now().toString(36)
const alice = { username: `alice-${suffix}`, email: `alice-${suffix}@example.com`, password: 'alice-password-1' }
const bob = { username: `bob-${suffix}`, email: `bob-${suffix}@example.com`, password: 'bob-password-1' }
const privateProject = `secret-${suffix}`
const publicProject = `open-${suffix}`
let tokenSecret = ''

test('signed-in pages redirect to the login page without a session', async ({ page }) => {
  // (/projects is open to anonymous visitors, who browse public projects: e2e/project-access.spec.ts.)
  for (const path of ['/account', '/admin']) {
    await page.goto(path)
    await expect(page).toHaveURL(new RegExp(`/login\\?callbackUrl=${encodeURIComponent(path)}`))
    await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible()
  }
  await expect(page.getByRole('link', { name: 'Sign up' }).first()).toBeVisible()
})

test('sign up, see the personal project, create projects', async ({ page, baseURL }) => {
  await signUp(page, alice, 'test-results/signup.png')

  // The personal namespace exists from the start, private.
  const list = page.getByTestId('project-list')
  const personal = list.getByRole('listitem').filter({ hasText: alice.username })
  await expect(personal).toContainText('Private')
  await expect(personal).toContainText('Project admin')

  // Create a private and a public project.
  await page.getByLabel('Project name').fill(privateProject)
  await page.getByRole('button', { name: 'Create project' }).click()
  await expect(page.getByText(`Project ${privateProject} created.`)).toBeVisible()
  await expect(list.getByRole('listitem').filter({ hasText: privateProject })).toContainText('Private')

  await page.getByLabel('Project name').fill(publicProject)
  await page.getByLabel('Public').check()
  await page.getByRole('button', { name: 'Create project' }).click()
  await expect(list.getByRole('listitem').filter({ hasText: publicProject })).toContainText('Public')

  // A taken name shows the server's error.
  await page.getByLabel('Project name').fill(privateProject)
  await page.getByRole('button', { name: 'Create project' }).click()
  await expect(page.getByTestId('create-project-error')).toBeVisible()
  await page.screenshot({ path: 'test-results/projects.png', fullPage: true })

  // The project page.
  await list.getByRole('link', { name: privateProject }).click()
  await expect(page.getByRole('heading', { name: privateProject })).toBeVisible()
  await expect(page.getByText('Project admin')).toBeVisible()
  await expect(page.getByText(`docker push ${new URL(baseURL!).host}/${privateProject}/app:1.0`)).toBeVisible()
  await page.screenshot({ path: 'test-results/project.png', fullPage: true })

  // The landing page pushes into the personal namespace now.
  await page.goto('/')
  await expect(page.getByText(`docker push ${new URL(baseURL!).host}/${alice.username}/app:1.0`)).toBeVisible()
  await page.screenshot({ path: 'test-results/landing-signed-in.png', fullPage: true })
})

test('create an access token, see its secret once, use it on /v2, revoke it, log out', async ({ page, request }) => {
  await logIn(page, alice)
  await page.getByRole('link', { name: 'Account' }).click()
  await expect(page.getByRole('heading', { name: 'Account', level: 1 })).toBeVisible()
  await expect(page.getByText('No tokens yet.')).toBeVisible()

  await page.getByLabel('Token name').fill('laptop')
  await page.getByLabel('Permission').selectOption('readWrite')
  await page.getByLabel('Expires after').selectOption('30')
  await page.getByRole('button', { name: 'Create token' }).click()
  const secretBox = page.getByTestId('new-token')
  await expect(secretBox).toContainText('shown only once')
  tokenSecret = await page.getByTestId('token-secret').inputValue()
  expect(tokenSecret).toMatch(/^hmp_[A-Za-z0-9_-]{43}$/)
  const row = page.getByRole('row').filter({ hasText: 'laptop' })
  await expect(row).toContainText('Read and write')
  await expect(row.getByRole('cell').nth(2)).not.toHaveText('Never') // expires in 30 days
  await page.screenshot({ path: 'test-results/account-tokens.png', fullPage: true })

  // The copy button.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'])
  await secretBox.getByRole('button', { name: 'Copy' }).click()
  await expect(secretBox.getByRole('button', { name: 'Copied' })).toBeVisible()

  // `docker login` with the token: Basic on /v2/ succeeds; the account password is not needed.
  const withToken = await request.get('/v2/', { headers: { authorization: basicAuth(alice.username, tokenSecret) } })
  expect(withToken.status()).toBe(200)
  const wrongSecret = await request.get('/v2/', { headers: { authorization: basicAuth(alice.username, `${tokenSecret.slice(0, -2)}xx`) } })
  expect(wrongSecret.status()).toBe(401)

  // Shown once: after a reload the secret is gone, the token stays listed.
  await page.reload()
  await expect(page.getByRole('row').filter({ hasText: 'laptop' })).toBeVisible()
  await expect(page.getByTestId('token-secret')).toHaveCount(0)
  await expect(page.getByText(tokenSecret)).toHaveCount(0)

  // A second token, revoked with confirmation.
  await page.getByLabel('Token name').fill('old-ci')
  await page.getByLabel('Permission').selectOption('read')
  await page.getByLabel('Expires after').selectOption('never')
  await page.getByRole('button', { name: 'Create token' }).click()
  const oldRow = page.getByRole('row').filter({ hasText: 'old-ci' })
  await expect(oldRow).toContainText('Read')
  await expect(oldRow).toContainText('Never')
  await oldRow.getByRole('button', { name: 'Revoke token old-ci' }).click()
  await oldRow.getByRole('button', { name: 'Cancel' }).click()
  await expect(oldRow).toBeVisible()
  await oldRow.getByRole('button', { name: 'Revoke token old-ci' }).click()
  await oldRow.getByRole('button', { name: 'Confirm revoke' }).click()
  await expect(page.getByText('Token “old-ci” revoked.')).toBeVisible()
  await expect(page.getByRole('row').filter({ hasText: 'old-ci' })).toHaveCount(0)
  await expect(page.getByTestId('new-token')).toHaveCount(0) // its secret box went with it

  // Phone-sized rendering of the busiest page.
  await page.setViewportSize({ width: 390, height: 844 })
  await page.reload()
  await expect(page.getByRole('row').filter({ hasText: 'laptop' })).toBeVisible()
  await page.screenshot({ path: 'test-results/account-phone.png', fullPage: true })
  await page.setViewportSize({ width: 1280, height: 720 })

  // Log out: the header offers log in again and the pages need a session.
  await page.getByRole('button', { name: 'Log out' }).click()
  await expect(page).toHaveURL(/\/$/)
  await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible()
  await expect(page.getByTestId('signed-in-user')).toHaveCount(0)
  await page.goto('/account')
  await expect(page).toHaveURL(/\/login\?callbackUrl=/)
  const me = await page.request.get('/api/v1/users/me')
  expect(me.status()).toBe(401)
})

test('a second user cannot see the first user’s private project', async ({ page, request }) => {
  await signUp(page, bob)
  const list = page.getByTestId('project-list')
  await expect(list.getByRole('listitem').filter({ hasText: bob.username })).toContainText('Private')
  await expect(list).not.toContainText(privateProject)
  await expect(list).not.toContainText(alice.username)

  // Not among all the projects bob can see either, where alice's public project is.
  await page.getByRole('button', { name: 'All visible' }).click()
  await expect(list.getByRole('listitem').filter({ hasText: publicProject })).toContainText('Public')
  await expect(list).not.toContainText(privateProject)
  await expect(list.getByRole('link', { name: alice.username, exact: true })).toHaveCount(0)

  // Its page and its API answer as if it did not exist.
  await page.goto(`/projects/${privateProject}`)
  await expect(page.getByTestId('project-error')).toContainText(`no project named ${privateProject}`)
  for (const path of [`/api/v1/projects/${privateProject}`, `/api/v1/projects/${alice.username}`]) {
    const response = await page.request.get(path)
    expect([403, 404]).toContain(response.status())
  }
  const listed = await page.request.get('/api/v1/projects?page_size=100')
  expect(listed.status()).toBe(200)
  expect(JSON.stringify(await listed.json())).not.toContain(privateProject)

  // Nor through the registry with alice's token for bob's name, or anonymously.
  const borrowed = await request.get('/v2/', { headers: { authorization: basicAuth(bob.username, tokenSecret) } })
  expect(borrowed.status()).toBe(401)
})

test('a wrong password shows an error that does not tell whether the account exists', async ({ page }) => {
  await page.goto('/login')
  await page.getByLabel('Username').fill(bob.username)
  await page.getByLabel('Password').fill('not-the-password')
  await page.getByRole('button', { name: 'Log in' }).click()
  const error = page.getByTestId('login-error')
  await expect(error).toHaveText('Invalid username or password.')
  await expect(page).toHaveURL(/\/login/)
  await page.screenshot({ path: 'test-results/login-error.png', fullPage: true })

  await page.getByLabel('Username').fill(`nobody-${suffix}`)
  await page.getByLabel('Password').fill('not-the-password')
  await page.getByRole('button', { name: 'Log in' }).click()
  await expect(error).toHaveText('Invalid username or password.')

  // The access token is for the command line, not the dashboard.
  await page.getByLabel('Username').fill(alice.username)
  await page.getByLabel('Password').fill(tokenSecret)
  await page.getByRole('button', { name: 'Log in' }).click()
  await expect(error).toHaveText('Invalid username or password.')

  // And the right password still works after the failures.
  await logIn(page, bob)
  await expect(page.getByRole('link', { name: 'Projects' })).toBeVisible()
})

test('after logging in, a callbackUrl that points to another site lands on this one', async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin
  const malicious = [
    '/%09/evil.example/x',
    '/%0a/evil.example/x',
    '/%0d/evil.example/x',
    '//evil.example/x',
    '/%5Cevil.example/x',
    '/\\evil.example/x',
    'https://evil.example/x',
    'javascript:alert(1)',
  ]
  for (const callbackUrl of malicious) {
    await page.context().clearCookies()
    await page.goto(`/login?callbackUrl=${callbackUrl}`)
    await page.getByLabel('Username').fill(alice.username)
    await page.getByLabel('Password').fill(alice.password)
    await page.getByRole('button', { name: 'Log in' }).click()
    await expect(page, `callbackUrl=${callbackUrl}`).toHaveURL(`${origin}/projects`)
    await expect(page.getByTestId('signed-in-user')).toContainText(alice.username)
  }
  // A path on this site is honoured.
  await page.context().clearCookies()
  await page.goto(`/login?callbackUrl=${encodeURIComponent('/account')}`)
  await page.getByLabel('Username').fill(alice.username)
  await page.getByLabel('Password').fill(alice.password)
  await page.getByRole('button', { name: 'Log in' }).click()
  await expect(page).toHaveURL(`${origin}/account`)
})

test("the login page shows only its own messages for ?error=, never the parameter's text", async ({ page }) => {
  const crafted = 'Your account is locked. Call +1 555 0100 to unlock it.'
  await page.goto(`/login?error=${encodeURIComponent(crafted)}`)
  const error = page.getByTestId('login-error')
  await expect(error).toHaveText('Sign-in failed. Reload the page and try again.')
  await expect(page.getByText(crafted)).toHaveCount(0)
  await page.goto('/login?error=CredentialsSignin')
  await expect(error).toHaveText('Invalid username or password.')
  await page.goto('/login?error=SessionRequired')
  await expect(error).toHaveText('Please log in to see this page.')
})

test('pages render under the Content-Security-Policy without violations, and cannot be framed', async ({ page, request }) => {
  const violations: string[] = []
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(message.text())
  })
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => console.error(`Refused to load: CSP ${event.violatedDirective} ${event.blockedURI}`))
  })
  const home = await request.get('/')
  expect(home.headers()['content-security-policy']).toContain("frame-ancestors 'none'")
  expect(home.headers()['x-frame-options']).toBe('DENY')

  await page.goto('/')
  await expect(page.getByRole('heading', { name: 'Harbormaster registry', level: 1 })).toBeVisible()
  await logIn(page, alice)
  for (const [path, heading] of [
    ['/projects', 'Projects'],
    [`/projects/${publicProject}`, publicProject],
    ['/account', 'Account'],
    ['/api-reference', 'API reference'],
  ] as const) {
    await page.goto(path)
    await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible()
  }
  expect(violations).toEqual([])
})
