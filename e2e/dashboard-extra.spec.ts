// More dashboard journeys in a real browser: a private project is invisible to anonymous visitors
// (page, REST API and /v2); a tag added from the artifact page is served by /v2; an artifact with
// many tags shows the newest ten and "+N more", and its page pages through them; the tagged /
// untagged filter; deleting a whole repository from the UI with a typed confirmation, after which
// /v2 answers NAME_UNKNOWN. Screenshots go to test-results/.
import { expect, test } from '@playwright/test'
import { MT } from '../tests/support/oci'
import { basicAuth, signUp as signUpAs, skopeoPush } from './support'

test.describe.configure({ mode: 'serial' })

const suffix = Date.now().toString(36)
const user = { username: `extra-${suffix}`, email: `extra-${suffix}@example.com`, password: 'extra-password-1' }
const project = `secret-${suffix}`
const repo = 'team/api'
const basic = basicAuth(user.username, user.password)
const signUp = (page: Parameters<typeof signUpAs>[0]) => signUpAs(page, user)

/** Pushes a fresh one-layer image to project/repo:tag with skopeo. */
const pushImage = (host: string, tag: string) => skopeoPush(host, user, `${project}/${repo}`, [tag])

test('private project: invisible to anonymous visitors; add a tag; untagged filter; delete the repository', async ({ page, browser, request, baseURL }) => {
  const host = new URL(baseURL!).host
  await signUp(page)

  // A private project (the default), created from the projects page, with one image pushed by skopeo.
  await page.getByLabel('Project name').fill(project)
  await page.getByRole('button', { name: 'Create project' }).click()
  await expect(page.getByText(`Project ${project} created.`)).toBeVisible()
  const created = await request.get(`/api/v1/projects/${project}`, { headers: { authorization: basic } })
  expect(created.status()).toBe(200)
  expect((await created.json()).public).toBe(false)
  pushImage(host, 'v1')
  const served = await request.get(`/v2/${project}/${repo}/manifests/v1`, { headers: { authorization: basic, accept: MT.ociManifest } })
  expect(served.status()).toBe(200)
  const digest = served.headers()['docker-content-digest']
  const tagsList = () => request.get(`/v2/${project}/${repo}/tags/list`, { headers: { authorization: basic } })
  expect((await (await tagsList()).json()).tags).toEqual(['v1'])

  // An anonymous visitor (fresh context, no cookies) sees nothing of it.
  const anonymous = await browser.newContext({ baseURL })
  try {
    const anonPage = await anonymous.newPage()
    await anonPage.goto(`/projects/${project}`)
    // Anonymous visitors may browse public projects; a private one is "not found", and nothing of it shows.
    await expect(anonPage.getByTestId('project-error')).toContainText(`There is no project named ${project} that you can see.`)
    await expect(anonPage.getByTestId('repository-table')).toHaveCount(0)
    await expect(anonPage.getByText(repo)).toHaveCount(0)
    const apiAnswer = await anonymous.request.get(`/api/v1/projects/${project}`)
    expect([401, 404]).toContain(apiAnswer.status())
    expect(await apiAnswer.text()).not.toContain(repo)
    const v2Answer = await anonymous.request.get(`/v2/${project}/${repo}/tags/list`)
    expect(v2Answer.status()).toBe(401)
  } finally {
    await anonymous.close()
  }

  // The artifact page: add tag "stable"; a bad name and a tag that names another artifact show the server's message.
  await page.goto(`/projects/${project}/repositories/${repo}/artifacts/${encodeURIComponent(digest)}`)
  await expect(page.getByRole('heading', { name: 'Layers (1)' })).toBeVisible()
  const tagName = page.getByLabel('Tag name')
  await tagName.fill('-bad')
  await page.getByRole('button', { name: 'Add tag' }).click()
  await expect(page.getByTestId('add-tag-error')).toContainText('valid tag')
  await tagName.fill('stable')
  await page.getByRole('button', { name: 'Add tag' }).click()
  await expect(page.getByText('Tag stable added.')).toBeVisible()
  const tagsRegion = page.getByRole('region', { name: 'Tags' })
  await expect(tagsRegion.getByText(`docker pull ${host}/${project}/${repo}:stable`)).toBeVisible()
  await expect(tagName).toHaveValue('')
  await page.screenshot({ path: 'test-results/artifact-add-tag.png', fullPage: true })
  expect((await (await tagsList()).json()).tags.sort()).toEqual(['stable', 'v1'])

  // A second image under "other": moving "other" onto this artifact is refused with 409.
  pushImage(host, 'other')
  await tagName.fill('other')
  await page.getByRole('button', { name: 'Add tag' }).click()
  await expect(page.getByTestId('add-tag-error')).toContainText('Tag other already names another artifact')
  expect((await (await tagsList()).json()).tags.sort()).toEqual(['other', 'stable', 'v1'])

  // Eleven more tags (13 in all): the artifact list embeds the newest 10 and links "+3 more" to the
  // artifact page, which pages through all of them.
  const extraTags = Array.from({ length: 11 }, (_, i) => `rc-${String(i + 1).padStart(2, '0')}`)
  for (const name of extraTags) {
    const added = await request.post(`/api/v1/projects/${project}/repositories/${encodeURIComponent(repo)}/artifacts/${digest}/tags`, {
      data: { name },
      headers: { authorization: basic },
    })
    expect(added.status()).toBe(201)
  }
  await page.goto(`/projects/${project}/repositories/${repo}`)
  const taggedRow = page.locator(`[data-testid="artifact-row"][data-digest="${digest}"]`)
  await expect(taggedRow.getByTestId('tag-chip')).toHaveCount(10)
  await expect(taggedRow.getByTestId('tag-chip').first()).toContainText('rc-11')
  await expect(taggedRow.getByTestId('more-tags')).toHaveText(/^\+3 more/)
  await taggedRow.getByTestId('more-tags').click()
  await expect(page).toHaveURL(new RegExp(`/artifacts/${encodeURIComponent(digest)}#tags-heading$`))
  const artifactTags = page.getByTestId('artifact-tags').getByRole('listitem')
  await expect(artifactTags).toHaveCount(10)
  await expect(page.getByRole('navigation', { name: 'tags pages' })).toContainText('1–10 of 13 tags')
  await page.getByRole('navigation', { name: 'tags pages' }).getByRole('button', { name: 'Next' }).click()
  await expect(page.getByRole('navigation', { name: 'tags pages' })).toContainText('11–13 of 13 tags')
  await expect(artifactTags).toHaveCount(3)
  await expect(artifactTags.first()).toContainText('rc-01')
  await expect(artifactTags.last()).toContainText('v1')
  await page.screenshot({ path: 'test-results/artifact-tags-page-2.png', fullPage: true })

  // The repository page: every artifact is tagged, so "Untagged" shows none; "Tagged" and "All" show both.
  await page.goto(`/projects/${project}/repositories/${repo}`)
  await expect(page.getByTestId('artifact-row')).toHaveCount(2)
  await page.getByRole('button', { name: 'Untagged', exact: true }).click()
  await expect(page.getByTestId('artifacts-none-match')).toContainText('No untagged artifacts')
  await expect(page.getByTestId('artifact-row')).toHaveCount(0)
  await page.getByRole('button', { name: 'Tagged', exact: true }).click()
  await expect(page.getByTestId('artifact-row')).toHaveCount(2)
  await page.getByLabel('Per page').selectOption('10')
  await expect(page.getByTestId('artifact-row')).toHaveCount(2)
  await page.getByRole('button', { name: 'All', exact: true }).click()
  await expect(page.getByTestId('artifact-row')).toHaveCount(2)

  // Delete the repository: the typed confirmation must match its full name.
  await page.getByRole('button', { name: 'Delete repository…' }).click()
  const dialog = page.getByRole('dialog')
  const confirm = dialog.getByRole('button', { name: 'Delete repository' })
  await expect(dialog).toContainText(`${project}/${repo}`)
  await expect(confirm).toBeDisabled()
  await dialog.getByLabel(/Type .* to confirm/).fill(repo)
  await expect(confirm).toBeDisabled()
  await dialog.getByLabel(/Type .* to confirm/).fill(`${project}/${repo}`)
  await expect(confirm).toBeEnabled()
  await page.screenshot({ path: 'test-results/repository-delete.png', fullPage: true })
  await confirm.click()
  await expect(page).toHaveURL(new RegExp(`/projects/${project}$`))
  await expect(page.getByText(`Repository ${project}/${repo} deleted.`)).toBeVisible()
  await expect(page.getByTestId('repositories-empty')).toBeVisible()
  const gone = await tagsList()
  expect(gone.status()).toBe(404)
  expect((await gone.json()).errors[0].code).toBe('NAME_UNKNOWN')
})
