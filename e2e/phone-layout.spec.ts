// Phone width (390 × 844): the projects list, a project page, a repository page with artifacts and
// an artifact page fit the screen (the document never scrolls sideways; wide tables scroll in their
// own box) and their main controls are visible. Screenshots go to test-results/*-phone.png.
import { expect, test } from '@playwright/test'
import { MT } from '../tests/support/oci'
import { basicAuth, expectNoHorizontalOverflow, PHONE_VIEWPORT, signUp, skopeoPush } from './support'

test.use({ viewport: PHONE_VIEWPORT })

const suffix = Date.now().toString(36)
const user = { username: `phone-${suffix}`, email: `phone-${suffix}@example.com`, password: 'phone-password-1' }
// Long names and tags: the worst case for a narrow screen.
const project = `mobile-layout-project-${suffix}`
const repo = 'platform-services/customer-notifications-gateway'
const tags = ['release-2026.11.28-build.1234567890', 'latest']

test('projects list, project, repository and artifact pages fit a phone', async ({ page, request, baseURL }) => {
  const host = new URL(baseURL!).host
  await signUp(page, user)

  // The projects list: create a project from it.
  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible()
  await expect(page.getByLabel('Search projects and repositories')).toBeVisible()
  await page.getByLabel('Project name').fill(project)
  await expect(page.getByRole('button', { name: 'Create project' })).toBeVisible()
  await page.getByRole('button', { name: 'Create project' }).click()
  await expect(page.getByText(`Project ${project} created.`)).toBeVisible()
  await expect(page.getByTestId('project-list').getByRole('link', { name: project })).toBeVisible()
  await expectNoHorizontalOverflow(page, 'test-results/projects-phone.png')

  skopeoPush(host, user, `${project}/${repo}`, tags)
  const served = await request.get(`/v2/${project}/${repo}/manifests/latest`, { headers: { authorization: basicAuth(user.username, user.password), accept: MT.ociManifest } })
  const digest = served.headers()['docker-content-digest']

  // A project page: its tabs and the repository list.
  await page.getByTestId('project-list').getByRole('link', { name: project }).click()
  await expect(page.getByRole('heading', { name: project })).toBeVisible()
  for (const tab of ['Repositories', 'Members', 'Robot accounts', 'Settings']) await expect(page.getByRole('tab', { name: tab })).toBeVisible()
  await expect(page.getByLabel('Search repositories')).toBeVisible()
  await expect(page.getByLabel('Repository name')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Create repository' })).toBeVisible()
  await expect(page.getByTestId('repository-table').getByRole('link', { name: repo })).toBeVisible()
  await expectNoHorizontalOverflow(page, 'test-results/project-phone.png')

  // The repository page: filters, and the artifact table scrolling in its own box.
  await page.getByTestId('repository-table').getByRole('link', { name: repo }).click()
  await expect(page.getByRole('heading', { name: `${project}/${repo}` })).toBeVisible()
  await expect(page.getByLabel('Filter by tag')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Untagged', exact: true })).toBeVisible()
  await expect(page.getByLabel('Per page')).toBeVisible()
  await expect(page.getByTestId('artifact-row')).toHaveCount(1)
  await expect(page.getByRole('link', { name: digest.slice(0, 19) })).toBeVisible()
  await expectNoHorizontalOverflow(page, 'test-results/repository-artifacts-phone.png')

  // The artifact page: digest, tags with their pull commands, add a tag, layers.
  await page.getByRole('link', { name: digest.slice(0, 19) }).click()
  await expect(page.getByRole('heading', { name: 'Layers (1)' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Copy digest' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Copy pull command by digest' })).toBeVisible()
  for (const tag of tags) await expect(page.getByRole('button', { name: `Copy pull command for ${tag}` })).toBeVisible()
  await expect(page.getByLabel('Tag name')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Add tag' })).toBeVisible()
  await page.getByText('Raw manifest').click()
  await expect(page.getByTestId('raw-manifest')).toBeVisible()
  await expectNoHorizontalOverflow(page, 'test-results/artifact-phone.png')
})
