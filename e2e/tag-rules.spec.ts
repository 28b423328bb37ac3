// Tag immutability and tag retention in a real browser: a project admin adds an immutability rule on
// the project's Tag immutability tab, sees the lock on the protected tag (and no delete button for
// it) in the repository, writes a retention policy on the Tag retention tab, starts a dry run and
// reads what would go and which rule keeps the rest. Screenshots go to test-results/.
import { expect, test } from '@playwright/test'
import { signUp, skopeoPush } from './support'

test.describe.configure({ mode: 'serial' })

const suffix = Date.now().toString(36)
const owner = { username: `rules-${suffix}`, email: `rules-${suffix}@example.com`, password: 'rules-password-1' }
const project = `ruled-${suffix}`

test('immutability rules put a lock on protected tags; a retention dry run lists what would go', async ({ page, baseURL }) => {
  test.setTimeout(120_000)
  const host = new URL(baseURL!).host
  await signUp(page, owner)
  await page.getByLabel('Project name').fill(project)
  await page.getByRole('button', { name: 'Create project' }).click()
  await expect(page.getByText(`Project ${project} created.`)).toBeVisible()
  skopeoPush(host, owner, `${project}/app`, ['v1'], 2000)
  skopeoPush(host, owner, `${project}/app`, ['dev'], 3000)

  // Tag immutability: empty, then a rule for v* in every repository.
  await page.goto(`/projects/${project}`)
  await page.getByRole('tab', { name: 'Tag immutability' }).click()
  await expect(page.getByTestId('immutable-empty')).toBeVisible()
  await page.getByLabel('Tags').fill('v*')
  await page.getByRole('button', { name: 'Add rule' }).click()
  await expect(page.getByText('Rule added: tags "v*" in repositories "**" are immutable.')).toBeVisible()
  const table = page.getByTestId('immutable-table')
  await expect(table).toContainText('v*')
  await expect(table).toContainText('Enabled')
  await page.screenshot({ path: 'test-results/tag-immutability-tab.png', fullPage: true })

  // The repository shows the lock on v1 and offers no delete for it; dev can still be deleted.
  await page.goto(`/projects/${project}/repositories/app`)
  await expect(page.getByRole('img', { name: 'v1 is immutable' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Delete tag v1' })).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'Delete tag dev' })).toBeVisible()
  await expect(page.getByRole('img', { name: 'dev is immutable' })).toHaveCount(0)
  await page.screenshot({ path: 'test-results/tag-immutability-lock.png', fullPage: true })

  // Tag retention: keep only the most recent release-* artifact; the dry run would delete dev, and v1 stays (immutable).
  await page.goto(`/projects/${project}/retention`)
  await expect(page.getByRole('tab', { name: 'Tag retention' })).toHaveAttribute('aria-selected', 'true')
  await page.getByRole('button', { name: 'Add rule' }).click()
  const rule = page.getByTestId('retention-rule')
  await rule.getByLabel('Rule 1: retain').selectOption('latestPushedK')
  await rule.getByLabel('#').fill('1')
  await rule.getByLabel('Tags').fill('release-*')
  await page.getByLabel('Schedule').fill('0 3 * * *')
  await page.getByRole('button', { name: 'Save policy' }).click()
  await expect(page.getByText('Retention policy saved.')).toBeVisible()
  await page.getByRole('button', { name: 'Dry run' }).click()
  const run = page.getByTestId('retention-run').first()
  await expect(run.getByTestId('retention-run-status')).toHaveText('succeeded', { timeout: 20_000 })
  await expect(run).toContainText('1 would be deleted, 1 retained')
  await run.locator('summary').click()
  await expect(run).toContainText('would delete')
  await expect(run).toContainText('dev')
  await expect(run).toContainText('tag v1 is immutable')
  await page.screenshot({ path: 'test-results/tag-retention-tab.png', fullPage: true })

  // Nothing was deleted by the dry run.
  await page.goto(`/projects/${project}/repositories/app`)
  await expect(page.getByRole('button', { name: 'Delete tag dev' })).toBeVisible()
})
