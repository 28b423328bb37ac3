// lib/metrics: route labels (the engine's route templates for /v2, Next's route for the rest, never a
// raw path), the registry work counted from /v2 requests, and the exposition text. The /v2 part runs
// the engine in-process on the in-memory ports with lib's observer, behind a real node:http server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ANONYMOUS, createRegistryHandler, MemoryBlobStore, MemoryRegistryIndex, UpstreamError, type UpstreamSource } from '../../registry-core/src/index'
import { appRouteLabeller, metricsRegistry, metricsText, observeRequest, OTHER_ROUTE, registryObserver, UNMATCHED_V2_ROUTE } from '../../lib/metrics'
import { deliveryOutcome } from '../../lib/metrics/webhooks'
import { askedUpstream, countUpstreamCall } from '../../lib/metrics/upstream'

const digestOf = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`

/** The value of one series of a counter, or undefined when it has none yet. */
async function sample(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = await metricsRegistry.getSingleMetric(name)?.get()
  const found = metric?.values.find((v) => Object.entries(labels).every(([k, value]) => String(v.labels[k]) === value))
  return found?.value
}

async function histogramCount(name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric(name)?.get()
  const found = metric?.values.find(
    (v) => (v as { metricName?: string }).metricName === `${name}_count` && Object.entries(labels).every(([k, value]) => String(v.labels[k]) === value),
  )
  return found?.value ?? 0
}

describe('appRouteLabeller (Next routes from routes-manifest.json)', () => {
  const label = appRouteLabeller({
    staticRoutes: [{ page: '/' }, { page: '/api/v1/projects' }, { page: '/service/token' }],
    dynamicRoutes: [
      { page: '/api/v1/projects/[project]/repositories', regex: '^/api/v1/projects/([^/]+?)/repositories(?:/)?$' },
      { page: '/api/v1/projects/[project]', regex: '^/api/v1/projects/([^/]+?)(?:/)?$' },
    ],
  })

  it('labels a static route by its path, with or without a trailing slash', () => {
    expect(label('/api/v1/projects')).toBe('/api/v1/projects')
    expect(label('/api/v1/projects/')).toBe('/api/v1/projects')
    expect(label('/')).toBe('/')
  })

  it('labels a dynamic route by its template, never by the name in the path', () => {
    expect(label('/api/v1/projects/secret-team')).toBe('/api/v1/projects/[project]')
    expect(label('/api/v1/projects/secret-team/repositories')).toBe('/api/v1/projects/[project]/repositories')
  })

  it('groups Next assets and unknown paths into one label each', () => {
    expect(label('/_next/static/chunks/abc123.js')).toBe('/_next/*')
    expect(label('/no/such/page/with-a-name')).toBe(OTHER_ROUTE)
  })

  it('rejects a manifest of the wrong shape', () => {
    expect(() => appRouteLabeller({ routes: [] })).toThrow()
  })
})

describe('deliveryOutcome', () => {
  it('tells delivered, rejected (non-2xx), error and refused apart', () => {
    expect(deliveryOutcome({ kind: 'response', status: 204, headers: {}, bodySnippet: '', latencyMs: 3 })).toBe('delivered')
    expect(deliveryOutcome({ kind: 'response', status: 500, headers: {}, bodySnippet: '', latencyMs: 3 })).toBe('rejected')
    expect(deliveryOutcome({ kind: 'error', error: 'ECONNREFUSED', latencyMs: 3 })).toBe('error')
    expect(deliveryOutcome({ kind: 'refused', reason: 'private address', latencyMs: 0 })).toBe('refused')
  })
})

describe('countUpstreamCall', () => {
  it('counts calls by operation and failures by kind, and marks the source as asked (a cache miss)', async () => {
    const source = { name: 'hub' } as UpstreamSource
    const calls = (await sample('registry_proxy_upstream_requests_total', { operation: 'get_blob' })) ?? 0
    const timeouts = (await sample('registry_proxy_upstream_errors_total', { operation: 'get_blob', kind: 'timeout' })) ?? 0
    expect(askedUpstream(source)).toBe(false)
    await expect(countUpstreamCall(source, 'get_blob', Promise.resolve('bytes'))).resolves.toBe('bytes')
    expect(askedUpstream(source)).toBe(true)
    await expect(countUpstreamCall(source, 'get_blob', Promise.reject(new UpstreamError('timeout', 'no answer')))).rejects.toThrow('no answer')
    expect(await sample('registry_proxy_upstream_requests_total', { operation: 'get_blob' })).toBe(calls + 2)
    expect(await sample('registry_proxy_upstream_errors_total', { operation: 'get_blob', kind: 'timeout' })).toBe(timeouts + 1)
  })
})

describe('/v2 requests through the engine with the metrics observer', () => {
  let server: Server
  let base: string
  const repo = `team-${randomUUID().slice(0, 8)}/app`

  beforeAll(async () => {
    const handler = createRegistryHandler({
      blobs: new MemoryBlobStore(),
      index: new MemoryRegistryIndex(),
      authorizer: { authorize: async () => ({ kind: 'allow', actor: ANONYMOUS }) },
      events: { emit: () => {} },
      logger: { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} },
      uploadIdKey: randomBytes(32),
      observer: registryObserver,
    })
    server = createServer((req, res) => {
      observeRequest(req, res, () => OTHER_ROUTE)
      void handler(req, res)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
  })

  it('labels requests with route templates, counts bytes and blob/manifest operations, and leaks no repository name', async () => {
    const blobRoute = { route: '/v2/{name}/blobs/{digest}', method: 'GET', status: '200' }
    const manifestRoute = { route: '/v2/{name}/manifests/{reference}', method: 'GET', status: '200' }
    const before = {
      blobGets: await histogramCount('registry_http_request_duration_seconds', blobRoute),
      manifestGets: await histogramCount('registry_http_request_duration_seconds', manifestRoute),
      pulls: (await sample('registry_blob_operations_total', { operation: 'pull' })) ?? 0,
      pushes: (await sample('registry_blob_operations_total', { operation: 'push' })) ?? 0,
      manifestPushes: (await sample('registry_manifest_operations_total', { operation: 'push' })) ?? 0,
      sent: (await sample('registry_http_sent_bytes_total', { route: '/v2/{name}/blobs/{digest}' })) ?? 0,
    }
    const layer = randomBytes(100_000)
    const config = Buffer.from('{}')
    for (const data of [layer, config]) {
      const r = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${digestOf(data)}`, { method: 'POST', body: new Uint8Array(data) })
      expect(r.status).toBe(201)
    }
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digestOf(layer), size: layer.length }],
    })
    const put = await fetch(`${base}/v2/${repo}/manifests/v1`, { method: 'PUT', body: manifest, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } })
    expect(put.status).toBe(201)
    for (let i = 0; i < 3; i++) {
      const blob = await fetch(`${base}/v2/${repo}/blobs/${digestOf(layer)}`)
      expect((await blob.arrayBuffer()).byteLength).toBe(layer.length)
    }
    expect((await fetch(`${base}/v2/${repo}/manifests/v1`)).status).toBe(200)
    expect((await fetch(`${base}/v2/${repo}/manifests/nope`)).status).toBe(404)
    expect((await fetch(`${base}/v2/${repo}/no-such-endpoint`)).status).toBe(404)
    // The response is complete before 'close' fires on the server's side: wait for the last records.
    await new Promise((resolve) => setTimeout(resolve, 50))

    expect(await histogramCount('registry_http_request_duration_seconds', blobRoute)).toBe(before.blobGets + 3)
    expect(await histogramCount('registry_http_request_duration_seconds', manifestRoute)).toBe(before.manifestGets + 1)
    expect(await histogramCount('registry_http_request_duration_seconds', { route: '/v2/{name}/manifests/{reference}', method: 'GET', status: '404' })).toBeGreaterThanOrEqual(1)
    expect(await histogramCount('registry_http_request_duration_seconds', { route: UNMATCHED_V2_ROUTE, method: 'GET', status: '404' })).toBeGreaterThanOrEqual(1)
    expect(await sample('registry_blob_operations_total', { operation: 'pull' })).toBe(before.pulls + 3)
    expect(await sample('registry_blob_operations_total', { operation: 'push' })).toBe(before.pushes + 2)
    expect(await sample('registry_manifest_operations_total', { operation: 'push' })).toBe(before.manifestPushes + 1)
    expect(((await sample('registry_http_sent_bytes_total', { route: '/v2/{name}/blobs/{digest}' })) ?? 0) - before.sent).toBeGreaterThanOrEqual(3 * layer.length)

    const text = await metricsText()
    expect(text).toContain('registry_http_request_duration_seconds_bucket{le="0.001",route="/v2/{name}/blobs/{digest}",method="GET",status="200"}')
    expect(text).not.toContain(repo.split('/')[0])
    expect(text).toContain('process_cpu_seconds_total')
  })
})
