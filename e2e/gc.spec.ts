// Admin → Garbage collection in a real browser: the admin pushes a blob that nothing references, sees
// a dry run count it (and delete nothing), runs the collection, reads its log naming the blob, and
// sets a daily schedule; then a screenshot of the page.
import { expect, test } from '@playwright/test'
import { randomBlob } from '../tests/support/oci'
import { basicAuth, logIn } from './support'

test.describe.configure({ mode: 'serial' })

const admin = { username: 'admin', password: 'e2e-admin-password' }

test('the admin runs a dry run and a garbage collection, reads the log, and schedules it', async ({ page }) => {
  const stray = randomBlob(4321)
  const pushed = await page.request.post(`/v2/admin/gc-e2e/blobs/uploads/?digest=${stray.digest}`, {
    headers: { authorization: basicAuth(admin.username, admin.password), 'content-type': 'application/octet-stream' },
    data: stray.content,
  })
  expect(pushed.status()).toBe(201)

  await logIn(page, admin)
  await page.goto('/admin')
  await page.getByRole('link', { name: 'Garbage collection' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Garbage collection' })).toBeVisible()
  const runNow = page.getByRole('region', { name: 'Run now' })
  const history = page.getByRole('region', { name: 'History' })
  await expect(history.getByTestId('gc-history-empty')).toBeVisible()

  // The blob was pushed just now: with a grace period of 0 hours it counts. (Earlier specs on this
  // server may have left unreferenced blobs too: the dry run counts at least this one, and the real
  // run then deletes exactly what the dry run counted.)
  await runNow.getByLabel('Grace period (hours)').fill('0')
  await runNow.getByRole('button', { name: 'Dry run' }).click()
  await expect(runNow.getByRole('status')).toContainText('Dry run #1 started')
  const dry = history.getByTestId('gc-run-1')
  await expect(dry.getByTestId('gc-run-status')).toHaveText('succeeded')
  await expect(dry).toContainText('Dry run')
  const dryBlobs = Number(await dry.getByTestId('gc-run-blobs').textContent())
  expect(dryBlobs).toBeGreaterThanOrEqual(1)
  const dryBytes = await dry.getByTestId('gc-run-bytes').textContent()
  expect((await page.request.head(`/v2/admin/gc-e2e/blobs/${stray.digest}`, { headers: { authorization: basicAuth(admin.username, admin.password) } })).status()).toBe(200)

  // A bad grace period is refused before anything starts.
  await runNow.getByLabel('Grace period (hours)').fill('-1')
  await runNow.getByRole('button', { name: 'Run garbage collection' }).click()
  await expect(runNow.getByTestId('gc-run-error')).toContainText('grace period')

  await runNow.getByLabel('Grace period (hours)').fill('0')
  await runNow.getByRole('button', { name: 'Run garbage collection' }).click()
  const run = history.getByTestId('gc-run-2')
  await expect(run.getByTestId('gc-run-status')).toHaveText('succeeded')
  await expect(run.getByTestId('gc-run-blobs')).toHaveText(String(dryBlobs))
  await expect(run.getByTestId('gc-run-bytes')).toHaveText(dryBytes!.replace(' (would be)', ''))
  await run.getByRole('button', { name: 'Show the log of run 2' }).click()
  await expect(history.getByTestId('gc-run-log')).toContainText(stray.digest)
  expect((await page.request.head(`/v2/admin/gc-e2e/blobs/${stray.digest}`, { headers: { authorization: basicAuth(admin.username, admin.password) } })).status()).toBe(404)

  // The schedule.
  const schedule = page.getByRole('region', { name: 'Schedule' })
  await schedule.getByLabel('Runs').selectOption('custom')
  await schedule.getByLabel('Cron expression').fill('every night')
  await schedule.getByRole('button', { name: 'Save schedule' }).click()
  await expect(schedule.getByRole('alert')).toContainText('cron expression')
  await schedule.getByLabel('Runs').selectOption('daily')
  await schedule.getByLabel('Delete untagged artifacts').check()
  await schedule.getByRole('button', { name: 'Save schedule' }).click()
  await expect(schedule.getByRole('status')).toContainText('Next run:')
  await expect(schedule.getByTestId('gc-next-run')).toContainText('00:00')
  await page.reload()
  await expect(page.getByRole('region', { name: 'Schedule' }).getByLabel('Runs')).toHaveValue('daily')

  await page.screenshot({ path: 'test-results/admin-gc.png', fullPage: true })
})
