// PUT /v2/<name>/blobs/uploads/<id>?digest=: the fast path (a small whole blob to an empty session,
// completed without reading the session first) and every case where it must fall back to the
// ordinary path. The engine runs with a real FilesystemBlobStore and an in-memory index that
// counts session reads and links.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { Readable } from 'node:stream'
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { createRegistryHandler, type RegistryHandler } from '../../../registry-core/src/engine'
import { FilesystemBlobStore } from '../../../registry-core/src/storage/filesystem-blob-store'
import { ANONYMOUS, type UploadRecord, type UploadSession } from '../../../registry-core/src/ports'
import { MemoryRegistryIndex } from '../../../registry-core/src/memory/memory-index'
import { UploadIds } from '../../../registry-core/src/upload-ids'

const digestOf = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`

/** The in-memory index (repositories live in the project "p" only), counting session reads and links. */
class CountingIndex extends MemoryRegistryIndex {
  calls = { getUpload: 0, completeUpload: 0, completeEmptyUpload: 0 }
  /** Blobs linked to a repository so far. */
  linked = 0

  constructor(now: () => number) {
    super({ canCreate: (repository) => repository.startsWith('p/'), now })
  }

  /** What is recorded of a session, without counting as a read. */
  record(repository: string, id: string): Promise<UploadRecord | null> {
    return super.getUpload(repository, id)
  }
  async stateOf(repository: string, id: string): Promise<'unrecorded' | 'open' | 'closed'> {
    return (await this.record(repository, id))?.state ?? 'unrecorded'
  }

  override async getUpload(repository: string, id: string) {
    this.calls.getUpload++
    return super.getUpload(repository, id)
  }
  override async linkBlob(repository: string, digest: string, size: number) {
    await super.linkBlob(repository, digest, size)
    this.linked++
  }
  override async completeUpload(session: UploadSession, digest: string, size: number) {
    this.calls.completeUpload++
    await super.completeUpload(session, digest, size)
    this.linked++
  }
  override async completeEmptyUpload(session: UploadSession, digest: string, size: number) {
    this.calls.completeEmptyUpload++
    const result = await super.completeEmptyUpload(session, digest, size)
    if (result) this.linked++
    return result
  }
}

let root: string
let server: Server
let base: string
/** When set, the clock the index touches sessions by (to age them). */
let clock: number | undefined
let index: CountingIndex
let blobs: FilesystemBlobStore
let handler: RegistryHandler
const uploadIdKey = randomBytes(32)

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'put-upload-'))
  blobs = new FilesystemBlobStore({ root })
  await blobs.init()
  server = createServer((req, res) => void handler(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await blobs.close()
  await rm(root, { recursive: true, force: true })
})

// A fresh index (and an engine on it) per test.
beforeEach(() => {
  clock = undefined
  index = new CountingIndex(() => clock ?? Date.now())
  handler = createRegistryHandler({
    blobs,
    index,
    authorizer: { authorize: async () => ({ kind: 'allow', actor: ANONYMOUS }) },
    events: { emit: () => {} },
    logger: { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} },
    uploadIdKey,
  })
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
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  )

describe('PUT with the whole blob', () => {
  it('completes an empty session without reading it first', async () => {
    const path = await start('p/fast')
    const id = path.split('/').pop()!
    const data = Buffer.from(`small blob ${randomUUID()}`)
    const r = await put(path, digestOf(data), data)
    expect(r.status).toBe(201)
    expect(r.headers.get('docker-content-digest')).toBe(digestOf(data))
    expect(index.calls).toEqual({ getUpload: 0, completeUpload: 0, completeEmptyUpload: 1 })
    expect(await index.stateOf('p/fast', id)).toBe('closed')
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
    expect(await index.stateOf('p/fast', id)).toBe('closed')
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
    expect(await index.record('p/fast', id)).toMatchObject({ state: 'open', session: { size: 4 + tail.length } })
    expect(await index.findBlob('p/fast', digestOf(tail))).toBeNull()
  })

  it('answers 404 BLOB_UPLOAD_UNKNOWN for an unknown session and links nothing', async () => {
    const data = Buffer.from(`orphan ${randomUUID()}`)
    const r = await put(`/v2/p/fast/blobs/uploads/${randomUUID()}`, digestOf(data), data)
    expect(r.status).toBe(404)
    expect((await r.json()).errors[0].code).toBe('BLOB_UPLOAD_UNKNOWN')
    expect(index.linked).toBe(0)
    expect(index.calls.getUpload).toBe(0) // an id this registry never handed out needs no lookup
  })

  it('answers 404 BLOB_UPLOAD_UNKNOWN for an id signed with another key, or altered', async () => {
    const data = Buffer.from(`forged ${randomUUID()}`)
    const forged = new UploadIds(randomBytes(32)).mint('p/fast', new Date())
    const genuine = (await start('p/fast')).split('/').pop()!
    const altered = genuine.slice(0, 10) + (genuine[10] === 'A' ? 'B' : 'A') + genuine.slice(11)
    for (const id of [forged, altered]) {
      const r = await put(`/v2/p/fast/blobs/uploads/${id}`, digestOf(data), data)
      expect(r.status, id).toBe(404)
      expect((await r.json()).errors[0].code).toBe('BLOB_UPLOAD_UNKNOWN')
    }
    expect(index.linked).toBe(0)
  })

  it('answers 404 BLOB_UPLOAD_UNKNOWN for a session that expired before its first bytes', async () => {
    const id = new UploadIds(uploadIdKey).mint('p/fast', new Date(Date.now() - 25 * 3600_000))
    const data = Buffer.from(`late ${randomUUID()}`)
    const r = await put(`/v2/p/fast/blobs/uploads/${id}`, digestOf(data), data)
    expect(r.status).toBe(404)
    expect((await fetch(`${base}/v2/p/fast/blobs/uploads/${id}`)).status).toBe(404)
    expect(index.linked).toBe(0)
  })

  it("answers 404 BLOB_UPLOAD_UNKNOWN for another repository's session, which stays open", async () => {
    const path = await start('p/fast')
    const id = path.split('/').pop()!
    const data = Buffer.from(`elsewhere ${randomUUID()}`)
    const r = await put(`/v2/p/other/blobs/uploads/${id}`, digestOf(data), data)
    expect(r.status).toBe(404)
    expect((await r.json()).errors[0].code).toBe('BLOB_UPLOAD_UNKNOWN')
    expect(await index.stateOf('p/fast', id)).toBe('unrecorded')
    expect(index.linked).toBe(0)
    expect((await put(`/v2/p/fast/blobs/uploads/${id}`, digestOf(data), data)).status).toBe(201)
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
    expect(await index.stateOf('p/fast', id)).toBe('unrecorded')
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
    expect(await index.stateOf('ghost/repo', id)).toBe('unrecorded')
    expect((await fetch(`${base}${path}`)).status).toBe(204)
  })

  it('takes the ordinary path for a body over the fast-path size', async () => {
    const path = await start('p/fast')
    const data = Buffer.alloc(1024 * 1024 + 1, 7)
    const r = await put(path, digestOf(data), data)
    expect(r.status).toBe(201)
    expect(index.calls).toMatchObject({ getUpload: 1, completeUpload: 1, completeEmptyUpload: 0 })
    // Buffer.equals: vitest's element-wise toEqual takes seconds on a MiB, long enough for the server to drop the idle keep-alive socket.
    expect((await readFile(blobFile(digestOf(data)))).equals(data)).toBe(true)
  })

  it('takes the ordinary path with Content-Range', async () => {
    const path = await start('p/fast')
    const data = Buffer.from(`ranged ${randomUUID()}`)
    const r = await put(path, digestOf(data), data, { 'Content-Range': `0-${data.length - 1}` })
    expect(r.status).toBe(201)
    expect(index.calls).toMatchObject({ getUpload: 1, completeUpload: 1, completeEmptyUpload: 0 })
  })
})

describe('upload sessions under signed ids', () => {
  it('records a session at its first bytes, not when it starts', async () => {
    const path = await start('p/lazy')
    const id = path.split('/').pop()!
    expect(await index.stateOf('p/lazy', id)).toBe('unrecorded')
    const status = await fetch(`${base}${path}`)
    expect(status.status).toBe(204)
    expect(status.headers.get('range')).toBe('0-0')
    const patch = await fetch(`${base}${path}`, { method: 'PATCH', body: new TextEncoder().encode('abc') })
    expect(patch.status).toBe(202)
    expect(await index.record('p/lazy', id)).toMatchObject({ state: 'open', session: { repository: 'p/lazy', size: 3 } })
    expect(await readFile(join(root, 'uploads', id), 'utf8')).toBe('abc')
  })

  it('a finished session cannot be used again', async () => {
    const path = await start('p/lazy')
    const data = Buffer.from(`once ${randomUUID()}`)
    expect((await put(path, digestOf(data), data)).status).toBe(201)
    expect((await put(path, digestOf(data), data)).status).toBe(404)
    expect((await fetch(`${base}${path}`)).status).toBe(404)
    expect((await fetch(`${base}${path}`, { method: 'PATCH', body: new TextEncoder().encode('x') })).status).toBe(404)
    expect((await fetch(`${base}${path}`, { method: 'DELETE' })).status).toBe(404)
  })

  it('a cancelled session, recorded or not, cannot be used again and leaves no bytes', async () => {
    const unrecorded = await start('p/lazy')
    expect((await fetch(`${base}${unrecorded}`, { method: 'DELETE' })).status).toBe(204)
    expect(await index.stateOf('p/lazy', unrecorded.split('/').pop()!)).toBe('closed')
    const recorded = await start('p/lazy')
    expect((await fetch(`${base}${recorded}`, { method: 'PATCH', body: new TextEncoder().encode('abc') })).status).toBe(202)
    expect((await fetch(`${base}${recorded}`, { method: 'DELETE' })).status).toBe(204)
    expect(await exists(join(root, 'uploads', recorded.split('/').pop()!))).toBe(false)
    for (const path of [unrecorded, recorded]) {
      const data = Buffer.from(`after cancel ${randomUUID()}`)
      expect((await put(path, digestOf(data), data)).status).toBe(404)
      expect((await fetch(`${base}${path}`, { method: 'DELETE' })).status).toBe(404)
    }
    expect(index.linked).toBe(0)
  })

  it('an empty PATCH records the session; the fast PUT then removes what it left', async () => {
    const path = await start('p/lazy')
    const id = path.split('/').pop()!
    expect((await fetch(`${base}${path}`, { method: 'PATCH' })).status).toBe(202)
    expect(await index.stateOf('p/lazy', id)).toBe('open')
    const data = Buffer.from(`after empty patch ${randomUUID()}`)
    expect((await put(path, digestOf(data), data)).status).toBe(201)
    expect(index.calls.completeEmptyUpload).toBe(1)
    expect(await index.stateOf('p/lazy', id)).toBe('closed')
    expect(await exists(join(root, 'uploads', id))).toBe(false)
  })
})

describe('purging abandoned uploads', () => {
  it('removes expired sessions with their bytes, forgets expired closed ones and sweeps what crashes left', async () => {
    const dayAgo = Date.now() - 25 * 3600_000
    const ids = new UploadIds(uploadIdKey)
    // Abandoned a day ago with bytes received.
    const abandoned: UploadSession = { id: ids.mint('p/purge', new Date(dayAgo)), repository: 'p/purge', size: 0, startedAt: new Date(dayAgo) }
    clock = dayAgo
    await index.openUpload(abandoned)
    await blobs.appendUpload(abandoned.id, 0, Readable.from([Buffer.from('abandoned')]))
    await index.updateUpload(abandoned.id, 9)
    await utimes(join(root, 'uploads', abandoned.id), new Date(dayAgo), new Date(dayAgo))
    // Finished a day ago.
    const finished: UploadSession = { id: ids.mint('p/purge', new Date(dayAgo)), repository: 'p/purge', size: 0, startedAt: new Date(dayAgo) }
    await index.closeUpload(finished)
    clock = undefined
    // A whole-blob write a crash interrupted a day ago.
    const leftover = join(root, 'uploads', 'put.00112233445566778899aabb')
    await writeFile(leftover, 'half a blob')
    await utimes(leftover, new Date(dayAgo), new Date(dayAgo))
    // In use now.
    const live = await start('p/purge')
    expect((await fetch(`${base}${live}`, { method: 'PATCH', body: new TextEncoder().encode('live') })).status).toBe(202)
    const liveId = live.split('/').pop()!

    expect(await handler.purgeStaleUploads()).toBe(1)
    expect(await index.stateOf('p/purge', abandoned.id)).toBe('unrecorded')
    expect(await index.stateOf('p/purge', finished.id)).toBe('unrecorded')
    const left = await readdir(join(root, 'uploads'))
    expect(left).toContain(liveId)
    expect(left).not.toContain(abandoned.id)
    expect(left).not.toContain('put.00112233445566778899aabb')
    // Their ids are past their age, so forgetting them does not bring them back.
    for (const id of [abandoned.id, finished.id]) {
      expect((await fetch(`${base}/v2/p/purge/blobs/uploads/${id}`)).status).toBe(404)
    }
    const status = await fetch(`${base}${live}`)
    expect(status.status).toBe(204)
    expect(status.headers.get('range')).toBe('0-3')
  })
})
