// The real server with BLOB_STORE=s3 on a Ceph cluster this file starts (tests/support/ceph.ts):
// pushes (monolithic and chunked, chunks over and under S3's 5 MiB part minimum) and pulls with
// Range, streamed by the registry or redirected (S3_REDIRECT=1) to a presigned URL; cancelled and
// expired upload sessions leave no multipart upload behind; skopeo copies between the two servers
// (pulling through the redirects). Starts its OWN servers.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3'
import { expectStatus } from '../support/assertions'
import { startCephS3, type CephS3 } from '../support/ceph'
import { ociImage, randomBlob, registryClient, sha256, type RegistryClient } from '../support/oci'
import { startOwnServer, type OwnServer } from '../support/own-server'

interface Descriptor {
  digest: string
  size: number
}

const skip = !!process.env.REGISTRY_URL
const MiB = 1024 * 1024

describe.skipIf(skip)('BLOB_STORE=s3 on Ceph', () => {
  let ceph: CephS3
  let bucket: string
  let streaming: OwnServer
  let redirecting: OwnServer
  const clientOf = (own: OwnServer) => registryClient(own.server.url, own.admin)
  const repoOf = (own: OwnServer, name: string) => `${own.admin.user}/${name}`

  beforeAll(async () => {
    ceph = await startCephS3()
    bucket = await ceph.createBucket()
    streaming = await startOwnServer({ options: () => ({ env: ceph.env(bucket, { S3_PREFIX: 'streaming/' }) }) })
    // Sessions of the redirecting server expire after 3 s of silence, purged every second.
    redirecting = await startOwnServer({
      options: () => ({ env: ceph.env(bucket, { S3_PREFIX: 'redirecting/', S3_REDIRECT: '1', UPLOAD_PURGE_AFTER: '3s', UPLOAD_PURGE_INTERVAL: '1s' }) }),
    })
  }, 300_000)

  afterAll(async () => {
    await streaming?.dispose()
    await redirecting?.dispose()
    await ceph?.stop()
  }, 60_000)

  async function multipartUploads(prefix: string): Promise<string[]> {
    const client = ceph.client()
    try {
      return ((await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }))).Uploads ?? []).map((u) => u.Key!)
    } finally {
      client.destroy()
    }
  }

  async function objectKeys(prefix: string): Promise<string[]> {
    const client = ceph.client()
    try {
      return ((await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!)
    } finally {
      client.destroy()
    }
  }

  /** Starts an upload and PATCHes `bytes` into it; resolves the session's location. */
  async function openSession(client: RegistryClient, repo: string, bytes: Buffer): Promise<string> {
    const post = await client.startUpload(repo)
    expectStatus(post, 202)
    const patch = await client.patchChunk(post.header('location')!, bytes, 0)
    expectStatus(patch, 202)
    return patch.header('location')!
  }

  it('pushes an image and a chunked 13 MiB layer, and pulls them back, whole and by Range, streamed from S3', async () => {
    const client = clientOf(streaming)
    const repo = repoOf(streaming, 's3-push')
    const image = ociImage({ layers: 2, layerSize: 300_000 })
    await client.pushImage(repo, image, 'v1')
    const big = randomBlob(13 * MiB + 333)
    // 3 MiB chunks: every PATCH leaves a tail under the 8 MiB part size that the next one picks up.
    await client.pushBlobChunked(repo, big, 3 * MiB)

    const manifest = await client.getManifest(repo, 'v1')
    expectStatus(manifest, 200)
    expect(manifest.body.equals(image.manifest.content)).toBe(true)
    for (const blob of image.blobs) {
      const got = await client.getBlob(repo, blob.digest)
      expectStatus(got, 200)
      expect(got.body.equals(blob.content)).toBe(true)
    }
    const whole = await client.getBlob(repo, big.digest)
    expectStatus(whole, 200)
    expect(whole.body.equals(big.content)).toBe(true)
    const ranged = await client.getBlob(repo, big.digest, { headers: { range: `bytes=${5 * MiB - 10}-${5 * MiB + 9}` } })
    expectStatus(ranged, 206)
    expect(ranged.header('content-range')).toBe(`bytes ${5 * MiB - 10}-${5 * MiB + 9}/${big.size}`)
    expect(ranged.body.equals(big.content.subarray(5 * MiB - 10, 5 * MiB + 10))).toBe(true)

    const [algorithm, hex] = big.digest.split(':')
    expect(await objectKeys(`streaming/blobs/${algorithm}/${hex}`)).toEqual([`streaming/blobs/${algorithm}/${hex}`])
    expect(await multipartUploads('streaming/')).toEqual([])
    expect(await objectKeys('streaming/uploads/')).toEqual([])
  })

  it('a cancelled upload session aborts its multipart upload', async () => {
    const client = clientOf(streaming)
    const location = await openSession(client, repoOf(streaming, 's3-cancel'), randomBlob(9 * MiB).content)
    expect((await multipartUploads('streaming/uploads/')).length).toBe(1)
    expectStatus(await client.delete(location), 204)
    expect(await multipartUploads('streaming/uploads/')).toEqual([])
    expect(await objectKeys('streaming/uploads/')).toEqual([])
  })

  it('S3_REDIRECT=1: a blob GET answers 307 to a presigned URL that serves the blob and Ranges of it; HEAD answers itself', async () => {
    const client = clientOf(redirecting)
    const repo = repoOf(redirecting, 's3-redirect')
    const blob = randomBlob(6 * MiB + 5)
    await client.pushBlobChunked(repo, blob, 2 * MiB)

    const head = await client.headBlob(repo, blob.digest)
    expectStatus(head, 200)
    expect(head.header('content-length')).toBe(String(blob.size))
    const redirect = await client.getBlob(repo, blob.digest)
    expectStatus(redirect, 307)
    expect(redirect.header('docker-content-digest')).toBe(blob.digest)
    const location = redirect.header('location')!
    expect(location.startsWith(`${ceph.endpoint}/${bucket}/redirecting/blobs/`)).toBe(true)
    expect(location).toContain('X-Amz-Signature=')

    const whole = await fetch(location)
    expect(whole.status).toBe(200)
    expect(Buffer.from(await whole.arrayBuffer()).equals(blob.content)).toBe(true)
    const ranged = await client.getBlob(repo, blob.digest, { headers: { range: 'bytes=100-199' } })
    expectStatus(ranged, 307)
    const part = await fetch(ranged.header('location')!, { headers: { range: 'bytes=100-199' } })
    expect(part.status).toBe(206)
    expect(Buffer.from(await part.arrayBuffer()).equals(blob.content.subarray(100, 200))).toBe(true)
    // Pulls of a blob the repository does not link are refused before any redirect.
    expectStatus(await client.getBlob(repoOf(redirecting, 's3-other'), blob.digest), 404)
  })

  it('skopeo copies an image from the streaming server to the redirecting one and pulls it back through the redirects', async () => {
    const image = ociImage({ layers: 2, layerSize: 9 * MiB })
    const [from, to] = [repoOf(streaming, 's3-skopeo'), repoOf(redirecting, 's3-skopeo')]
    await clientOf(streaming).pushImage(from, image, 'v1')
    const host = (own: OwnServer) => new URL(own.server.url).host
    const creds = (own: OwnServer) => `${own.admin.user}:${own.admin.password}`
    const dir = await mkdtemp(path.join(os.tmpdir(), 's3-skopeo-'))
    try {
      const skopeo = (...args: string[]) => promisify(execFile)('skopeo', ['--insecure-policy', ...args], { maxBuffer: 16 * MiB })
      await skopeo(
        'copy',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        '--src-creds',
        creds(streaming),
        '--dest-creds',
        creds(redirecting),
        `docker://${host(streaming)}/${from}:v1`,
        `docker://${host(redirecting)}/${to}:v1`,
      )
      await skopeo('copy', '--src-tls-verify=false', '--src-creds', creds(redirecting), `docker://${host(redirecting)}/${to}:v1`, `dir:${dir}`)
      // skopeo gzips the random "layers" on the way (they are not compressed), so check what it pulled
      // against the manifest it pulled: every file is named by the sha256 of its bytes.
      const pulled = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as { config: Descriptor; layers: Descriptor[] }
      expect(pulled.layers).toHaveLength(2)
      for (const layer of [pulled.config, ...pulled.layers]) {
        const bytes = await readFile(path.join(dir, layer.digest.split(':')[1]))
        expect([bytes.length, sha256(bytes)]).toEqual([layer.size, layer.digest])
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    expect(await multipartUploads('redirecting/uploads/')).toEqual([])
  })

  it('an expired upload session is purged and its multipart upload aborted', async () => {
    const client = clientOf(redirecting)
    await openSession(client, repoOf(redirecting, 's3-expire'), randomBlob(9 * MiB).content)
    expect((await multipartUploads('redirecting/uploads/')).length).toBe(1)
    const deadline = Date.now() + 30_000
    const left = async () => [...(await multipartUploads('redirecting/uploads/')), ...(await objectKeys('redirecting/uploads/'))]
    while ((await left()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500))
    expect(await multipartUploads('redirecting/uploads/')).toEqual([])
    expect(await objectKeys('redirecting/uploads/')).toEqual([])
  })
})
