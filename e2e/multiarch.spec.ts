// Multi-arch images and the artifact views in a real browser: an index is one row with its platform
// manifests folded under it (no Delete on them), the Untagged filter does not offer them, the
// index page links children that exist; the Actions column is fully visible at 1440x900 and on a
// phone; a tag filter shows the matching tags first; a tag can be deleted from the artifact page by
// roles that may delete, and deleting the index takes its platform manifests along.
import { expect, test, type Page } from '@playwright/test'
import { apiClient, type ApiCredentials } from '../tests/support/api'
import { ociImage, ociIndex, registryClient, type Image, type Manifest } from '../tests/support/oci'
import { logIn, PHONE_VIEWPORT } from './support'

test.describe.configure({ mode: 'serial' })

const suffix = Date.now().toString(36)
const project = `ma-${suffix}`
const repository = 'team/multiarch'
const full = `${project}/${repository}`
const repoPath = `/projects/${project}/repositories/${repository}`
const LONG_TAG = `build-2026.12.03-commit-${'0123456789abcdef'.repeat(3)}`
const short = (digest: string) => digest.slice(0, 'sha256:'.length + 12)
let owner: ApiCredentials
let dev: ApiCredentials
let amd: Image
let arm: Image
let index: Manifest
let many: Image

const logInAs = (page: Page, who: ApiCredentials) => logIn(page, { username: who.user, password: who.password })

test.beforeAll(async ({ baseURL }) => {
  const api = apiClient(baseURL!)
  owner = await api.signup('mao')
  dev = await api.signup('mad')
  expect((await api.post('/api/v1/projects', { name: project, public: false }, { auth: owner })).status).toBe(201)
  expect((await api.post(`/api/v1/projects/${project}/members`, { username: dev.user, role: 'developer' }, { auth: owner })).status).toBe(201)
  const v2 = registryClient(baseURL!, owner)
  amd = ociImage({ platform: { os: 'linux', architecture: 'amd64' } })
  arm = ociImage({ platform: { os: 'linux', architecture: 'arm64' } })
  await v2.pushImage(full, amd)
  await v2.pushImage(full, arm)
  index = ociIndex({
    manifests: [amd.manifest.descriptor({ platform: { os: 'linux', architecture: 'amd64' } }), arm.manifest.descriptor({ platform: { os: 'linux', architecture: 'arm64' } })],
  })
  expect((await v2.putManifest(full, 'v1', index)).status).toBe(201)
  // An image whose oldest tag is the one a filter looks for, behind twelve newer ones.
  many = ociImage({ platform: { os: 'linux', architecture: 'amd64' } })
  await v2.pushImage(full, many, 'release-1.0')
  for (let i = 0; i < 12; i++) expect((await v2.putManifest(full, `nightly-${i}`, many.manifest)).status).toBe(201)
  // A long tag (CI build names often are) must wrap in its cell, not push the Actions column out.
  expect((await v2.putManifest(full, LONG_TAG, many.manifest)).status).toBe(201)
})

test('an index is one row, its platform manifests fold under it without Delete; Untagged does not offer them', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 })
  await logInAs(page, owner)
  await page.goto(repoPath)
  const rows = page.getByTestId('artifact-row')
  await expect(rows).toHaveCount(2)
  await expect(page.locator(`[data-testid="artifact-row"][data-digest="${arm.manifest.digest}"]`)).toHaveCount(0)
  const indexRow = page.locator(`[data-testid="artifact-row"][data-digest="${index.digest}"]`)
  await expect(indexRow).toContainText('linux/amd64')
  await expect(indexRow).toContainText('linux/arm64')
  await expect(page.getByTestId('child-row')).toHaveCount(0)
  await indexRow.getByTestId('toggle-children').click()
  const children = page.getByTestId('child-row')
  await expect(children).toHaveCount(2)
  for (const child of await children.all()) {
    await expect(child.getByRole('button', { name: /Delete/ })).toHaveCount(0)
    await expect(child.getByTestId('child-note')).toContainText('deleted with it')
  }
  await page.screenshot({ path: 'test-results/multiarch-folded.png', fullPage: true })

  // The child's page exists (the index links it).
  await page
    .locator(`[data-testid="child-row"][data-digest="${arm.manifest.digest}"]`)
    .getByRole('link', { name: short(arm.manifest.digest) })
    .click()
  await expect(page.getByRole('heading', { name: 'Layers (1)' })).toBeVisible()
  await expect(page.getByText(arm.manifest.digest, { exact: true })).toBeVisible()

  // The index page links both children, and they open.
  await page.goto(`${repoPath}/artifacts/${index.digest}`)
  const platforms = page.getByRole('region', { name: 'Platforms in this index' })
  for (const image of [amd, arm]) await expect(platforms.getByRole('link', { name: short(image.manifest.digest) })).toBeVisible()

  await page.goto(repoPath)
  await page.getByRole('group', { name: 'Which artifacts' }).getByRole('button', { name: 'Untagged' }).click()
  await expect(page.getByTestId('artifacts-none-match')).toBeVisible()
  await expect(page.getByTestId('artifact-row')).toHaveCount(0)
})

/** Every row's Delete button lies inside the viewport and inside the visible part of the table's box. */
async function expectActionsVisible(page: Page, width: number) {
  const table = page.getByTestId('artifact-table')
  const box = (await table.locator('xpath=..').boundingBox())!
  for (const row of await page.getByTestId('artifact-row').all()) {
    const button = row.getByRole('button', { name: /^Delete artifact/ })
    await expect(button).toBeVisible()
    const b = (await button.boundingBox())!
    expect(b.x, 'Delete starts inside the viewport').toBeGreaterThanOrEqual(0)
    expect(b.x + b.width, `Delete ends inside the ${width}px viewport`).toBeLessThanOrEqual(width)
    expect(b.x + b.width, 'Delete ends inside the visible part of the table').toBeLessThanOrEqual(box.x + box.width + 0.5)
  }
}

test('the Actions column is fully visible at 1440x900 and on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 })
  await logInAs(page, owner)
  await page.goto(repoPath)
  await expect(page.getByTestId('artifact-row')).toHaveCount(2)
  for (const header of ['Digest', 'Tags', 'Kind', 'Platforms', 'Size', 'Pushed', 'Pulls']) {
    await expect(page.getByRole('columnheader', { name: header, exact: true })).toBeInViewport({ ratio: 1 })
  }
  await expectActionsVisible(page, 1440)
  await page.screenshot({ path: 'test-results/multiarch-1440.png' })
  await page.setViewportSize(PHONE_VIEWPORT)
  await expectActionsVisible(page, PHONE_VIEWPORT.width)
  await page.screenshot({ path: 'test-results/multiarch-phone.png', fullPage: true })
})

test('a tag filter shows the matching tag first, not behind "+N more"', async ({ page }) => {
  await logInAs(page, owner)
  await page.goto(repoPath)
  await page.getByLabel('Filter by tag').fill('release')
  const row = page.locator(`[data-testid="artifact-row"][data-digest="${many.manifest.digest}"]`)
  await expect(page.getByTestId('artifact-row')).toHaveCount(1)
  await expect(row.getByTestId('tag-chip').first()).toHaveText(/release-1\.0/)
})

test('a tag can be deleted from the artifact page, confirmed, only by roles that may delete', async ({ page, baseURL }) => {
  const artifactPath = `${repoPath}/artifacts/${many.manifest.digest}`
  await logInAs(page, dev)
  await page.goto(artifactPath)
  await expect(page.getByTestId('artifact-tags')).toContainText('nightly-11')
  await expect(page.getByRole('button', { name: /^Delete tag/ })).toHaveCount(0)

  await page.context().clearCookies()
  await logInAs(page, owner)
  await page.goto(artifactPath)
  await page.getByRole('button', { name: 'Delete tag nightly-11' }).click()
  const dialog = page.getByRole('dialog', { name: 'Delete tag nightly-11?' })
  await expect(dialog).toContainText('The artifact')
  await dialog.getByRole('button', { name: 'Delete tag' }).click()
  await expect(page.getByText('Tag nightly-11 deleted; the artifact stays.')).toBeVisible()
  await expect(page.getByTestId('artifact-tags')).not.toContainText('nightly-11')
  const tags = ((await registryClient(baseURL!, owner).tags(full)).json() as { tags: string[] }).tags
  expect(tags).not.toContain('nightly-11')
  expect(tags).toContain('release-1.0')
})

test('deleting the index from the list takes its platform manifests along', async ({ page, baseURL }) => {
  await logInAs(page, owner)
  await page.goto(repoPath)
  await page
    .locator(`[data-testid="artifact-row"][data-digest="${index.digest}"]`)
    .getByRole('button', { name: /^Delete artifact/ })
    .click()
  const dialog = page.getByRole('dialog')
  await expect(dialog).toContainText('platform manifests go with it')
  await dialog.getByRole('button', { name: 'Delete artifact' }).click()
  await expect(page.getByTestId('artifact-row')).toHaveCount(1)
  const v2 = registryClient(baseURL!, owner)
  for (const digest of [index.digest, amd.manifest.digest, arm.manifest.digest]) expect((await v2.headManifest(full, digest)).status, digest).toBe(404)
})
