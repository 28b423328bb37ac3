import { expect, test } from '@playwright/test'

test('the landing page explains how to push, with the host the visitor used', async ({ page, baseURL }) => {
  const host = new URL(baseURL!).host
  await page.goto('/')
  await expect(page.getByRole('heading', { name: 'Harbormaster registry' })).toBeVisible()
  await expect(page.getByText(`docker login ${host}`)).toBeVisible()
  await expect(page.getByText(`docker push ${host}/<username>/app:1.0`)).toBeVisible()
  await page.screenshot({ path: 'test-results/landing.png', fullPage: true })
})

test('/v2/ is served by the registry on the same port, not by Next', async ({ request }) => {
  const response = await request.get('/v2/', { maxRedirects: 0 })
  expect(response.status()).toBe(401)
  expect(response.headers()['docker-distribution-api-version']).toBe('registry/2.0')
  expect(response.headers()['www-authenticate']).toMatch(/^Bearer realm="[^"]+\/service\/token",service="[^"]+"/)
})
