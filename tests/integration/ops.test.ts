// Operations: /healthz and /readyz on the main port, /metrics on METRICS_PORT (and on the main port
// only with METRICS_TOKEN), and a graceful SIGTERM that lets uploads in flight finish while new
// connections are refused. A server of this file's own (it is stopped); the shared server of global
// setup shows that /metrics is not on the main port without a token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registryUnderTest } from '../support/context'
import { HttpConnection, requestBytes } from '../support/http-connection'
import { ociImage, randomBlob, registryClient, withDigest, type RegistryClient } from '../support/oci'
import { startOwnServer, type OwnServer } from '../support/own-server'
import { freePort } from '../support/registry-server'

const skip = !!process.env.REGISTRY_URL
const METRICS_TOKEN = 'metrics-token-for-the-ops-test-0123456789'

/** The value of the series `name{labels}` in an exposition text (labels in the order prom-client prints them). */
function seriesValue(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `))
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

describe.skipIf(skip)('health, metrics and graceful shutdown', () => {
  let own: OwnServer
  let client: RegistryClient
  let metricsPort: number
  let basicAuth: string
  let n = 0
  const repo = () => `${own.admin.user}/ops-${Date.now().toString(36)}-${n++}`

  beforeAll(async () => {
    metricsPort = await freePort()
    own = await startOwnServer({ options: () => ({ env: { METRICS_PORT: String(metricsPort), METRICS_TOKEN, SHUTDOWN_TIMEOUT: '15s' } }) })
    client = registryClient(own.server.url, own.admin)
    basicAuth = 'Basic ' + Buffer.from(`${own.admin.user}:${own.admin.password}`).toString('base64')
  }, 300_000)

  afterAll(() => own?.dispose())

  it('answers /healthz and /readyz without credentials', async () => {
    const health = await fetch(`${own.server.url}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    const ready = await fetch(`${own.server.url}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', blobStore: 'ok' } })
    expect((await fetch(`${own.server.url}/readyz`, { method: 'POST' })).status).toBe(405)
  })

  it('serves /metrics on METRICS_PORT with /v2 traffic labelled by route template, never by repository', async () => {
    const name = repo()
    const image = ociImage({ layers: 2, layerSize: 4096 })
    expect((await client.pushImage(name, image, 'v1')).status).toBe(201)
    for (let i = 0; i < 2; i++) expect((await client.get(`/v2/${name}/blobs/${image.blobs[1].digest}`)).status).toBe(200)
    expect((await client.get(`/v2/${name}/manifests/v1`)).status).toBe(200)
    expect((await client.get(`/v2/${name}/manifests/no-such-tag`)).status).toBe(404)
    expect((await fetch(`${own.server.url}/api/v1/projects/${own.admin.user}`, { headers: { authorization: basicAuth } })).status).toBe(200)

    // A request is recorded when its response has closed on the server's side, which may come a moment
    // after the client has it (Next finishes its own work first): scrape until the last one is in.
    const apiSeries = 'route="/api/v1/projects/[project]",method="GET",status="200"'
    let text = ''
    for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
      text = await res.text()
      if (seriesValue(text, 'registry_http_request_duration_seconds_count', apiSeries) !== undefined) break
    }
    const count = (labels: string) => seriesValue(text, 'registry_http_request_duration_seconds_count', labels)
    expect(count('route="/v2/{name}/blobs/{digest}",method="GET",status="200"')).toBeGreaterThanOrEqual(2)
    expect(count('route="/v2/{name}/manifests/{reference}",method="GET",status="200"')).toBeGreaterThanOrEqual(1)
    expect(count('route="/v2/{name}/manifests/{reference}",method="GET",status="404"')).toBeGreaterThanOrEqual(1)
    expect(count('route="/v2/{name}/manifests/{reference}",method="PUT",status="201"')).toBeGreaterThanOrEqual(1)
    expect(count(apiSeries)).toBeGreaterThanOrEqual(1)
    expect(seriesValue(text, 'registry_blob_operations_total', 'operation="pull"')).toBeGreaterThanOrEqual(2)
    expect(seriesValue(text, 'registry_manifest_operations_total', 'operation="push"')).toBeGreaterThanOrEqual(1)
    expect(seriesValue(text, 'registry_http_sent_bytes_total', 'route="/v2/{name}/blobs/{digest}"')).toBeGreaterThanOrEqual(2 * 4096)
    expect(text).toMatch(/^registry_upload_sessions_open \d+$/m)
    expect(text).toMatch(/^process_cpu_seconds_total /m)
    expect(text).not.toContain(name.split('/')[1])

    expect((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status).toBe(404)
  })

  it('serves /metrics on the main port only with METRICS_TOKEN', async () => {
    const anonymous = await fetch(`${own.server.url}/metrics`)
    expect(anonymous.status).toBe(401)
    expect(await anonymous.text()).not.toContain('registry_http')
    expect((await fetch(`${own.server.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-of-the-same-sort-000000' } })).status).toBe(401)
    const withToken = await fetch(`${own.server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(withToken.status).toBe(200)
    expect(await withToken.text()).toContain('registry_http_request_duration_seconds_bucket')
  })

  it('does not serve /metrics on the main port of a server without METRICS_TOKEN', async () => {
    const shared = registryUnderTest()
    if (shared.flavour !== 'ours') return
    const res = await fetch(`${shared.url}/metrics`)
    expect(res.status).toBe(404)
    expect(await res.text()).not.toContain('registry_http')
  })

  it('on SIGTERM, lets requests in flight finish (uploads, a pull), refuses new connections, answers /readyz 503, then exits 0', async () => {
    const name = repo()
    const whole = randomBlob(256 * 1024)
    const chunk = randomBlob(256 * 1024)
    // Large enough that the server is still writing it when the signal comes (the reader is paused).
    const big = randomBlob(16 * 1024 * 1024)
    expect((await client.pushBlob(name, big)).status).toBe(201)
    const session = async () => {
      const r = await client.request('POST', `/v2/${name}/blobs/uploads/`)
      expect(r.status).toBe(202)
      return new URL(r.header('location')!, own.server.url)
    }
    const monolithic = await session()
    const chunked = await session()

    // Three requests in flight: a pull whose reader has stopped reading, and a monolithic PUT and a
    // PATCH with the first half of their bodies sent.
    const pull = await HttpConnection.open(own.server.url)
    pull.socket.pause()
    pull.send({ method: 'GET', path: `/v2/${name}/blobs/${big.digest}`, headers: { authorization: basicAuth } })
    const put = await HttpConnection.open(own.server.url)
    const putBytes = requestBytes(put.host, {
      method: 'PUT',
      path: withDigest(monolithic.pathname + monolithic.search, whole.digest),
      headers: { authorization: basicAuth, 'content-type': 'application/octet-stream' },
      body: whole.content,
    })
    const patch = await HttpConnection.open(own.server.url)
    const patchBytes = requestBytes(patch.host, {
      method: 'PATCH',
      path: chunked.pathname + chunked.search,
      headers: { authorization: basicAuth, 'content-type': 'application/octet-stream', 'content-range': `0-${chunk.size - 1}` },
      body: chunk.content,
    })
    const rest = 128 * 1024
    await put.write(putBytes.subarray(0, putBytes.length - rest))
    await patch.write(patchBytes.subarray(0, patchBytes.length - rest))
    await new Promise((resolve) => setTimeout(resolve, 500))

    process.kill(own.server.pid()!, 'SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 500))
    await expect(fetch(`${own.server.url}/healthz`)).rejects.toThrow()
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow()

    // /readyz behind the pull on its connection, then the rest of the upload bodies, slowly.
    pull.send({ method: 'GET', path: '/readyz' })
    pull.socket.resume()
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      await put.write(putBytes.subarray(putBytes.length - rest + (i * rest) / 4, putBytes.length - rest + ((i + 1) * rest) / 4))
      await patch.write(patchBytes.subarray(patchBytes.length - rest + (i * rest) / 4, patchBytes.length - rest + ((i + 1) * rest) / 4))
    }
    const putResponse = await put.next(10_000)
    expect(putResponse.status, putResponse.body.toString()).toBe(201)
    expect(putResponse.headers['docker-content-digest']).toBe(whole.digest)
    expect(putResponse.headers.connection).toBe('close')
    const patchResponse = await patch.next(10_000)
    expect(patchResponse.status, patchResponse.body.toString()).toBe(202)
    expect(patchResponse.headers.range).toBe(`0-${chunk.size - 1}`)
    expect(patchResponse.headers.connection).toBe('close')
    const pulled = await pull.next(10_000)
    expect(pulled.status).toBe(200)
    expect(pulled.body.length).toBe(big.size)
    const readyz = await pull.next(10_000)
    expect(readyz.status).toBe(503)
    expect(JSON.parse(readyz.body.toString())).toEqual({ status: 'stopping' })
    expect(readyz.headers.connection).toBe('close')
    await Promise.all([put.closed(5_000), patch.closed(5_000), pull.closed(5_000)])

    await own.server.stop()
    expect(own.server.logs()).toMatch(/exited: exit code 0, signal null/)

    // What completed during the shutdown is there after a restart: the blob, and the chunk's session.
    await own.server.restart()
    expect((await client.head(`/v2/${name}/blobs/${whole.digest}`)).status).toBe(200)
    const status = await client.get(chunked.pathname + chunked.search)
    expect(status.status).toBe(204)
    expect(status.header('range')).toBe(`0-${chunk.size - 1}`)
    const done = await client.request('PUT', withDigest(status.header('location')!, chunk.digest))
    expect(done.status).toBe(201)
  }, 120_000)
})
