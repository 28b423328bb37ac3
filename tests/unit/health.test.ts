// lib/health: /healthz always, /readyz only in the ready phase and when the database and the blob
// store answer (each probe bounded in time); 503 while starting and from the start of a shutdown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { MemoryBlobStore, type BlobStore } from '../../registry-core/src/index'
import { Health } from '../../lib/health'

describe('Health', () => {
  let server: Server
  let base: string
  let database: () => Promise<unknown> = async () => undefined
  let store: BlobStore = new MemoryBlobStore()
  const health = new Health({ database: () => database(), blobStore: () => store, timeoutMs: 200 })

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (!health.handle(req, res)) res.writeHead(418).end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise((resolve) => server.close(resolve)))

  const ready = async () => {
    const res = await fetch(`${base}/readyz`)
    return { status: res.status, body: (await res.json()) as unknown }
  }

  it('answers /healthz in every phase, and leaves other paths alone', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
    expect((await fetch(`${base}/other`)).status).toBe(418)
    expect((await fetch(`${base}/healthz`, { method: 'HEAD' })).status).toBe(200)
  })

  it('is not ready while starting, ready once started and its probes answer', async () => {
    expect(await ready()).toEqual({ status: 503, body: { status: 'starting' } })
    health.ready()
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', blobStore: 'ok' } } })
  })

  it('is not ready when the database fails or hangs, or the blob store fails its check', async () => {
    database = async () => Promise.reject(new Error('connection refused'))
    expect(await ready()).toEqual({ status: 503, body: { status: 'unavailable', checks: { database: 'connection refused', blobStore: 'ok' } } })
    database = () => new Promise(() => {})
    expect(await ready()).toEqual({ status: 503, body: { status: 'unavailable', checks: { database: 'no answer within 200 ms', blobStore: 'ok' } } })
    database = async () => undefined
    store = Object.assign(new MemoryBlobStore(), { check: async () => Promise.reject(new Error('EACCES: blobs folder')) })
    expect(await ready()).toEqual({ status: 503, body: { status: 'unavailable', checks: { database: 'ok', blobStore: 'EACCES: blobs folder' } } })
    store = new MemoryBlobStore()
    expect((await ready()).status).toBe(200)
  })

  it('answers 503 from the moment shutdown begins, and never becomes ready again', async () => {
    health.stopping()
    expect(await ready()).toEqual({ status: 503, body: { status: 'stopping' } })
    health.ready()
    expect((await ready()).status).toBe(503)
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
  })
})
