// lib/proxy's routing (registry-core's Upstream port) against real databases (PGlite always,
// PostgreSQL when TEST_POSTGRES_URL is set): proxy-cache projects and Docker Hub's library/ mapping,
// the mirror project for names that are not local projects, ns= selection, local projects winning,
// pushes never rewritten, and credentials the key cannot open reported as the upstream refusing them.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UpstreamError } from '@registry-core'
import { loadConfig } from '../../lib/config'
import { migrateDeploy } from '../../lib/db/migrate'
import { createProxyUpstream, invalidateProxyRoutes, type ProxyUpstream } from '../../lib/proxy'
import { createRegistry, registryCreateSchema } from '../../lib/registries'
import { installRuntime, runtime, type Runtime } from '../../lib/runtime'
import { buildRuntime } from '../../lib/runtime/build'
import { updateSettings } from '../../lib/settings'
import { BACKENDS, openBackend, type Backend } from './backends'
import { silentLogger } from './fixtures'

const admin = { subject: { kind: 'user' as const, userId: 1, username: 'root', isAdmin: true } }
const DIGEST = `sha256:${'a'.repeat(64)}`

describe.each(BACKENDS)('proxy-cache routing on %s', (backendName) => {
  let backend: Backend
  let dataDir: string
  let previous: Runtime | undefined
  let services: Runtime
  let upstream: ProxyUpstream
  let fake: http.Server
  let fakeUrl: string
  const seen: string[] = []

  const runtimeWithKey = (key: string) =>
    buildRuntime(loadConfig({ DATABASE_URL: backend.url, DATA_DIR: dataDir, SECRET_KEY: key, UPSTREAM_ALLOWED_NETWORKS: '127.0.0.0/8' }), silentLogger)
  const endpoint = async (input: Record<string, unknown>) => (await createRegistry(services.prisma, admin, registryCreateSchema.parse(input))).id
  const project = async (name: string, proxyRegistryId?: number) => {
    await services.prisma.project.create({ data: { name, public: true, proxyRegistryId } })
    invalidateProxyRoutes()
  }
  const route = (repository: string, extra: { namespace?: string; method?: string } = {}) => upstream.route({ repository, method: 'GET', ...extra })

  beforeAll(async () => {
    backend = await openBackend(backendName)
    await migrateDeploy(backend.url, { log: () => {}, keepPgliteOpen: true })
    dataDir = await mkdtemp(join(tmpdir(), 'proxy-router-'))
    previous = runtime()
    services = runtimeWithKey('proxy-router-test-key-0123456789abcdef')
    installRuntime(services)
    upstream = createProxyUpstream(services)
    // An upstream that answers every manifest HEAD, recording the path it was asked for.
    fake = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`)
      res.writeHead(200, { 'docker-content-digest': DIGEST, 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': '2' })
      res.end()
    })
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve))
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`

    const hub = await endpoint({ name: 'fake-hub', type: 'docker-hub', url: fakeUrl })
    const realHub = await endpoint({ name: 'docker-hub', type: 'docker-hub' })
    await project('hub', hub)
    await project('dockerhub', realHub)
    await project('hosted')
    await updateSettings(services.prisma, admin, { mirrorProject: 'hub' })
  })
  afterAll(async () => {
    await upstream?.close()
    await new Promise((resolve) => fake?.close(resolve))
    if (previous) installRuntime(previous)
    await services?.close()
    await backend?.cleanup()
    await rm(dataDir, { recursive: true, force: true })
  })

  it("routes a proxy project's names to its endpoint, Docker Hub's single names under library/", async () => {
    const single = await route('hub/alpine')
    expect(single.repository).toBe('hub/alpine')
    expect(single.source).toMatchObject({ name: 'fake-hub', tagTtlMs: 300_000 })
    await single.source!.headManifest('3.20')
    const nested = await route('hub/grafana/grafana')
    await nested.source!.headManifest('latest')
    expect(seen.slice(-2)).toEqual(['HEAD /v2/library/alpine/manifests/3.20', 'HEAD /v2/grafana/grafana/manifests/latest'])
  })

  it('leaves hosted projects alone, and pushes of names that are not local projects', async () => {
    expect(await route('hosted/app')).toEqual({ repository: 'hosted/app', source: null })
    expect(await route('team/app', { method: 'PUT' })).toEqual({ repository: 'team/app', source: null })
    expect(await route('team/app', { method: 'POST' })).toEqual({ repository: 'team/app', source: null })
  })

  it('serves pulls of names that are not local projects through the mirror project; a local project wins', async () => {
    const mirrored = await route('library/alpine', { method: 'HEAD' })
    expect(mirrored.repository).toBe('hub/library/alpine')
    await mirrored.source!.headManifest('latest')
    expect(seen.at(-1)).toBe('HEAD /v2/library/alpine/manifests/latest')
    await project('library')
    expect(await route('library/alpine')).toEqual({ repository: 'library/alpine', source: null })
  })

  it('with ns=, the proxy project whose endpoint is that registry (Docker Hub by any of its names), else the mirror', async () => {
    for (const ns of ['docker.io', 'registry-1.docker.io', 'index.docker.io']) {
      expect((await route('team/app', { namespace: ns })).repository).toBe('dockerhub/team/app')
    }
    expect((await route('team/app', { namespace: new URL(fakeUrl).host })).repository).toBe('hub/team/app')
    expect((await route('team/app', { namespace: 'quay.io' })).repository).toBe('hub/team/app')
  })

  it('without a mirror project, names that are not local projects stay as they are', async () => {
    await updateSettings(services.prisma, admin, { mirrorProject: null })
    expect(await route('team/app')).toEqual({ repository: 'team/app', source: null })
    await updateSettings(services.prisma, admin, { mirrorProject: 'hub' })
  })

  it('credentials the key cannot open: the upstream calls fail as unauthorized, naming SECRET_KEY (routing still works)', async () => {
    const secured = await endpoint({ name: 'secured', type: 'distribution', url: fakeUrl, username: 'u', password: 'p' })
    await project('securedcache', secured)
    const otherKey = runtimeWithKey('another-key-entirely-0123456789abcdef')
    installRuntime(otherKey)
    const other = createProxyUpstream(otherKey)
    try {
      const routed = await other.route({ repository: 'securedcache/app', method: 'GET' })
      expect(routed.repository).toBe('securedcache/app')
      const failure = await routed.source!.headManifest('v1').catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(UpstreamError)
      expect(failure).toMatchObject({ kind: 'unauthorized' })
      expect((failure as Error).message).toContain('SECRET_KEY')
    } finally {
      installRuntime(services)
      await other.close()
      await otherKey.close()
    }
  })
})
