import { defineConfig, devices } from '@playwright/test'

// Browser tests against the production build, started on its own port with a fresh embedded database.
// Chromium comes from Debian (apt-get install chromium); never `npx playwright install` (offline).
const port = Number(process.env.E2E_PORT ?? 5405)
const baseURL = `http://127.0.0.1:${port}`
const dataDir = process.env.E2E_DATA_DIR ?? `/tmp/registry-e2e-${process.pid}`

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  workers: 1,
  reporter: [['list'], ['json', { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? 'test-results/playwright.json' }]],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  webServer: {
    // Rebuilds first when the build is missing or older than the sources (never tests a stale build).
    command: 'node scripts/ensure-build.mjs && node dist/server.mjs',
    url: `${baseURL}/`,
    // Covers a rebuild (a few minutes on a busy machine) plus the server start.
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    env: {
      PORT: String(port),
      BIND_HOST: '127.0.0.1',
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      DATA_DIR: dataDir,
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? `pglite:${dataDir}/db`,
      ADMIN_PASSWORD: 'e2e-admin-password',
      LOG_LEVEL: 'warn',
      // e2e/webhooks.spec.ts runs its receivers on loopback; short, few retries so a failing receiver
      // is marked failed within about 2 s.
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      WEBHOOK_RETRY_BASE: '500ms',
      WEBHOOK_MAX_ATTEMPTS: '3',
      // e2e/proxy-cache.spec.ts runs its upstream registry on loopback.
      UPSTREAM_ALLOWED_NETWORKS: '127.0.0.1/32',
    },
  },
})
