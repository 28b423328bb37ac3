import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { hexDigest } from '../../registry-core/src/hash'
import { errorResponse, location } from '../../lib/api/respond'
import { hashPassword } from '../../lib/auth/passwords'
import { loadConfig, type AppConfig } from '../../lib/config'
import { closePglite, getOpenPglite, PGLITE_MEMORY } from '../../lib/db/database-url'
import { migrateDeploy } from '../../lib/db/migrate'
import { createRegistry } from '../../lib/registry/registry'
import { installRuntime, runtime, type Runtime } from '../../lib/runtime'
import { buildRuntime } from '../../lib/runtime/build'
import { silentLogger } from '../db/fixtures'

/** A runtime whose logger writes JSON lines into `lines`. */
function capturingRuntime(lines: Record<string, unknown>[], config: AppConfig = loadConfig({})): Runtime {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  return buildRuntime(config, pino({ level: 'info' }, sink))
}

const SLOT = Symbol.for('harbormaster.runtime')
const installedBySetup = (globalThis as Record<symbol, unknown>)[SLOT] as Runtime

afterEach(() => {
  installRuntime(installedBySetup)
})

/** The lib modules as Next's bundle loads them: the same files, a second module graph in the same process. */
async function asNextBundle<T>(load: () => Promise<T>): Promise<T> {
  vi.resetModules()
  return load()
}

describe('runtime', () => {
  it('is the one installed through the shared slot', () => {
    const installed = capturingRuntime([])
    installRuntime(installed)
    expect(runtime()).toBe(installed)
    expect((globalThis as Record<symbol, unknown>)[SLOT]).toBe(installed)
  })

  it('an uninstalled runtime is a clear error', () => {
    delete (globalThis as Record<symbol, unknown>)[SLOT]
    expect(() => runtime()).toThrow(/runtime is not installed/)
  })

  it("creates one Prisma client, on first access; Next's bundle reads the very services server.ts installed", async () => {
    const services = buildRuntime(loadConfig({ DATABASE_URL: `pglite:${PGLITE_MEMORY}` }), silentLogger)
    installRuntime(services)
    try {
      const next = (await asNextBundle(() => import('../../lib/runtime'))).runtime()
      expect(next).toBe(services)
      expect([next.config, next.logger, next.caches, next.outboxListeners, next.blobs]).not.toContain(undefined)
      expect(getOpenPglite(PGLITE_MEMORY)).toBeUndefined()
      const prisma = next.prisma
      expect(getOpenPglite(PGLITE_MEMORY)).toBeDefined()
      expect(services.prisma).toBe(prisma)
      expect(next.index).toBe(services.index)
      expect(next.blobs).toBe(services.blobs)
      expect(next.caches).toBe(services.caches)
    } finally {
      await services.close()
      await closePglite(PGLITE_MEMORY)
    }
  })

  it("an invalidation or outbox signal from Next's bundle reaches the caches and listeners of the server's", async () => {
    const services = capturingRuntime([])
    installRuntime(services)
    const subject = { kind: 'user' as const, userId: 1, username: 'alice', isAdmin: false }
    services.caches.credentials.verified.set('key', { subject, expires: Date.now() + 60_000, username: 'alice' })
    services.caches.projectAccess.set('1\0team', { project: { name: 'team', projectId: 1, public: false, role: 'developer' }, expires: Date.now() + 60_000 })
    const { onOutboxSignal } = await import('../../lib/webhooks/outbox')
    const woken = vi.fn()
    onOutboxSignal(woken)

    const credentials = await asNextBundle(() => import('../../lib/auth/credentials'))
    const projectAccess = await import('../../lib/auth/project-access')
    const outbox = await import('../../lib/webhooks/outbox')
    credentials.invalidateCredentials('alice')
    projectAccess.invalidateProjectAccess()
    outbox.signalOutbox()

    expect(services.caches.credentials.verified.size).toBe(0)
    expect(services.caches.projectAccess.size).toBe(0)
    expect(woken).toHaveBeenCalledOnce()
  })
})

describe('/v2 and /api/v1 share the runtime index and blob store', () => {
  it('a tag deleted through the REST domain is gone from /v2 at once, and the dashboard reads the config blob /v2 stored', { timeout: 120_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'runtime-'))
    const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: `pglite:${PGLITE_MEMORY}`, MANIFEST_CACHE_TTL: '10m' })
    const services = buildRuntime(config, silentLogger)
    installRuntime(services)
    let server: Server | undefined
    try {
      await migrateDeploy(config.databaseUrl, { keepPgliteOpen: true, log: () => {} })
      const admin = await services.prisma.user.create({ data: { username: 'root', passwordHash: await hashPassword('root-password-1'), isAdmin: true } })
      await services.prisma.project.create({ data: { name: 'team', public: true } })
      const registry = await createRegistry(services)
      const listening = createServer((req, res) => void registry.handle(req, res))
      server = listening
      await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve))
      const base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}/v2/team/app`
      const headers = { Authorization: `Basic ${Buffer.from('root:root-password-1').toString('base64')}` }

      const push = async (bytes: Buffer) => {
        const digest = `sha256:${hexDigest(bytes)}`
        const res = await fetch(`${base}/blobs/uploads/?digest=${digest}`, { method: 'POST', headers, body: new Uint8Array(bytes) })
        expect(res.status).toBe(201)
        return { digest, size: bytes.length }
      }
      const imageConfig = await push(Buffer.from(JSON.stringify({ architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {} })))
      const layer = await push(Buffer.from('a layer'))
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...imageConfig },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
      })
      const put = await fetch(`${base}/manifests/v1`, { method: 'PUT', headers: { ...headers, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' }, body: manifest })
      expect(put.status).toBe(201)
      expect((await fetch(`${base}/manifests/v1`, { headers })).status).toBe(200)
      // /v2 read through the runtime's manifest cache, which a ten-minute TTL keeps filled.
      expect(services.caches.manifests.entries.size).toBeGreaterThan(0)

      const artifacts = await asNextBundle(() => import('../../lib/artifacts'))
      const caller = { subject: { kind: 'user' as const, userId: admin.id, username: 'root', isAdmin: true } }
      const detail = await artifacts.getArtifact(runtime().prisma, caller, 'team', 'app', 'v1')
      expect(detail.config).toMatchObject({ os: 'linux', architecture: 'arm64' })
      await artifacts.deleteTag(runtime().prisma, caller, 'team', 'app', 'v1', 'v1')
      expect((await fetch(`${base}/manifests/v1`, { headers })).status).toBe(404)
      await registry.close()
    } finally {
      server?.close()
      await services.close()
      await closePglite(PGLITE_MEMORY)
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})

describe('/api/v1 errors log through the runtime logger', () => {
  it('an unexpected error is logged by pino with its stack, not by console', async () => {
    const lines: Record<string, unknown>[] = []
    installRuntime(capturingRuntime(lines))
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const response = errorResponse(new Error('boom'))
      expect(response.status).toBe(500)
      await vi.waitFor(() => expect(lines).toHaveLength(1))
      expect(lines[0]).toMatchObject({ level: 50, msg: '[api] unexpected error', err: { message: 'boom' } })
      expect(consoleError).not.toHaveBeenCalled()
    } finally {
      consoleError.mockRestore()
    }
  })
})

describe('lib reads the configuration from the runtime', () => {
  it('/api/v1 Location headers use the installed PUBLIC_URL', () => {
    installRuntime(capturingRuntime([], loadConfig({ PUBLIC_URL: 'https://registry.example.com' })))
    expect(location('/api/v1/projects/1')).toBe('https://registry.example.com/api/v1/projects/1')
  })
})
