// Helpers shared by the browser specs: accounts through the real pages, Basic credentials for /v2,
// a one-image OCI layout, and skopeo (a real registry client) pushing it and listing tags.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
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

/** A fresh one-layer linux/amd64 image as an OCI layout directory, tagged `ref`; returns the directory (the caller removes it). */
function writeOciLayout(ref: string, layerSize: number): string {
  const image = ociImage({ layers: 1, layerSize, platform: { os: 'linux', architecture: 'amd64' } })
  const dir = mkdtempSync(path.join(tmpdir(), 'e2e-layout-'))
  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true })
  for (const blob of [...image.blobs, { content: image.manifest.content, digest: image.manifest.digest }]) {
    writeFileSync(path.join(dir, 'blobs', 'sha256', blob.digest.slice('sha256:'.length)), blob.content)
  }
  writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  const descriptor = { mediaType: MT.ociManifest, digest: image.manifest.digest, size: image.manifest.size, annotations: { 'org.opencontainers.image.ref.name': ref } }
  writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [descriptor] }))
  return dir
}

/** Pushes one fresh one-layer image to `host/repository` under each of `tags` with `skopeo copy`, as `user`. */
export function skopeoPush(host: string, user: TestUser, repository: string, tags: string[], layerSize = 2000): void {
  const dir = writeOciLayout('src', layerSize)
  try {
    for (const tag of tags) {
      execFileSync(
        'skopeo',
        ['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', `${user.username}:${user.password}`, `oci:${dir}:src`, `docker://${host}/${repository}:${tag}`],
        {
          stdio: 'pipe',
          timeout: 60_000,
        },
      )
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The tags `skopeo list-tags` reads from /v2 for `host/repository`, as `user`, sorted. */
export function skopeoListTags(host: string, user: TestUser, repository: string): string[] {
  const output = execFileSync('skopeo', ['list-tags', '--tls-verify=false', '--creds', `${user.username}:${user.password}`, `docker://${host}/${repository}`], {
    encoding: 'utf8',
    timeout: 60_000,
  })
  return ((JSON.parse(output) as { Tags: string[] | null }).Tags ?? []).sort()
}

/** A phone's viewport (iPhone 12–15 class). */
export const PHONE_VIEWPORT = { width: 390, height: 844 }

/**
 * The document must not scroll sideways: `scrollWidth <= innerWidth` (wide tables scroll inside
 * their own box instead). On failure the message names the elements that stick out. Saves a
 * full-page screenshot to `screenshot`.
 */
export async function expectNoHorizontalOverflow(page: Page, screenshot: string): Promise<void> {
  const layout = await page.evaluate(() => {
    const innerWidth = window.innerWidth
    // Inside a box that scrolls or clips sideways, unless the element is positioned out of it (an
    // absolutely positioned element escapes every such box below its containing block).
    const clipped = (element: Element) => {
      let contained = !['absolute', 'fixed'].includes(getComputedStyle(element).position)
      for (let parent = element.parentElement; parent; parent = parent.parentElement) {
        const style = getComputedStyle(parent)
        if (!contained && style.position !== 'static') contained = true
        if (contained && style.overflowX !== 'visible') return true
      }
      return false
    }
    const offenders = [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > innerWidth + 0.5 && !clipped(element))
      .slice(0, 5)
      .map((element) => `<${element.tagName.toLowerCase()} class="${element.getAttribute('class') ?? ''}"> ${(element.textContent ?? '').trim().slice(0, 40)}`)
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, offenders }
  })
  await page.screenshot({ path: screenshot, fullPage: true })
  expect(layout.scrollWidth, `the page is ${layout.scrollWidth}px wide in a ${layout.innerWidth}px viewport; sticking out: ${layout.offenders.join(' | ')}`).toBeLessThanOrEqual(
    layout.innerWidth,
  )
}
