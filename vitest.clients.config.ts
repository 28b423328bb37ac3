import { defineConfig } from 'vitest/config'
import { fileURLToPath } from 'node:url'

// Real clients (skopeo, podman, buildah, umoci, docker CLI) against a running server.
export default defineConfig({
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./', import.meta.url)),
      '@registry-core': fileURLToPath(new URL('./registry-core/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['e2e/clients/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
})
