// Helpers shared by the browser specs: accounts through the real pages, Basic credentials for /v2,
// and a one-image OCI layout that skopeo can push.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect, type Page } from '@playwright/test'
import { MT, ociImage } from '../tests/support/oci'

export interface TestUser {
  username: string
  email: string
  password: string
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
}

/** Signs up through /signup and waits until the new user is signed in on /projects. */
export async function signUp(page: Page, user: TestUser, screenshot?: string): Promise<void> {
  await page.goto('/signup')
  await expect(page.getByRole('heading', { name: 'Create an account' })).toBeVisible()
  await page.getByLabel('Username').fill(user.username)
  await page.getByLabel('Email').fill(user.email)
  await page.getByLabel('Password', { exact: true }).fill(user.password)
  await page.getByLabel('Confirm password').fill(user.password)
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true })
  await page.getByRole('button', { name: 'Create account' }).click()
  await expect(page).toHaveURL(/\/projects$/)
  await expect(page.getByTestId('signed-in-user')).toContainText(user.username)
}

export async function logIn(page: Page, user: { username: string; password: string }): Promise<void> {
  await page.goto('/login')
  await page.getByLabel('Username').fill(user.username)
  await page.getByLabel('Password').fill(user.password)
  await page.getByRole('button', { name: 'Log in' }).click()
  await expect(page.getByTestId('signed-in-user')).toContainText(user.username)
}

/** A one-layer linux/amd64 image as an OCI layout directory, tagged `ref`; the caller removes `dir`. */
export function writeOciLayout(ref: string, layerSize: number): { dir: string; digest: string } {
  const image = ociImage({ layers: 1, layerSize, platform: { os: 'linux', architecture: 'amd64' } })
  const dir = mkdtempSync(path.join(tmpdir(), 'e2e-layout-'))
  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true })
  for (const blob of [...image.blobs, { content: image.manifest.content, digest: image.manifest.digest }]) {
    writeFileSync(path.join(dir, 'blobs', 'sha256', blob.digest.slice('sha256:'.length)), blob.content)
  }
  writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  const descriptor = { mediaType: MT.ociManifest, digest: image.manifest.digest, size: image.manifest.size, annotations: { 'org.opencontainers.image.ref.name': ref } }
  writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [descriptor] }))
  return { dir, digest: image.manifest.digest }
}
