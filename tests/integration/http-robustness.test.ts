// HTTP robustness of the one-port server (issue #10): every request of a pipelined or quickly reused
// keep-alive connection is answered in order, bodies outside /v2 are capped while they stream, and
// NUL bytes in any input are a 400 with the usual error body, never a 500.
import { beforeAll, describe, expect, it } from 'vitest'
import { registryUnderTest } from '../support/context'
import { HttpConnection, type RequestHead } from '../support/http-connection'
import { ociImage, randomBlob, type RawResponse } from '../support/oci'
import { basicHeader, TOKEN_SERVICE } from '../support/tokens'

const reg = registryUnderTest()
const ours = reg.flavour === 'ours'
const client = reg.client()
const authorization = () => basicHeader(reg.credentials!)

function errorCode(res: RawResponse): string | undefined {
  return (JSON.parse(res.body.toString()) as { errors?: { code: string }[] }).errors?.[0]?.code
}

/** Sends `requests` in one write on `conn` and reads one answer per request, each within `perAnswerMs`. */
async function pipelined(conn: HttpConnection, requests: RequestHead[], perAnswerMs = 1000): Promise<RawResponse[]> {
  conn.send(...requests)
  const answers: RawResponse[] = []
  for (const [i, r] of requests.entries()) {
    try {
      answers.push(await conn.next(perAnswerMs, r.method === 'HEAD'))
    } catch (error) {
      throw new Error(`answer ${i + 1} of ${requests.length} (${r.method} ${r.path}): ${(error as Error).message}`, { cause: error })
    }
  }
  return answers
}

/** One untimed round first: the first password check and page render of a fresh server take longer than a second. */
async function warmUp(requests: RequestHead[]): Promise<void> {
  const conn = await HttpConnection.open(reg.url)
  try {
    await pipelined(conn, requests, 60_000)
  } finally {
    conn.close()
  }
}

describe.skipIf(!ours)('pipelined and quickly reused connections', () => {
  const repo = reg.repo('pipeline')
  const blob = randomBlob(256 * 1024)

  beforeAll(async () => {
    expect((await client.pushBlob(repo, blob)).status).toBe(201)
  })

  it('answers /v2 errors and successes of three pipelined requests, 100 times over, in order', async () => {
    const conn = await HttpConnection.open(reg.url)
    try {
      for (let i = 0; i < 100; i++) {
        const [base, upload, tags] = await pipelined(conn, [
          { method: 'GET', path: '/v2/' },
          { method: 'POST', path: `/v2/${repo}/blobs/uploads/` },
          { method: 'GET', path: `/v2/${repo}/tags/list` },
        ])
        expect([base.status, upload.status, tags.status], `round ${i}`).toEqual([401, 401, 401])
        expect(errorCode(upload)).toBe('UNAUTHORIZED')
      }
    } finally {
      conn.close()
    }
  })

  it('answers an anonymous POST sent right behind an authorized blob GET, 200 times over', async () => {
    const conn = await HttpConnection.open(reg.url)
    try {
      const requests: RequestHead[] = [
        { method: 'GET', path: `/v2/${repo}/blobs/${blob.digest}`, headers: { authorization: authorization() } },
        { method: 'POST', path: `/v2/${repo}/blobs/uploads/` },
      ]
      await warmUp(requests)
      for (let i = 0; i < 200; i++) {
        const [get, post] = await pipelined(conn, requests)
        expect(get.status, `round ${i}`).toBe(200)
        expect(get.body.equals(blob.content)).toBe(true)
        expect(post.status, `round ${i}`).toBe(401)
      }
    } finally {
      conn.close()
    }
  })

  it('answers pipelined token, REST API and page requests in order, also mixed with /v2', async () => {
    const conn = await HttpConnection.open(reg.url)
    try {
      const requests: RequestHead[] = [
        { method: 'GET', path: `/service/token?service=${TOKEN_SERVICE}&scope=repository:${repo}:pull` },
        { method: 'GET', path: '/api/v1/users' },
        { method: 'GET', path: '/v2/' },
        { method: 'GET', path: '/api/v1/projects', headers: { authorization: authorization() } },
        { method: 'GET', path: '/login' },
        { method: 'POST', path: '/service/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token' },
      ]
      await warmUp(requests)
      for (let i = 0; i < 20; i++) {
        const answers = await pipelined(conn, requests, 5000)
        expect(
          answers.map((a) => a.status),
          `round ${i}`,
        ).toEqual([200, 401, 401, 200, 200, 400])
        expect(JSON.parse(answers[0].body.toString()).token).toBeTypeOf('string')
        expect(answers[4].headers['content-type']).toMatch(/text\/html/)
      }
    } finally {
      conn.close()
    }
  })
})

/**
 * Writes `bytes` of a chunked body and then sends nothing more, never ending the body: an answer can
 * only come from a server that decides on the bytes it has seen, not one that waits for the whole body.
 */
async function chunkedBodyThatNeverEnds(path: string, headers: Record<string, string>, bytes: number): Promise<RawResponse> {
  const conn = await HttpConnection.open(reg.url)
  try {
    const head =
      `POST ${path} HTTP/1.1\r\nhost: ${conn.host}\r\ntransfer-encoding: chunked\r\n` +
      Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('') +
      '\r\n'
    await conn.write(head)
    const piece = Buffer.alloc(64 * 1024, 'a')
    const chunk = Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')])
    const answer = conn.next(15_000)
    for (let written = 0; written < bytes && conn.closedAt === undefined; written += piece.length) await conn.write(chunk)
    return await answer
  } finally {
    conn.close()
  }
}

describe.skipIf(!ours)('request bodies outside /v2 are capped while they stream', () => {
  const LIMIT = 1024 * 1024

  it('refuses a declared Content-Length over the limit before reading it (token service)', async () => {
    const conn = await HttpConnection.open(reg.url)
    try {
      await conn.write(`POST /service/token HTTP/1.1\r\nhost: ${conn.host}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ${512 * 1024 * 1024}\r\n\r\n`)
      const res = await conn.next(5000)
      expect(res.status).toBe(413)
      expect(errorCode(res)).toBe('PAYLOAD_TOO_LARGE')
      expect(res.headers.connection).toBe('close')
    } finally {
      conn.close()
    }
  })

  const targets: [string, string, Record<string, string>][] = [
    ['the REST API (signup)', '/api/v1/users', { 'content-type': 'application/json' }],
    ['the token service', '/service/token', { 'content-type': 'application/x-www-form-urlencoded' }],
    ["next-auth's sign-in", '/api/auth/callback/credentials', { 'content-type': 'application/x-www-form-urlencoded' }],
  ]
  for (const [what, path, headers] of targets) {
    it(`answers 413 at the first byte past the limit of a chunked body to ${what}`, async () => {
      // Two pieces past the limit, and the body never ends: the 413 comes from the bytes past the limit.
      const res = await chunkedBodyThatNeverEnds(path, headers, LIMIT + 128 * 1024)
      expect(res.status).toBe(413)
      expect(errorCode(res)).toBe('PAYLOAD_TOO_LARGE')
    })
  }

  it('hands bodies under the limit to the handler (which applies its own, smaller limit)', async () => {
    const res = await fetch(`${reg.url}/service/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=password&pad=${'x'.repeat(512 * 1024)}`,
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_request', error_description: 'body too large' })
  })

  it('a page that does not read a body past the limit still answers, although the body never ends', async () => {
    const res = await chunkedBodyThatNeverEnds('/login', { 'content-type': 'text/plain' }, LIMIT + 128 * 1024)
    expect([200, 413]).toContain(res.status)
  })
})

describe.skipIf(!ours)('NUL bytes in input are a 400 with the usual error body', () => {
  const repo = reg.repo('nul')
  const ns = reg.namespace
  let repoParam: string
  const nulCredentials = `Basic ${Buffer.from('ad\0min:secret-password').toString('base64')}`

  beforeAll(async () => {
    expect((await client.pushImage(repo, ociImage(), 'v1')).status).toBe(201)
    repoParam = encodeURIComponent(repo.slice(ns.length + 1))
  })

  const v2Cases: [string, () => string][] = [
    ['catalog last', () => '/v2/_catalog?last=%00'],
    ['tag list last', () => `/v2/${repo}/tags/list?last=a%00b`],
    ['referrers artifactType', () => `/v2/${repo}/referrers/sha256:${'0'.repeat(64)}?artifactType=%00`],
  ]
  for (const [what, path] of v2Cases) {
    it(`/v2 ${what}`, async () => {
      const res = await fetch(reg.url + path(), { headers: { authorization: authorization() } })
      expect(res.status).toBe(400)
      expect((await res.json()).errors[0].code).toBe('UNSUPPORTED')
    })
  }

  it('/v2 Basic username', async () => {
    const res = await fetch(`${reg.url}/v2/${repo}/tags/list`, { headers: { authorization: nulCredentials } })
    expect(res.status).toBe(400)
    expect((await res.json()).errors[0].code).toBe('UNSUPPORTED')
  })

  it('/service/token Basic username (GET) and form username (POST)', async () => {
    const get = await fetch(`${reg.url}/service/token?service=${TOKEN_SERVICE}&scope=repository:${repo}:pull`, { headers: { authorization: nulCredentials } })
    expect(get.status).toBe(400)
    expect((await get.json()).errors[0].code).toBe('UNSUPPORTED')
    const post = await fetch(`${reg.url}/service/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&username=ad%00min&password=x',
    })
    expect(post.status).toBe(400)
    expect((await post.json()).error).toBe('invalid_request')
  })

  const restCases: [string, () => string][] = [
    ['q filter', () => '/api/v1/projects?q=%00'],
    ['search q', () => '/api/v1/search?q=a%00'],
    ['tag filter', () => `/api/v1/projects/${ns}/repositories/${repoParam}/artifacts?tag=%00`],
    ['project name', () => '/api/v1/projects/a%00b'],
    ['repository name', () => `/api/v1/projects/${ns}/repositories/a%2500b`],
  ]
  for (const [what, path] of restCases) {
    it(`/api/v1 ${what}`, async () => {
      const res = await fetch(reg.url + path(), { headers: { authorization: authorization() } })
      expect(res.status).toBe(400)
      expect((await res.json()).errors[0].code).toBe('BAD_REQUEST')
    })
  }

  it('/api/v1 project name in a JSON body and a Basic username', async () => {
    const created = await fetch(`${reg.url}/api/v1/projects`, {
      method: 'POST',
      headers: { authorization: authorization(), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'a\u0000b' }),
    })
    expect(created.status).toBe(400)
    expect((await created.json()).errors[0].code).toBe('BAD_REQUEST')
    const basic = await fetch(`${reg.url}/api/v1/projects`, { headers: { authorization: nulCredentials } })
    expect(basic.status).toBe(400)
    expect((await basic.json()).errors[0].code).toBe('BAD_REQUEST')
  })
})
