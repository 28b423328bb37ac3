/**
 * vitest globalSetup for the integration and real-client suites.
 *
 * - REGISTRY_URL set: test that registry as is (REGISTRY_USER / REGISTRY_PASSWORD for Basic auth,
 *   both optional), flavour 'external'.
 * - otherwise: start this project's production build (tests/support/registry-server.ts) on a fresh
 *   data dir, on PostgreSQL when TEST_DATABASE=postgres (a database created on TEST_POSTGRES_URL's
 *   server) or else on PGlite, flavour 'ours'; stop it (and drop the database) in teardown.
 *   KEEP_TEST_DATA=1 keeps the data dir and database for inspection.
 *
 * Tests read the result with `inject('registry')` (see tests/support/context.ts).
 */
import type { TestProject } from 'vitest/node'
import type { RegistryUnderTest } from './context'
import { createTestDatabase, type TestDatabase } from './postgres'
import { startRegistryServer, type RunningServer } from './registry-server'
import { seedAccounts, type AccountsFixture } from './accounts'

export default async function setup(project: TestProject) {
  const external = process.env.REGISTRY_URL
  if (external) {
    const reg: RegistryUnderTest = {
      url: external.replace(/\/+$/, ''),
      user: process.env.REGISTRY_USER ?? '',
      password: process.env.REGISTRY_PASSWORD ?? '',
      flavour: 'external',
      namespace: process.env.TEST_NAMESPACE ?? 'conformance',
    }
    project.provide('registry', reg)
    return
  }

  let db: TestDatabase | undefined
  let server: RunningServer | undefined
  let accounts: AccountsFixture | undefined
  try {
    if (process.env.TEST_DATABASE === 'postgres') {
      if (!process.env.TEST_POSTGRES_URL) throw new Error('TEST_DATABASE=postgres requires TEST_POSTGRES_URL')
      db = await createTestDatabase()
    }
    server = await startRegistryServer({
      databaseUrl: db?.url,
      prepare: async (s) => {
        accounts = await seedAccounts(s.databaseUrl, { user: s.adminUser, password: s.adminPassword }, s.dataDir)
      },
    })
  } catch (err) {
    await db?.drop().catch(() => {})
    throw err
  }
  const reg: RegistryUnderTest = {
    url: server.url,
    user: server.adminUser,
    password: server.adminPassword,
    flavour: 'ours',
    namespace: process.env.TEST_NAMESPACE ?? server.adminUser,
    accounts,
  }
  project.provide('registry', reg)
  const keep = process.env.KEEP_TEST_DATA === '1'

  return async () => {
    if (process.env.SHOW_SERVER_LOGS === '1') process.stderr.write(`\n===== registry server logs =====\n${server!.logs()}\n`)
    if (keep) {
      await server!.stop()
      process.stderr.write(`registry test data kept in ${server!.dataDir}${db ? ` and database ${db.name}` : ''}\n`)
      return
    }
    await server!.dispose()
    await db?.drop()
  }
}
