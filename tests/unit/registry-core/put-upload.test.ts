// PUT /v2/<name>/blobs/uploads/<id>?digest=: the fast path (a small whole blob to an empty session,
// completed without reading the session first) and every case where it must fall back to the
// ordinary path. The engine runs with a real FilesystemBlobStore and an in-memory index that
// counts session reads.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createHash, randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { createRegistryHandler } from '../../../registry-core/src/engine'
import { RegistryError } from '../../../registry-core/src/errors'
import { FilesystemBlobStore } from '../../../registry-core/src/storage/filesystem-blob-store'
import { ANONYMOUS, type RegistryIndex, type UploadSession } from '../../../registry-core/src/ports'

const digestOf = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`

/** Upload sessions and blob links in memory; repositories live in the project "p" only. */
class MemoryIndex {
  sessions = new Map<string, UploadSession>()
  links = new Map<string, number>()
  calls = { getUpload: 0, completeUpload: 0, completeEmptyUpload: 0 }

  reset(): void {
    this.sessions.clear()
    this.links.clear()
    this.calls = { getUpload: 0, completeUpload: 0, completeEmptyUpload: 0 }
  }

  private linkOrFail(repository: string, digest: string, size: number): void {
    if (!repository.startsWith('p/')) throw new RegistryError('NAME_UNKNOWN', { detail: { name: repository } })
    this.links.set(`${repository}@${digest}`, size)
  }
  async createUpload(session: UploadSession) {
    this.sessions.set(session.id, { ...session })
  }
  async getUpload(repository: string, id: string) {
    this.calls.getUpload++
    const s = this.sessions.get(id)
    return s && s.repository === repository ? { ...s } : null
  }
  async updateUpload(id: string, size: number) {
    const s = this.sessions.get(id)
    if (!s) return false
    s.size = size
    return true
  }
  async deleteUpload(id: string) {
    this.sessions.delete(id)
  }
  async completeUpload(repository: string, id: string, digest: string, size: number) {
    this.calls.completeUpload++
    this.linkOrFail(repository, digest, size)
    this.sessions.delete(id)
  }
  async completeEmptyUpload(repository: string, id: string, digest: string, size: number) {
    this.calls.completeEmptyUpload++
    const s = this.sessions.get(id)
    if (!s || s.repository !== repository || s.size !== 0) return false
    this.linkOrFail(repository, digest, size)
    this.sessions.delete(id)
    return true
  }
  async findBlob(repository: string, digest: string) {
    const size = this.links.get(`${repository}@${digest}`)
    return size === undefined ? null : { size }
  }
  async linkBlob(repository: string, digest: string, size: number) {
    this.linkOrFail(repository, digest, size)
  }
}

let root: string
let server: Server
let base: string
const index = new MemoryIndex()
let blobs: FilesystemBlobStore

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'put-upload-'))
  blobs = new FilesystemBlobStore({ root })
  await blobs.init()
  const handler = createRegistryHandler({
    blobs,
    index: index as unknown as RegistryIndex,
    authorizer: { authorize: async () => ({ kind: 'allow', actor: ANONYMOUS }) },
    events: { emit: () => {} },
    logger: { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} },
  })
  server = createServer((req, res) => void handler(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await blobs.close()
  await rm(root, { recursive: true, force: true })
})

beforeEach(() => {
  index.reset()
})

async function start(repo: string): Promise<string> {
  const r = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' })
  expect(r.status).toBe(202)
  return new URL(r.headers.get('location')!, base).pathname
}

function put(path: string, digest: string, body?: Buffer, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}?digest=${encodeURIComponent(digest)}`, { method: 'PUT', body: body && new Uint8Array(body), headers })
}

const blobFile = (digest: string) => join(root, 'blobs', 'sha256', digest.slice(7, 9), digest.slice(7))
const exists = (path: string) => stat(path).then(() => true, () => false)

describe('PUT with the whole blob', () => {
  it('completes an empty session without reading it first', async () => {
    const path = await start('p/fast')
    const id = path.split('/').pop()!
    const data = Buffer.from(`small blob ${randomUUID()}`)
    const r = await put(path, digestOf(data), data)
    expect(r.status).toBe(201)
    expect(r.headers.get('docker-content-digest')).toBe(digestOf(data))
    expect(index.calls).toEqual({ getUpload: 0, completeUpload: 0, completeEmptyUpload: 1 })
    expect(index.sessions.has(id)).toBe(false)
    expect(await index.findBlob('p/fast', digestOf(data))).toEqual({ size: data.length })
    expect(await readFile(blobFile(digestOf(data)))).toEqual(data)
  })

  it('falls back to the ordinary path (append, verify) when the session already holds bytes', async () => {
    const path = await start('p/fast')
    const id = path.split('/').pop()!
    const data = Buffer.from(`two-part blob ${randomUUID()}`)
    const patch = await fetch(`${base}${path}`, { method: 'PATCH', body: new Uint8Array(data.subarray(0, 5)) })
    expect(patch.status).toBe(202)
    const r = await put(path, digestOf(data), data.subarray(5))
    expect(r.status).toBe(201)
    expect(index.calls.getUpload).toBeGreaterThan(0)
    expect(index.calls.completeUpload).toBe(1)
    expect(index.sessions.has(id)).toBe(false)
    expect(await readFile(blobFile(digestOf(data)))).toEqual(data)
    expect(await exists(join(root, 'uploads', id))).toBe(false)
  })

  it('a final chunk that alone matches the digest still fails on a session with bytes, which keeps them', async () => {
    const path = await start('p/fast')
    const id = path.split('/').pop()!
    const tail = Buffer.from(`tail ${randomUUID()}`)
    expect((await fetch(`${base}${path}`, { method: 'PATCH', body: new TextEncoder().encode('head') })).status).toBe(202)
    const r = await put(path, digestOf(tail), tail)
    expect(r.status).toBe(400)
    expect((await r.json()).errors[0].code).toBe('DIGEST_INVALID')
    expect(index.sessions.get(id)).toMatchObject({ size: 4 + tail.length })
    expect(await index.findBlob('p/fast', digestOf(tail))).toBeNull()
  })

  it('answers 404 BLOB_UPLOAD_UNKNOWN for an unknown session and links nothing', async () => {
    const data = Buffer.from(`orphan ${randomUUID()}`)
    const r = await put(`/v2/p/fast/blobs/uploads/${randomUUID()}`, digestOf(data), data)
    expect(r.status).toBe(404)
    expect((await r.json()).errors[0].code).toBe('BLOB_UPLOAD_UNKNOWN')
    expect(index.links.size).toBe(0)
  })

  it("answers 404 BLOB_UPLOAD_UNKNOWN for another repository's session, which stays open", async () => {
    const path = await start('p/fast')
    const id = path.split('/').pop()!
    const data = Buffer.from(`elsewhere ${randomUUID()}`)
    const r = await put(`/v2/p/other/blobs/uploads/${id}`, digestOf(data), data)
    expect(r.status).toBe(404)
    expect((await r.json()).errors[0].code).toBe('BLOB_UPLOAD_UNKNOWN')
    expect(index.sessions.get(id)).toMatchObject({ repository: 'p/fast', size: 0 })
    expect(index.links.size).toBe(0)
  })

  it('answers 400 DIGEST_INVALID on a digest mismatch, publishes nothing and keeps the session', async () => {
    const path = await start('p/fast')
    const id = path.split('/').pop()!
    const data = Buffer.from(`mismatch ${randomUUID()}`)
    const wrong = digestOf(Buffer.from('something else'))
    const r = await put(path, wrong, data)
    expect(r.status).toBe(400)
    expect((await r.json()).errors[0].code).toBe('DIGEST_INVALID')
    expect(index.calls.completeEmptyUpload).toBe(0)
    expect(index.sessions.get(id)).toMatchObject({ size: 0 })
    expect(await exists(blobFile(wrong))).toBe(false)
    expect(await exists(blobFile(digestOf(data)))).toBe(false)
    const status = await fetch(`${base}${path}`)
    expect(status.status).toBe(204)
  })

  it('answers 404 NAME_UNKNOWN when the project does not exist and keeps the session', async () => {
    const path = await start('ghost/repo')
    const id = path.split('/').pop()!
    const data = Buffer.from(`ghost ${randomUUID()}`)
    const r = await put(path, digestOf(data), data)
    expect(r.status).toBe(404)
    expect((await r.json()).errors[0].code).toBe('NAME_UNKNOWN')
    expect(index.sessions.get(id)).toMatchObject({ size: 0 })
  })

  it('takes the ordinary path for a body over the fast-path size', async () => {
    const path = await start('p/fast')
    const data = Buffer.alloc(1024 * 1024 + 1, 7)
    const r = await put(path, digestOf(data), data)
    expect(r.status).toBe(201)
    expect(index.calls).toMatchObject({ getUpload: 1, completeUpload: 1, completeEmptyUpload: 0 })
    expect(await readFile(blobFile(digestOf(data)))).toEqual(data)
  })

  it('takes the ordinary path with Content-Range', async () => {
    const path = await start('p/fast')
    const data = Buffer.from(`ranged ${randomUUID()}`)
    const r = await put(path, digestOf(data), data, { 'Content-Range': `0-${data.length - 1}` })
    expect(r.status).toBe(201)
    expect(index.calls).toMatchObject({ getUpload: 1, completeUpload: 1, completeEmptyUpload: 0 })
  })
})
