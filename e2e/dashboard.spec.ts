// The dashboard journey in a real browser: sign up, create a project, push an image with skopeo
// under two tags, see it with its tags, size and platform, copy the pull command, delete one tag
// (the other stays), delete the artifact — with /v2 and `skopeo list-tags` agreeing at each step;
// create a repository with a description from the UI; find it with the header search. Screenshots
// go to test-results/.
import { expect, test } from '@playwright/test'
import { MT, sha256 } from '../tests/support/oci'
import { basicAuth, expectNoHorizontalOverflow, logIn as logInAs, PHONE_VIEWPORT, signUp as signUpAs, skopeoListTags, skopeoPush } from './support'

test.describe.configure({ mode: 'serial' })

const suffix = Date.now().toString(36)
const user = { username: `dash-${suffix}`, email: `dash-${suffix}@example.com`, password: 'dash-password-1' }
const project = `shop-${suffix}`
const repo = 'web/frontend'
const basic = basicAuth(user.username, user.password)
const signUp = (page: Parameters<typeof signUpAs>[0]) => signUpAs(page, user)
const logIn = (page: Parameters<typeof logInAs>[0]) => logInAs(page, user)

test('push with skopeo, browse, copy the pull command, delete a tag and the artifact', async ({ page, request, baseURL }) => {
  const host = new URL(baseURL!).host
  await signUp(page)

  // Create the project from the projects page.
  await page.getByLabel('Project name').fill(project)
  await page.getByRole('button', { name: 'Create project' }).click()
  await expect(page.getByText(`Project ${project} created.`)).toBeVisible()
  await page.getByTestId('project-list').getByRole('link', { name: project }).click()
  await expect(page.getByRole('heading', { name: project })).toBeVisible()
  // No repositories yet: the empty state shows the exact push commands.
  await expect(page.getByTestId('repositories-empty')).toContainText(`docker login ${host}`)
  await expect(page.getByText(`docker push ${host}/${project}/app:1.0`)).toBeVisible()

  // Push one image under two tags with skopeo.
  skopeoPush(host, user, `${project}/${repo}`, ['v1', 'v2'], 3000)
  // skopeo may re-serialise the manifest: take the digest and size from what /v2 serves.
  const served = await request.get(`/v2/${project}/${repo}/manifests/v1`, { headers: { authorization: basic, accept: MT.ociManifest } })
  expect(served.status()).toBe(200)
  const body = await served.body()
  const digest = served.headers()['docker-content-digest']
  expect(digest).toBe(sha256(body))
  const parsed = JSON.parse(body.toString('utf8')) as { config: { size: number }; layers: { size: number }[] }
  const size = body.length + parsed.config.size + parsed.layers.reduce((sum, l) => sum + l.size, 0)
  const tagsList = async () => (await (await request.get(`/v2/${project}/${repo}/tags/list`, { headers: { authorization: basic } })).json()).tags as string[]
  expect((await tagsList()).sort()).toEqual(['v1', 'v2'])
  expect(skopeoListTags(host, user, `${project}/${repo}`)).toEqual(['v1', 'v2'])

  // The project page lists the repository.
  await page.reload()
  const table = page.getByTestId('repository-table')
  await expect(table.getByRole('link', { name: repo })).toBeVisible()
  await expect(table.getByRole('row').filter({ hasText: repo })).toContainText('just now')
  await page.screenshot({ path: 'test-results/project.png', fullPage: true })

  // The repository page: one artifact with both tags, its size and platform.
  await table.getByRole('link', { name: repo }).click()
  await expect(page.getByRole('heading', { name: `${project}/${repo}` })).toBeVisible()
  const row = page.getByTestId('artifact-row')
  await expect(row).toHaveCount(1)
  await expect(row).toHaveAttribute('data-digest', digest)
  await expect(row.getByTestId('tag-chip')).toHaveText([/v2/, /v1/])
  await expect(row).toContainText('linux/amd64')
  await expect(row).toContainText('Image')
  await expect(row).toContainText(`${(size / 1024).toFixed(1)} KiB`)
  await expect(row).toContainText(digest.slice(0, 19))

  // Copy the pull command for v1 and for the digest.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'])
  await row.getByRole('button', { name: 'Copy pull command for v1' }).click()
  await expect(row.getByRole('button', { name: 'Copied: pull command for v1' })).toBeVisible()
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`docker pull ${host}/${project}/${repo}:v1`)
  await row.getByRole('button', { name: `Copy pull command for ${digest.slice(0, 19)}` }).click()
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`docker pull ${host}/${project}/${repo}@${digest}`)
  await page.screenshot({ path: 'test-results/repository.png', fullPage: true })

  // The artifact page: tags, config, layers, raw manifest.
  await row.getByRole('link', { name: digest.slice(0, 19) }).click()
  await expect(page.getByRole('heading', { name: 'Layers (1)' })).toBeVisible()
  await expect(page.getByText(digest, { exact: true })).toBeVisible()
  await expect(page.getByText(`docker pull ${host}/${project}/${repo}:v2`)).toBeVisible()
  await expect(page.getByRole('region', { name: 'Configuration' })).toContainText('amd64')
  await expect(page.getByRole('region', { name: 'Layers (1)' })).toContainText(`${(parsed.layers[0].size / 1024).toFixed(1)} KiB`)
  await page.getByText('Raw manifest').click()
  await expect(page.getByTestId('raw-manifest')).toContainText(MT.ociConfig)
  await page.screenshot({ path: 'test-results/artifact.png', fullPage: true })
  await page.goBack()

  // Delete tag v2: the confirmation names it; cancel first, then confirm. v1 stays, /v2 agrees.
  await row.getByRole('button', { name: 'Delete tag v2' }).click()
  const dialog = page.getByRole('dialog')
  await expect(dialog).toContainText(`${project}/${repo}:v2`)
  await expect(dialog).toContainText('stays with its other tags (v1)')
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  await expect(dialog).toBeHidden()
  await row.getByRole('button', { name: 'Delete tag v2' }).click()
  await dialog.getByRole('button', { name: 'Delete tag' }).click()
  await expect(page.getByText('Tag v2 deleted;')).toBeVisible()
  await expect(row.getByTestId('tag-chip')).toHaveText([/v1/])
  expect(await tagsList()).toEqual(['v1'])
  // A real client reading /v2 agrees: skopeo no longer lists v2 and still lists v1.
  expect(skopeoListTags(host, user, `${project}/${repo}`)).toEqual(['v1'])

  // Delete the artifact: the confirmation names the digest and its remaining tag.
  await row.getByRole('button', { name: `Delete artifact ${digest.slice(0, 19)}` }).click()
  await expect(dialog).toContainText(digest)
  await expect(dialog).toContainText('v1')
  await dialog.getByRole('button', { name: 'Delete artifact' }).click()
  await expect(page.getByTestId('artifacts-empty')).toContainText(`docker push ${host}/${project}/${repo}:latest`)
  const manifest = await request.get(`/v2/${project}/${repo}/manifests/${digest}`, { headers: { authorization: basic, accept: MT.ociManifest } })
  expect(manifest.status()).toBe(404)
  expect(await tagsList()).toEqual([])
  expect(skopeoListTags(host, user, `${project}/${repo}`)).toEqual([])
})

test('create a repository with a description, find it with the header search', async ({ page }) => {
  await logIn(page)
  await page.goto(`/projects/${project}`)
  await page.getByLabel('Repository name').fill('tools/catalog-api')
  await page.getByLabel('Description').fill('# Catalog API\n\nServes the **product catalog**. <script>alert(1)</script>\n\n- fast\n- `cached`')
  await page.getByRole('button', { name: 'Create repository' }).click()
  await expect(page.getByText('Repository tools/catalog-api created.')).toBeVisible()
  const catalogRow = page.getByTestId('repository-table').getByRole('row').filter({ hasText: 'tools/catalog-api' })
  await expect(catalogRow).toContainText('Serves the product catalog.')
  await expect(catalogRow).toContainText('Never')

  // Repository search on the project page.
  await page.getByLabel('Search repositories').fill('catalog')
  await expect(page.getByTestId('repository-table').getByRole('row')).toHaveCount(2) // header + one
  await page.getByLabel('Search repositories').fill('no-such-thing')
  await expect(page.getByText('No repository matches “no-such-thing”.')).toBeVisible()

  // The header search finds it by part of its name.
  await page.getByLabel('Search projects and repositories').fill('log-ap')
  const results = page.getByTestId('search-results')
  await expect(results.getByRole('option', { name: new RegExp(`${project}/tools/catalog-api`) })).toBeVisible()
  await page.screenshot({ path: 'test-results/search.png', fullPage: true })
  await results.getByRole('option', { name: new RegExp(`${project}/tools/catalog-api`) }).click()

  // The description is rendered as Markdown-lite with the HTML shown as text.
  await expect(page.getByRole('heading', { name: `${project}/tools/catalog-api` })).toBeVisible()
  const markdown = page.getByTestId('markdown')
  await expect(markdown.locator('strong')).toHaveText('product catalog')
  await expect(markdown).toContainText('<script>alert(1)</script>')
  await expect(markdown.locator('script')).toHaveCount(0)
  await expect(page.getByTestId('artifacts-empty')).toBeVisible()

  // Edit the description.
  await page.getByRole('button', { name: 'Edit description' }).click()
  await page.getByLabel('Description (Markdown)').fill('Now *edited*.')
  await page.getByRole('button', { name: 'Save description' }).click()
  await expect(markdown.locator('em')).toHaveText('edited')

  // Phone width: the repository page stays readable (e2e/phone-layout.spec.ts checks the other pages).
  await page.setViewportSize(PHONE_VIEWPORT)
  await expect(page.getByRole('button', { name: 'Edit description' })).toBeVisible()
  await expectNoHorizontalOverflow(page, 'test-results/repository-phone.png')
})

test('members and settings tabs', async ({ page }) => {
  await logIn(page)
  await page.goto(`/projects/${project}#members`)
  await expect(page.getByRole('tab', { name: 'Members' })).toHaveAttribute('aria-selected', 'true')
  await expect(page.getByTestId('member-list')).toContainText(user.username)
  await page.getByLabel('Username').fill(`nobody-${suffix}`)
  await page.getByRole('button', { name: 'Add member' }).click()
  await expect(page.getByTestId('add-member-error')).toContainText('not found')

  // Robot accounts: create one, see its secret once, delete it.
  await page.getByRole('tab', { name: 'Robot accounts' }).click()
  await page.getByLabel('Robot name').fill('ci')
  await page.getByLabel('push', { exact: true }).check()
  await page.getByRole('button', { name: 'Create robot' }).click()
  const robotSecret = page.getByTestId('robot-secret')
  await expect(robotSecret).toContainText('shown only once')
  // The same show-once box as access tokens: a selectable field with the secret, put away when saved.
  await expect(robotSecret.getByRole('textbox', { name: 'Robot secret' })).toHaveValue(/^\S{20,}$/)
  await robotSecret.getByRole('button', { name: 'I have saved it' }).click()
  await expect(robotSecret).toHaveCount(0)
  const robotRow = page
    .getByTestId('robot-table')
    .getByRole('row')
    .filter({ hasText: `robot$${project}+ci` })
  await expect(robotRow).toContainText('pull, push')
  await robotRow.getByRole('button', { name: `Delete robot$${project}+ci` }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Delete robot' }).click()
  await expect(page.getByText(`robot$${project}+ci deleted.`)).toBeVisible()

  await page.getByRole('tab', { name: 'Settings' }).click()
  await page.getByLabel(/^Public/).check()
  await expect(page.getByText(`${project} is now public.`)).toBeVisible()
  await page.getByRole('button', { name: 'Delete project…' }).click()
  const dialog = page.getByRole('dialog')
  const confirm = dialog.getByRole('button', { name: 'Delete project' })
  await expect(confirm).toBeDisabled()
  await dialog.getByLabel(/Type .* to confirm/).fill(project)
  await expect(confirm).toBeEnabled()
  await page.screenshot({ path: 'test-results/project-settings.png', fullPage: true })
  await confirm.click()
  await expect(page).toHaveURL(/\/projects$/)
  await expect(page.getByTestId('project-list').getByRole('link', { name: project })).toHaveCount(0)
})
