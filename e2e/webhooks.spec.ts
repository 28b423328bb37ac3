// Webhooks in a real browser, with a receiver on 127.0.0.1 inside the test (the Playwright server
// allows it with WEBHOOK_ALLOWED_NETWORKS=127.0.0.1/32 and retries fast: WEBHOOK_RETRY_BASE=500ms,
// WEBHOOK_MAX_ATTEMPTS=3). A project admin creates a signed policy on the project's Webhooks tab,
// sends a test event (the receiver verifies the signature; the log shows it delivered with the
// attempt), pushes an image with skopeo (PUSH_ARTIFACT), sees a 500 fail and a redelivery succeed,
// disables the policy (persisted), and is refused a private target. A developer sees no Webhooks
// tab; the system admin creates a system-wide policy on /admin/webhooks. Screenshots go to
// test-results/.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect, test, type Locator, type Page } from '@playwright/test'
import { verifySignature } from '../lib/webhooks/signature'
import { MT } from '../tests/support/oci'
import { PHONE_VIEWPORT, basicAuth, expectNoHorizontalOverflow, logIn, signUp, skopeoPush } from './support'

test.describe.configure({ mode: 'serial' })

const suffix = Date.now().toString(36)
const owner = { username: `hooks-${suffix}`, email: `hooks-${suffix}@example.com`, password: 'hooks-password-1' }
const developer = { username: `hookdev-${suffix}`, email: `hookdev-${suffix}@example.com`, password: 'hookdev-password-1' }
const admin = { username: 'admin', password: 'e2e-admin-password' }
const project = `hooked-${suffix}`
const policyName = 'ci-deploy'

interface Received {
  headers: IncomingHttpHeaders
  body: string
}

/** An HTTP receiver on 127.0.0.1 that records every request and answers `status`. */
class Receiver {
  readonly requests: Received[] = []
  status = 200
  private server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      this.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(this.status, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ ok: this.status < 300, seen: this.requests.length }))
    })
  })

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  ofType(type: string): Received[] {
    return this.requests.filter((r) => r.headers['x-registry-event'] === type)
  }

  /** Waits until `count` requests of `type` arrived; returns the last one. */
  async waitFor(type: string, count = 1, timeout = 10_000): Promise<Received> {
    await expect.poll(() => this.ofType(type).length, { timeout, message: `${count} ${type} deliveries` }).toBeGreaterThanOrEqual(count)
    return this.ofType(type)[count - 1]
  }
}

function policyItem(page: Page, name: string): Locator {
  return page.locator(`[data-testid="webhook-policy"][data-name="${name}"]`)
}

function deliveryRow(page: Page, id: string): Locator {
  return page.locator(`[data-testid="delivery-row"][data-delivery-id="${id}"]`)
}

const receiver = new Receiver()
let targetUrl = ''
let secret = ''

test.beforeAll(async () => {
  targetUrl = await receiver.start()
})

test.afterAll(async () => {
  await receiver.stop()
})

test('a project admin creates a signed webhook, tests it, sees pushes, failures and redeliveries in the log', async ({ page, request, baseURL }) => {
  test.setTimeout(120_000)
  const host = new URL(baseURL!).host
  await signUp(page, owner)
  await page.getByLabel('Project name').fill(project)
  await page.getByRole('button', { name: 'Create project' }).click()
  await expect(page.getByText(`Project ${project} created.`)).toBeVisible()

  // The Webhooks tab: empty state.
  await page.goto(`/projects/${project}`)
  await page.getByRole('tab', { name: 'Webhooks' }).click()
  await expect(page.getByTestId('webhooks-empty')).toContainText('HTTP POST')
  await page.screenshot({ path: 'test-results/webhooks-empty.png', fullPage: true })

  // Create: PUSH_ARTIFACT + DELETE_TAG, a generated secret.
  await page.getByRole('button', { name: 'New webhook' }).click()
  const form = page.getByTestId('webhook-form')
  await form.getByLabel('Name', { exact: true }).fill(policyName)
  await form.getByLabel('Target URL').fill(targetUrl)
  await form.getByLabel('Description').fill('Starts the deploy pipeline')
  await expect(form.getByLabel('Artifact pushed')).toBeChecked()
  await form.getByLabel('Tag deleted').check()
  await expect(form.getByLabel('Payload format')).toHaveValue('default')
  await form.getByRole('button', { name: 'Generate' }).click()
  secret = (await page.getByTestId('generated-secret').locator('code').textContent())!.trim()
  expect(secret).toMatch(/^[0-9a-f]{64}$/)
  await expect(form.getByLabel('Signing secret', { exact: true })).toHaveValue(secret)
  await form.getByLabel('Repository filter').fill(`${project}/**`)
  await page.screenshot({ path: 'test-results/webhooks-form.png', fullPage: true })
  await form.getByRole('button', { name: 'Create webhook' }).click()
  await expect(page.getByText(`Webhook ${policyName} created.`)).toBeVisible()
  await expect(page.getByTestId('webhook-form')).toHaveCount(0)
  const item = policyItem(page, policyName)
  await expect(item.getByTestId('webhook-target')).toHaveText(targetUrl)
  await expect(item).toContainText('Artifact pushed')
  await expect(item).toContainText('Tag deleted')
  await expect(item).toContainText('Harbor Default JSON')
  await expect(item).toContainText('Signed')
  await expect(item.getByRole('switch', { name: `Enabled: ${policyName}` })).toHaveAttribute('aria-checked', 'true')
  await page.screenshot({ path: 'test-results/webhooks-tab.png', fullPage: true })

  // The secret is write-only: the edit form says it is set and keeps it when left blank.
  await item.getByRole('button', { name: `Edit ${policyName}` }).click()
  await expect(page.getByTestId('webhook-form').getByLabel('Signing secret', { exact: true })).toHaveValue('')
  await expect(page.getByTestId('webhook-form')).toContainText('Set — leave blank to keep')
  await expect(page.getByTestId('webhook-form').getByLabel('Tag deleted')).toBeChecked()
  await page.getByTestId('webhook-form').getByRole('button', { name: 'Save webhook' }).click()
  await expect(page.getByText(`Webhook ${policyName} saved.`)).toBeVisible()

  // Send a test event: the receiver gets TEST, signed with the secret; the log shows it delivered with 200.
  await item.getByRole('button', { name: `Send test event to ${policyName}` }).click()
  const testEvent = await receiver.waitFor('TEST')
  const timestamp = String(testEvent.headers['x-registry-timestamp'])
  const signature = String(testEvent.headers['x-registry-signature-256'])
  expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/)
  expect(verifySignature(secret, timestamp, testEvent.body, signature)).toBe(true)
  expect(verifySignature('not-the-secret-at-all', timestamp, testEvent.body, signature)).toBe(false)
  expect(JSON.parse(testEvent.body).type).toBe('TEST')
  const testId = String(testEvent.headers['x-registry-delivery'])
  const testRow = deliveryRow(page, testId)
  await expect(testRow).toHaveAttribute('data-status', 'delivered')
  await expect(testRow.getByTestId('delivery-code')).toHaveText('200')
  await expect(testRow).toContainText('Test event')
  await expect(testRow).toContainText(`${project}/webhook-test`)

  // Expand it: the attempt with its status, headers, response and the request body.
  await testRow.getByRole('button', { name: `Show attempts of delivery ${testId}` }).click()
  const detail = page.getByTestId('delivery-detail')
  await expect(detail.getByTestId('delivery-attempt')).toHaveCount(1)
  await expect(detail.getByTestId('attempt-status')).toHaveText('HTTP 200')
  await detail.getByText('Request headers').click()
  await expect(detail).toContainText('X-Registry-Signature-256')
  await expect(detail).toContainText(testId)
  await expect(detail).toContainText('"seen"')
  await expect(detail.getByTestId('delivery-payload')).toContainText('"type": "TEST"')
  await page.screenshot({ path: 'test-results/webhooks-delivery-log.png', fullPage: true })
  await testRow.getByRole('button', { name: `Hide attempts of delivery ${testId}` }).click()

  // Push an image with skopeo: PUSH_ARTIFACT at the receiver, matching what was pushed, and in the log.
  skopeoPush(host, owner, `${project}/app`, ['1.0'], 1500)
  const push = await receiver.waitFor('PUSH_ARTIFACT')
  const served = await request.head(`/v2/${project}/app/manifests/1.0`, { headers: { authorization: basicAuth(owner.username, owner.password), accept: MT.ociManifest } })
  const digest = served.headers()['docker-content-digest']
  expect(verifySignature(secret, String(push.headers['x-registry-timestamp']), push.body, String(push.headers['x-registry-signature-256']))).toBe(true)
  const pushed = JSON.parse(push.body)
  expect(pushed.event_data.repository.repo_full_name).toBe(`${project}/app`)
  expect(pushed.event_data.resources[0]).toMatchObject({ digest, tag: '1.0' })
  const pushId = String(push.headers['x-registry-delivery'])
  await item.getByRole('button', { name: `Refresh deliveries of ${policyName}` }).click()
  const pushRow = deliveryRow(page, pushId)
  await expect(pushRow).toHaveAttribute('data-status', 'delivered')
  await expect(pushRow).toContainText('Artifact pushed')
  await expect(pushRow).toContainText(`${project}/app:1.0`)

  // The receiver fails: a new test event is retried and marked failed with 500.
  receiver.status = 500
  await item.getByRole('button', { name: `Send test event to ${policyName}` }).click()
  const failing = await receiver.waitFor('TEST', 2)
  const failingId = String(failing.headers['x-registry-delivery'])
  const failingRow = deliveryRow(page, failingId)
  await expect(failingRow.getByTestId('delivery-code')).toHaveText('500')
  await expect(failingRow).toHaveAttribute('data-status', 'failed')
  await expect(failingRow).toContainText('the target answered 500')
  expect(receiver.ofType('TEST').filter((r) => r.headers['x-registry-delivery'] === failingId)).toHaveLength(3)

  // The failed filter shows only it.
  await item.getByRole('button', { name: 'Failed', exact: true }).click()
  await expect(item.getByTestId('delivery-row')).toHaveCount(1)
  await expect(deliveryRow(page, failingId)).toBeVisible()

  // Back to 200 and redeliver: the same delivery id arrives again and the log says delivered.
  receiver.status = 200
  await failingRow.getByRole('button', { name: `Redeliver ${failingId}` }).click()
  await item.getByRole('button', { name: 'All', exact: true }).click()
  await expect(deliveryRow(page, failingId)).toHaveAttribute('data-status', 'delivered')
  await expect(deliveryRow(page, failingId).getByTestId('delivery-code')).toHaveText('200')
  expect(receiver.ofType('TEST').filter((r) => r.headers['x-registry-delivery'] === failingId)).toHaveLength(4)
  await deliveryRow(page, failingId)
    .getByRole('button', { name: `Show attempts of delivery ${failingId}` })
    .click()
  await expect(page.getByTestId('delivery-attempt')).not.toHaveCount(0)
  await expect(page.getByTestId('delivery-detail')).toContainText('HTTP 200')
  await page.screenshot({ path: 'test-results/webhooks-redelivered.png', fullPage: true })

  // Phone width: nothing makes the document scroll sideways.
  await page.setViewportSize(PHONE_VIEWPORT)
  await expectNoHorizontalOverflow(page, 'test-results/webhooks-phone.png')
  await page.setViewportSize({ width: 1280, height: 800 })

  // Disable: the switch state survives a reload.
  await item.getByRole('switch', { name: `Enabled: ${policyName}` }).click()
  await expect(page.getByText(`${policyName} disabled`)).toBeVisible()
  await page.reload()
  await expect(page.getByRole('tab', { name: 'Webhooks' })).toHaveAttribute('aria-selected', 'true')
  await expect(policyItem(page, policyName).getByRole('switch', { name: `Enabled: ${policyName}` })).toHaveAttribute('aria-checked', 'false')

  // A private target is refused with the server's reason, next to the form.
  await page.getByRole('button', { name: 'New webhook' }).click()
  const second = page.getByTestId('webhook-form')
  await second.getByLabel('Name', { exact: true }).fill('private-target')
  await second.getByLabel('Target URL').fill('http://10.1.2.3/')
  await second.getByRole('button', { name: 'Create webhook' }).click()
  await expect(second.getByTestId('webhook-form-error')).toContainText('targetUrl is not allowed: 10.1.2.3 is')
  await expect(second.getByTestId('webhook-form-error')).toContainText('WEBHOOK_ALLOWED_NETWORKS')
  await page.screenshot({ path: 'test-results/webhooks-refused.png', fullPage: true })
  await second.getByRole('button', { name: 'Cancel' }).click()

  // Delete asks first, naming the policy.
  await policyItem(page, policyName)
    .getByRole('button', { name: `Delete ${policyName}` })
    .click()
  await expect(page.getByRole('heading', { name: `Delete webhook ${policyName}?` })).toBeVisible()
  await page.getByRole('button', { name: 'Cancel' }).click()
  await expect(policyItem(page, policyName)).toBeVisible()
})

test('a developer of the project sees no Webhooks tab and the API refuses', async ({ page, request }) => {
  await signUp(page, developer)
  const added = await request.post(`/api/v1/projects/${project}/members`, {
    headers: { authorization: basicAuth(owner.username, owner.password) },
    data: { username: developer.username, role: 'developer' },
  })
  expect(added.status()).toBe(201)
  await page.goto(`/projects/${project}#webhooks`)
  await expect(page.getByRole('tab', { name: 'Repositories' })).toHaveAttribute('aria-selected', 'true')
  await expect(page.getByRole('tab', { name: 'Members' })).toBeVisible()
  await expect(page.getByRole('tab', { name: 'Webhooks' })).toHaveCount(0)
  const listed = await request.get(`/api/v1/projects/${project}/webhooks`, { headers: { authorization: basicAuth(developer.username, developer.password) } })
  expect(listed.status()).toBe(403)
})

test('the system admin manages system-wide webhooks on /admin/webhooks', async ({ page }) => {
  await logIn(page, admin)
  await page.goto('/admin')
  await page.getByRole('link', { name: 'Manage system webhooks' }).click()
  await expect(page).toHaveURL(/\/admin\/webhooks$/)
  await expect(page.getByRole('heading', { name: 'System webhooks', level: 1 })).toBeVisible()

  const name = `all-pushes-${suffix}`
  await page.getByRole('button', { name: 'New webhook' }).click()
  const form = page.getByTestId('webhook-form')
  await form.getByLabel('Name', { exact: true }).fill(name)
  await form.getByLabel('Target URL').fill(targetUrl)
  await form.getByLabel('Payload format').selectOption('cloudevents')
  await form.getByLabel('Tag filter').fill('{latest,v*}')
  await form.getByRole('button', { name: 'Create webhook' }).click()
  await expect(page.getByText(`Webhook ${name} created.`)).toBeVisible()
  const item = policyItem(page, name)
  await expect(item).toContainText('CloudEvents 1.0')
  await expect(item).toContainText('tag: {latest,v*}')
  await expect(item).not.toContainText('Signed')

  // A bad glob is refused with the server's message.
  await item.getByRole('button', { name: `Edit ${name}` }).click()
  await page.getByTestId('webhook-form').getByLabel('Tag filter').fill('{v*')
  await page.getByTestId('webhook-form').getByRole('button', { name: 'Save webhook' }).click()
  await expect(page.getByTestId('webhook-form-error')).toContainText('unbalanced')
  await page.getByTestId('webhook-form').getByRole('button', { name: 'Cancel' }).click()

  // The write-only settings: set an Authorization header and a generated secret, then remove both.
  await item.getByRole('button', { name: `Edit ${name}` }).click()
  await page.getByTestId('webhook-form').getByLabel('Authorization header', { exact: true }).fill('Bearer system-hook-token')
  await page.getByTestId('webhook-form').getByRole('button', { name: 'Generate' }).click()
  await expect(page.getByTestId('generated-secret')).toBeVisible()
  await page.getByTestId('webhook-form').getByRole('button', { name: 'Save webhook' }).click()
  await expect(page.getByText(`Webhook ${name} saved.`)).toBeVisible()
  await expect(item).toContainText('Signed')
  await expect(item).toContainText('Authorization header')
  await item.getByRole('button', { name: `Edit ${name}` }).click()
  const editForm = page.getByTestId('webhook-form')
  await editForm.getByLabel('Remove the Authorization header').check()
  await expect(editForm.getByLabel('Authorization header', { exact: true })).toBeDisabled()
  await editForm.getByLabel('Remove the signing secret').check()
  await expect(editForm.getByLabel('Signing secret', { exact: true })).toBeDisabled()
  await editForm.getByRole('button', { name: 'Save webhook' }).click()
  await expect(page.getByText(`Webhook ${name} saved.`)).toBeVisible()
  await expect(item).not.toContainText('Signed')
  await expect(item).not.toContainText('Authorization header')

  const before = receiver.ofType('TEST').length
  await item.getByRole('button', { name: `Send test event to ${name}` }).click()
  const received = await receiver.waitFor('TEST', before + 1)
  expect(received.headers['content-type']).toContain('application/cloudevents+json')
  expect(received.headers['x-registry-signature-256']).toBeUndefined()
  const id = String(received.headers['x-registry-delivery'])
  await expect(deliveryRow(page, id)).toHaveAttribute('data-status', 'delivered')
  await expect(deliveryRow(page, id)).toContainText('system/webhook-test')
  await page.screenshot({ path: 'test-results/webhooks-system.png', fullPage: true })

  // The system admin also manages any project's webhooks (without being a member).
  await page.goto(`/projects/${project}`)
  await page.getByRole('tab', { name: 'Webhooks' }).click()
  await expect(policyItem(page, policyName)).toBeVisible()
})
