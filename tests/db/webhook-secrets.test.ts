// Webhook secrets in the secret envelope, against real databases (PGlite always, PostgreSQL when
// TEST_POSTGRES_URL is set): an install from before the envelope (migrated up to the previous
// migration, with secrets stored in clear text) is migrated, its secrets are sealed once at start
// (idempotently), and the worker still signs and authorizes deliveries with the original values. A
// server with another key fails those deliveries saying so, without crashing.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrateDeploy } from '../../lib/db/migrate'
import { createPrisma, type PrismaClient } from '../../lib/db/prisma'
import { PrismaRegistryIndex } from '../../lib/registry/prisma-index'
import { SECRET_CONTEXT, SecretBox } from '../../lib/secrets/envelope'
import { sealPlaintextWebhookSecrets } from '../../lib/webhooks/seal-plaintext'
import { rowsSealedWithOtherKeys } from '../../lib/secrets/stored'
import { verifySignature } from '../../lib/webhooks/signature'
import { WebhookWorker } from '../../lib/webhooks/worker'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver'
import { BACKENDS, openBackend, type Backend } from './backends'
import { configLessArtifact, silentLogger } from './fixtures'

const MIGRATIONS = join(import.meta.dirname, '../../prisma/migrations')
const ENVELOPE_MIGRATION = /_registry_endpoints_secret_envelope$/
const SECRET = 'a-secret-from-before-the-envelope'
const AUTH_HEADER = 'Bearer from-before-the-envelope'
const RENDER = { registryHost: 'registry.test:5000', source: 'http://registry.test:5000' }
const SETTINGS = { maxAttempts: 1, retryBaseMs: 10, retryMaxMs: 10, timeoutMs: 2000, concurrency: 2, allowedNetworks: ['127.0.0.1/32'], logRetentionMs: 86_400_000 }

describe.each(BACKENDS)('webhook secrets sealed at start on %s', (backendName) => {
  let backend: Backend
  let prisma: PrismaClient
  let receiver: WebhookReceiver
  let olderMigrations: string
  const box = new SecretBox('the-key-of-this-install-0123456789')

  beforeAll(async () => {
    backend = await openBackend(backendName)
    receiver = await startWebhookReceiver()
    // The schema as it was before the envelope: every migration older than the one that introduced it.
    olderMigrations = await mkdtemp(join(tmpdir(), 'older-migrations-'))
    const names = (await readdir(MIGRATIONS)).sort()
    const envelopeAt = names.findIndex((name) => ENVELOPE_MIGRATION.test(name))
    expect(envelopeAt).toBeGreaterThan(0)
    for (const name of names.slice(0, envelopeAt)) await cp(join(MIGRATIONS, name), join(olderMigrations, name), { recursive: true })
    await cp(join(MIGRATIONS, 'migration_lock.toml'), join(olderMigrations, 'migration_lock.toml'))
    await migrateDeploy(backend.url, { log: () => {}, migrationsDir: olderMigrations })
    const old = createPrisma(backend.url)
    try {
      await old.$executeRawUnsafe(`INSERT INTO "Project" ("name") VALUES ('legacy')`)
      await old.$executeRawUnsafe(
        `INSERT INTO "WebhookPolicy" ("projectId", "name", "eventTypes", "targetUrl", "secret", "authHeader", "updatedAt")
         SELECT "id", 'old-hook', ARRAY['PUSH_ARTIFACT'], $1, $2, $3, now() FROM "Project" WHERE "name" = 'legacy'`,
        `${receiver.url}/legacy`,
        SECRET,
        AUTH_HEADER,
      )
      await old.$executeRawUnsafe(
        `INSERT INTO "WebhookPolicy" ("projectId", "name", "eventTypes", "targetUrl", "updatedAt")
         SELECT "id", 'no-secrets', ARRAY['PUSH_ARTIFACT'], $1, now() FROM "Project" WHERE "name" = 'legacy'`,
        `${receiver.url}/plain`,
      )
    } finally {
      await old.$disconnect()
    }
    await migrateDeploy(backend.url, { log: () => {}, keepPgliteOpen: true })
    prisma = createPrisma(backend.url)
  }, 120_000)
  afterAll(async () => {
    await prisma?.$disconnect()
    await receiver?.close()
    await backend?.cleanup()
    if (olderMigrations) await rm(olderMigrations, { recursive: true, force: true })
  })

  it('the migration keeps the clear-text values; the first start seals them, later starts change nothing', async () => {
    const before = await prisma.webhookPolicy.findFirstOrThrow({ where: { name: 'old-hook' } })
    expect([before.plaintextSecret, before.plaintextAuthHeader, before.secretEnvelope, before.authHeaderEnvelope]).toEqual([SECRET, AUTH_HEADER, null, null])

    expect(await sealPlaintextWebhookSecrets(prisma, box)).toBe(1)
    const after = await prisma.webhookPolicy.findFirstOrThrow({ where: { name: 'old-hook' } })
    expect([after.plaintextSecret, after.plaintextAuthHeader]).toEqual([null, null])
    expect(after.secretEnvelope).not.toContain(SECRET)
    expect(box.open(after.secretEnvelope!, SECRET_CONTEXT.webhookSecret)).toBe(SECRET)
    expect(box.open(after.authHeaderEnvelope!, SECRET_CONTEXT.webhookAuthHeader)).toBe(AUTH_HEADER)
    const untouched = await prisma.webhookPolicy.findFirstOrThrow({ where: { name: 'no-secrets' } })
    expect([untouched.secretEnvelope, untouched.authHeaderEnvelope]).toEqual([null, null])

    expect(await sealPlaintextWebhookSecrets(prisma, box)).toBe(0)
    // What start warns about: nothing for this key; the sealed policy for a server with another one.
    expect(await rowsSealedWithOtherKeys(prisma, box)).toBe(0)
    expect(await rowsSealedWithOtherKeys(prisma, new SecretBox('another-key-entirely-0123456789abc'))).toBe(1)
    const again = await prisma.webhookPolicy.findFirstOrThrow({ where: { name: 'old-hook' } })
    expect([again.secretEnvelope, again.authHeaderEnvelope]).toEqual([after.secretEnvelope, after.authHeaderEnvelope])
  })

  it('the worker signs and authorizes with the original values; with another key the delivery fails saying so', async () => {
    const index = new PrismaRegistryIndex(prisma)
    const worker = (secrets: SecretBox) => new WebhookWorker({ prisma, secrets, logger: silentLogger, settings: SETTINGS, render: RENDER, pollIntervalMs: 50 })

    const right = worker(box)
    right.start()
    try {
      await index.putManifest('legacy/app', configLessArtifact(), 'v1', { name: 'alice' })
      const signed = await receiver.waitFor((r) => r.path === '/legacy', 10_000)
      expect(signed.headers.authorization).toBe(AUTH_HEADER)
      const timestamp = signed.headers['x-registry-timestamp'] as string
      expect(verifySignature(SECRET, timestamp, signed.body, signed.headers['x-registry-signature-256'] as string)).toBe(true)
      const unsigned = await receiver.waitFor((r) => r.path === '/plain', 10_000)
      expect(unsigned.headers['x-registry-signature-256']).toBeUndefined()
    } finally {
      await right.stop()
    }

    const policy = await prisma.webhookPolicy.findFirstOrThrow({ where: { name: 'old-hook' } })
    const wrong = worker(new SecretBox('another-key-entirely-0123456789abc'))
    wrong.start()
    try {
      await index.putManifest('legacy/app', configLessArtifact(), 'v2', { name: 'alice' })
      let failed
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
        failed = await prisma.webhookDelivery.findFirst({ where: { policyId: policy.id, tags: { has: 'v2' }, status: 'failed' } })
        if (failed) break
      }
      expect(failed?.lastError).toMatch(/encrypted with another key .*SECRET_KEY/)
      expect(receiver.requests.filter((r) => r.path === '/legacy')).toHaveLength(1)
    } finally {
      await wrong.stop()
    }
  })
})
