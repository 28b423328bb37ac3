/**
 * Setup shared by the pull-through cache tests (issue #12): endpoints and proxy-cache projects made
 * through /api/v1, and pulls verified as a client makes them.
 *
 *   const registryId = await registryEndpoint(api, admin, { name: 'upstream', type: 'distribution', url: relay.url })
 *   await proxyProject(api, admin, 'cache', registryId)
 *   await pull(registryClient(server.url), 'cache/team/app', 'v1', image)
 */
import http from 'node:http'
import { createHash } from 'node:crypto'
import { expect } from 'vitest'
import type { ApiClient } from './api'
import { expectStatus } from './assertions'
import { ACCEPT_ALL_MANIFESTS, sha256, type Image, type RegistryClient } from './oci'

/** Lets the server reach upstreams on loopback (UPSTREAM_ALLOWED_NETWORKS). */
export const LOOPBACK = { UPSTREAM_ALLOWED_NETWORKS: '127.0.0.0/8' }

type Credentials = { user: string; password: string }

/** Pulls `repo:tag` as a client does: the manifest, then every blob it names, each verified; the answer's Warning header. */
export async function pull(client: RegistryClient, repo: string, tag: string, image: Image): Promise<string> {
  const manifest = await client.getManifest(repo, tag, { headers: { accept: ACCEPT_ALL_MANIFESTS } })
  expectStatus(manifest, 200)
  expect(manifest.body.equals(image.manifest.content)).toBe(true)
  expect(manifest.header('docker-content-digest')).toBe(image.manifest.digest)
  for (const blob of image.blobs) {
    const got = await client.getBlob(repo, blob.digest)
    expectStatus(got, 200)
    expect(sha256(got.body)).toBe(blob.digest)
  }
  return manifest.header('warning') ?? ''
}

/** Creates a registry endpoint; its id. */
export async function registryEndpoint(api: ApiClient, auth: Credentials, body: Record<string, unknown>): Promise<number> {
  const res = await api.post('/api/v1/registries', body, { auth })
  expect(res.status, res.describe()).toBe(201)
  return res.json().id as number
}

/** Creates a public proxy-cache project of endpoint `registryId`; the project as the API answers it. */
export async function proxyProject(api: ApiClient, auth: Credentials, name: string, registryId: number, tagTtlSeconds?: number) {
  const res = await api.post('/api/v1/projects', { name, public: true, proxy: { registryId, tagTtlSeconds } }, { auth })
  expect(res.status, res.describe()).toBe(201)
  return res.json()
}

export interface StreamedBody {
  status: number
  /** The Content-Length announced, or null. */
  announced: number | null
  received: number
  /** sha256 of what was received, as `sha256:<hex>`. */
  digest: string
  /** The response ended with all its bytes (false: the connection was cut before). */
  complete: boolean
  /** The body when it is small (an error document), for messages. */
  text: string
}

/**
 * GETs `url` anonymously and hashes the body as it streams (large blobs are never held in memory).
 * `onData(received, request)` sees each chunk's progress and may destroy the request (a client going
 * away). A connection cut before the announced length resolves with `complete: false`.
 */
export function streamBody(url: string, onData?: (received: number, request: http.ClientRequest) => void): Promise<StreamedBody> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    let received = 0
    let small = Buffer.alloc(0)
    const request = http.get(url, { agent: false }, (res) => {
      const announced = res.headers['content-length'] === undefined ? null : Number(res.headers['content-length'])
      let settled = false
      const settle = () => {
        if (settled) return
        settled = true
        resolve({
          status: res.statusCode ?? 0,
          announced,
          received,
          digest: `sha256:${hash.digest('hex')}`,
          complete: res.complete,
          text: small.toString('utf8'),
        })
      }
      res.on('data', (chunk: Buffer) => {
        received += chunk.length
        hash.update(chunk)
        if (small.length < 4096) small = Buffer.concat([small, chunk.subarray(0, 4096 - small.length)])
        onData?.(received, request)
      })
      res.on('end', settle)
      res.on('error', settle)
      res.on('aborted', settle)
      res.on('close', settle)
    })
    request.on('error', (error) => (received > 0 ? undefined : reject(error)))
  })
}
