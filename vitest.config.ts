import { defineConfig } from 'vitest/config'
import { fileURLToPath } from 'node:url'

// Unit tests and database tests (PGlite always; PostgreSQL when TEST_POSTGRES_URL is set).
export default defineConfig({
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./', import.meta.url)),
      '@registry-core': fileURLToPath(new URL('./registry-core/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/db/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['tests/setup-runtime.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
