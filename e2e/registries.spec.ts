// Admin → Registries in a real browser: the system admin adds an upstream endpoint with a user name and
// password, sees it listed (the password nowhere on the page, in the edit form or in the API's answer),
// edits it (renames it, switches to a token, keeps then removes credentials), is told why a bad URL is
// refused, and deletes it after confirming.
import { expect, test } from '@playwright/test'
import { logIn } from './support'

test.describe.configure({ mode: 'serial' })

const suffix = Date.now().toString(36)
const admin = { username: 'admin', password: 'e2e-admin-password' }
const name = `mirror-${suffix}`
const PASSWORD = `upstream-password-${suffix}`
const TOKEN = `upstream-token-${suffix}`

test('the admin creates, lists, edits and deletes a registry endpoint; the password is never shown back', async ({ page }) => {
  await logIn(page, admin)
  await page.goto('/admin')
  const section = page.getByRole('region', { name: 'Registries' })
  await expect(section).toBeVisible()

  // Create, with a URL the server refuses first.
  await section.getByRole('button', { name: 'New endpoint' }).click()
  const dialog = page.getByRole('dialog', { name: 'New registry endpoint' })
  await dialog.getByLabel('Name', { exact: true }).fill(name)
  await dialog.getByLabel('Type', { exact: true }).selectOption('distribution')
  await dialog.getByLabel('URL').fill('https://registry.example.com/?tenant=1')
  await dialog.getByRole('radio', { name: 'User name and password' }).check()
  await dialog.getByLabel('User name', { exact: true }).fill('puller')
  await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD)
  await dialog.getByRole('button', { name: 'Add endpoint' }).click()
  await expect(dialog.getByTestId('registry-form-error')).toContainText('must not have a query')
  await dialog.getByLabel('URL').fill('https://Registry.Example.com/')
  await dialog.getByRole('button', { name: 'Add endpoint' }).click()
  await expect(dialog).toBeHidden()
  await expect(section.getByRole('status')).toContainText(`Registry endpoint ${name} added.`)

  const row = section.getByTestId(`registry-${name}`)
  await expect(row).toContainText('Docker Registry / OCI (distribution)')
  await expect(row).toContainText('https://registry.example.com')
  await expect(row).toContainText('User puller')
  await expect(page.locator('body')).not.toContainText(PASSWORD)
  const listed = await page.request.get('/api/v1/registries')
  expect(listed.status()).toBe(200)
  expect(await listed.text()).not.toContain(PASSWORD)

  // Edit: the stored password is not in the form; leaving it empty keeps it.
  await row.getByRole('button', { name: `Edit ${name}` }).click()
  const edit = page.getByRole('dialog', { name: `Edit ${name}` })
  await expect(edit.getByLabel('Password', { exact: true })).toHaveValue('')
  await expect(edit.getByLabel('Password', { exact: true })).toHaveAttribute('placeholder', 'Stored (hidden)')
  await edit.getByLabel('Name', { exact: true }).fill(`${name}-2`)
  await edit.getByLabel('Skip TLS certificate verification').check()
  await edit.getByRole('button', { name: 'Save changes' }).click()
  await expect(edit).toBeHidden()
  const renamed = section.getByTestId(`registry-${name}-2`)
  await expect(renamed).toContainText('User puller')
  await expect(renamed).toContainText('TLS not verified')
  await expect(page.locator('html')).not.toContainText(PASSWORD)

  // Switch to a token, then to anonymous.
  await renamed.getByRole('button', { name: `Edit ${name}-2` }).click()
  const again = page.getByRole('dialog', { name: `Edit ${name}-2` })
  await again.getByRole('radio', { name: 'Token' }).check()
  await again.locator('input[name="registry-token"]').fill(TOKEN)
  await again.getByRole('button', { name: 'Save changes' }).click()
  await expect(again).toBeHidden()
  await expect(renamed.getByRole('cell', { name: 'Token' })).toBeVisible()
  await expect(page.locator('html')).not.toContainText(TOKEN)
  await renamed.getByRole('button', { name: `Edit ${name}-2` }).click()
  await again.getByRole('radio', { name: 'None (anonymous pulls)' }).check()
  await again.getByRole('button', { name: 'Save changes' }).click()
  await expect(again).toBeHidden()
  await expect(renamed).toContainText('Anonymous')

  // Delete, after confirming.
  await renamed.getByRole('button', { name: `Delete ${name}-2` }).click()
  const confirm = page.getByRole('dialog', { name: `Delete ${name}-2?` })
  await confirm.getByRole('button', { name: 'Delete endpoint' }).click()
  await expect(confirm).toBeHidden()
  await expect(section.getByRole('status')).toContainText(`Registry endpoint ${name}-2 deleted.`)
  await expect(section.getByTestId(`registry-${name}-2`)).toHaveCount(0)
  await page.screenshot({ path: 'test-results/admin-registries.png', fullPage: true })
})
