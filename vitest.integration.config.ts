import { defineConfig } from 'vitest/config'
import { fileURLToPath } from 'node:url'

// HTTP tests against a running server: started by tests/support/global-setup.ts unless REGISTRY_URL is given.
export default defineConfig({
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./', import.meta.url)),
      '@registry-core': fileURLToPath(new URL('./registry-core/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['tests/integration/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
})
