// Proxy-cache projects in a real browser: the system admin creates one with "Proxy cache of" (an
// endpoint on Debian's docker-registry, started here on loopback), pulls through it, sees its
// repository and artifact pages say "cached from <endpoint>", and makes it the transparent mirror on
// the Admin page, which then lists a local project `library` as shadowing Docker Hub's official images.
import { expect, test } from '@playwright/test'
import { ociImage, registryClient } from '../tests/support/oci'
import { startReferenceRegistry } from '../tests/support/reference-registry'
import { basicAuth, logIn } from './support'

test.describe.configure({ mode: 'serial' })

const suffix = Date.now().toString(36)
const admin = { username: 'admin', password: 'e2e-admin-password' }
const project = `cache-${suffix}`
const endpointName = `upstream-${suffix}`
const image = ociImage()
// API calls of the test itself (the page's session would need the page's Origin).
const asAdmin = { authorization: basicAuth(admin.username, admin.password) }

let upstream: Awaited<ReturnType<typeof startReferenceRegistry>>

test.beforeAll(async () => {
  upstream = await startReferenceRegistry()
  const pushed = await registryClient(upstream.url).pushImage('team/app', image, 'v1')
  expect(pushed.status).toBe(201)
})
test.afterAll(async () => {
  await upstream?.dispose()
})

test('the admin creates a proxy-cache project, pulls through it, sees "cached from" and makes it the mirror', async ({ page, baseURL }) => {
  await logIn(page, admin)
  const endpoint = await page.request.post('/api/v1/registries', { data: { name: endpointName, type: 'distribution', url: upstream.url }, headers: asAdmin })
  expect(endpoint.status()).toBe(201)

  await page.goto('/projects')
  await page.getByLabel('Project name').fill(project)
  await page.getByLabel('Public').check()
  await page.getByLabel('Proxy cache of').selectOption({ label: `${endpointName} (${upstream.url})` })
  await page.getByRole('button', { name: 'Create project' }).click()
  await expect(page.getByText(`Project ${project} created.`)).toBeVisible()
  const created = await (await page.request.get(`/api/v1/projects/${project}`)).json()
  expect(created.proxy).toMatchObject({ registryName: endpointName, url: upstream.url })

  // A pull through the cache (the public project needs no login).
  const pulled = await fetch(`${baseURL}/v2/${project}/team/app/manifests/v1`, { headers: { accept: image.manifest.mediaType } })
  expect(pulled.status).toBe(200)

  await page.goto(`/projects/${project}/repositories/team/app`)
  await expect(page.getByTestId('cached-from')).toContainText(`from ${endpointName}`)
  await page.goto(`/projects/${project}/repositories/team/app/artifacts/${encodeURIComponent(image.manifest.digest)}`)
  await expect(page.getByTestId('cached-from')).toContainText(upstream.url)
  await expect(page.getByTestId('artifact-tags')).toContainText('checked upstream')

  // The transparent mirror, and a local project that shadows an upstream namespace.
  const library = await page.request.post('/api/v1/projects', { data: { name: 'library', public: false }, headers: asAdmin })
  expect([201, 409]).toContain(library.status())
  await page.goto('/admin')
  const mirror = page.getByRole('region', { name: 'Transparent mirror' })
  await mirror.getByLabel('Mirror project').selectOption(project)
  await expect(mirror.getByRole('status')).toContainText(`pulled through ${project}`)
  await expect(mirror.getByTestId('mirror-shadowing')).toContainText("library/… (hides Docker Hub's official images)")
  await mirror.getByLabel('Mirror project').selectOption('')
  await expect(mirror.getByRole('status')).toContainText('The mirror is off.')
})
