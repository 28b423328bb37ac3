// Resource bounds of the one-port server on a server of its own (IDLE_TIMEOUT=2s, RSS measured from
// /proc): silent connections are closed, slow but steady uploads are not, a huge chunked body costs
// no memory, and a full database disk answers 507 and stops a start with a clear message.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PGlite } from '@electric-sql/pglite'
import { migrateDeploy } from '../../lib/db/migrate'
import { startRegistryServer, type RunningServer } from '../support/registry-server'
import { HttpConnection } from '../support/http-connection'
import { blobOf, type RawResponse } from '../support/oci'

const IDLE_MS = 2000
const external = !!process.env.REGISTRY_URL || process.env.TEST_DATABASE === 'postgres'

function rssBytes(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  return Number(kb) * 1024
}

function errorCode(res: RawResponse): string | undefined {
  return (JSON.parse(res.body.toString()) as { errors?: { code: string }[] }).errors?.[0]?.code
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe.skipIf(external)('connection and body bounds (IDLE_TIMEOUT=2s)', () => {
  let server: RunningServer
  let basic: string

  beforeAll(async () => {
    server = await startRegistryServer({
      env: { IDLE_TIMEOUT: `${IDLE_MS}ms` },
      // Simulates a full database disk for two writes: project `full-disk`, and an upload to `admin/full`.
      prepare: async ({ databaseUrl }) => {
        await migrateDeploy(databaseUrl, { log: () => {} })
        const db = new PGlite(databaseUrl.slice('pglite:'.length))
        await db.exec(`CREATE FUNCTION simulate_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100'; END $$;
          CREATE TRIGGER disk_full BEFORE INSERT ON "Project" FOR EACH ROW WHEN (NEW.name = 'full-disk') EXECUTE FUNCTION simulate_disk_full();
          CREATE TRIGGER disk_full BEFORE INSERT ON "Upload" FOR EACH ROW WHEN (NEW."repositoryName" = 'admin/full') EXECUTE FUNCTION simulate_disk_full();`)
        await db.close()
      },
    })
    basic = `Basic ${Buffer.from(`${server.adminUser}:${server.adminPassword}`).toString('base64')}`
  }, 180_000)
  afterAll(async () => {
    await server?.dispose()
  })

  it('closes a connection that declared a body and then stalls', async () => {
    const conn = await HttpConnection.open(server.url)
    const started = Date.now()
    await conn.write(`POST /api/v1/users HTTP/1.1\r\nhost: ${conn.host}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"user`)
    const closedAt = await conn.closed(IDLE_MS + 8000)
    expect(closedAt - started).toBeGreaterThanOrEqual(IDLE_MS - 100)
  })

  it('closes a /v2 upload whose body stalls, and a connection that sends nothing', async () => {
    const stalled = await HttpConnection.open(server.url)
    const silent = await HttpConnection.open(server.url)
    await stalled.write(`PATCH /v2/admin/stall/blobs/uploads/x HTTP/1.1\r\nhost: ${stalled.host}\r\nauthorization: ${basic}\r\ncontent-length: 1048576\r\n\r\nabc`)
    await stalled.closed(IDLE_MS + 8000)
    await silent.closed(IDLE_MS + 8000)
  })

  it('does not cut a slow but steady upload that lasts several times the idle timeout', async () => {
    const piece = 64 * 1024
    const pieces = 24 // one every 400 ms: about 10 s
    const blob = blobOf(Buffer.alloc(piece * pieces, 7))
    const conn = await HttpConnection.open(server.url)
    try {
      conn.send({ method: 'POST', path: '/v2/admin/slow/blobs/uploads/', headers: { authorization: basic } })
      const started = await conn.next(10_000)
      expect(started.status).toBe(202)
      const location = new URL(started.headers.location, server.url)
      await conn.write(
        `PATCH ${location.pathname}${location.search} HTTP/1.1\r\nhost: ${conn.host}\r\nauthorization: ${basic}\r\ncontent-type: application/octet-stream\r\ncontent-length: ${blob.content.length}\r\n\r\n`,
      )
      const begin = Date.now()
      for (let i = 0; i < pieces; i++) {
        await sleep(400)
        await conn.write(blob.content.subarray(i * piece, (i + 1) * piece))
      }
      const patched = await conn.next(10_000)
      expect(Date.now() - begin).toBeGreaterThan(3 * IDLE_MS)
      expect(patched.status).toBe(202)
      const next = new URL(patched.headers.location, server.url)
      next.searchParams.set('digest', blob.digest)
      conn.send({ method: 'PUT', path: next.pathname + next.search, headers: { authorization: basic } })
      expect((await conn.next(10_000)).status).toBe(201)
    } finally {
      conn.close()
    }
  }, 60_000)

  it('refuses a 400 MB chunked body at the limit without the server growing', async () => {
    const pid = server.pid()!
    const before = rssBytes(pid)
    const conn = await HttpConnection.open(server.url)
    let written = 0
    try {
      await conn.write(`POST /api/v1/users HTTP/1.1\r\nhost: ${conn.host}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`)
      const piece = Buffer.alloc(1024 * 1024, 'a')
      const chunk = Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')])
      const answer = conn.next(120_000)
      let answered = false
      void answer.then(
        () => (answered = true),
        () => (answered = true),
      )
      while (written < 400 * 1024 * 1024 && !answered && conn.closedAt === undefined) {
        await conn.write(chunk)
        written += piece.length
      }
      const res = await answer
      expect(res.status).toBe(413)
      expect(errorCode(res)).toBe('PAYLOAD_TOO_LARGE')
    } finally {
      conn.close()
    }
    await sleep(500)
    const growth = rssBytes(pid) - before
    console.log(`400 MB chunked body: ${written} bytes written before the answer, RSS ${before} -> ${before + growth} (+${Math.round(growth / 1024 / 1024)} MiB)`)
    expect(growth).toBeLessThan(32 * 1024 * 1024)
  }, 120_000)

  it('answers 507 on the REST API and /v2 when the database disk is full', async () => {
    const project = await fetch(`${server.url}/api/v1/projects`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'full-disk' }),
    })
    expect(project.status).toBe(507)
    expect((await project.json()).errors[0]).toMatchObject({ code: 'INSUFFICIENT_STORAGE', message: expect.stringMatching(/disk/) })

    const start = await fetch(`${server.url}/v2/admin/full/blobs/uploads/`, { method: 'POST', headers: { authorization: basic } })
    expect(start.status).toBe(202)
    const patch = await fetch(new URL(start.headers.get('location')!, server.url), {
      method: 'PATCH',
      headers: { authorization: basic, 'content-type': 'application/octet-stream' },
      body: Buffer.from('some bytes'),
    })
    expect(patch.status).toBe(507)
    expect((await patch.json()).errors[0].message).toMatch(/storage/)
  })

  it('refuses to start on a full database disk, saying so', async () => {
    await server.stop()
    const databaseUrl = server.databaseUrl
    const db = new PGlite(databaseUrl.slice('pglite:'.length))
    // The last migration looks pending again, and recording it hits the "full disk".
    await db.exec(`DELETE FROM _prisma_migrations WHERE migration_name = (SELECT max(migration_name) FROM _prisma_migrations);
      CREATE TRIGGER disk_full BEFORE INSERT ON _prisma_migrations FOR EACH ROW EXECUTE FUNCTION simulate_disk_full();`)
    await db.close()
    await expect(server.restart()).rejects.toThrow(/exited before it was ready \(exit code 1/)
    expect(server.logs()).toMatch(/the database's disk is full/)
  }, 120_000)
})
