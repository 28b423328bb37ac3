import { afterEach, describe, expect, it } from 'vitest'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { getDefaultAutoSelectFamily, setDefaultAutoSelectFamily, type AddressInfo } from 'node:net'
import { parseAllowedNetworks } from '../../lib/net/outbound-guard'
import { USER_AGENT, checkTargetResolves, checkTargetUrl, sendWebhook, type OutboundRules } from '../../lib/webhooks/outbound'

interface Received {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

interface Receiver {
  port: number
  url: string
  received: Received[]
}

const servers: Server[] = []

/** A real HTTP server on 127.0.0.1 that records what it gets and answers with `respond`. */
async function startReceiver(respond: (req: IncomingMessage, res: ServerResponse) => void = (_, res) => res.end('ok')): Promise<Receiver> {
  const received: Received[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      respond(req, res)
    })
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { port, url: `http://127.0.0.1:${port}`, received }
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})

const loopbackAllowed: OutboundRules = { allowedNetworks: ['127.0.0.1/32'] }
const nothingAllowed: OutboundRules = { allowedNetworks: [] }

function post(url: string, extra: Partial<Parameters<typeof sendWebhook>[0]> = {}) {
  return { url, headers: { 'Content-Type': 'application/json' }, body: '{"type":"TEST"}', timeoutMs: 5000, ...extra }
}

describe('sendWebhook', () => {
  it('delivers the exact body and headers to an allowed loopback receiver', async () => {
    const receiver = await startReceiver((_, res) => {
      res.writeHead(202, { 'X-Receiver': 'yes' })
      res.end('accepted')
    })
    const body = JSON.stringify({ type: 'PUSH_ARTIFACT', note: 'ünïcode' })
    const result = await sendWebhook(
      {
        url: `${receiver.url}/hooks/ci?token=abc`,
        headers: { 'Content-Type': 'application/json', 'X-Registry-Delivery': 'd-1', 'User-Agent': 'spoofed', 'content-length': '1' },
        body,
        timeoutMs: 5000,
      },
      loopbackAllowed,
    )
    expect(result).toMatchObject({ kind: 'response', status: 202, bodySnippet: 'accepted' })
    if (result.kind !== 'response') throw new Error('unreachable')
    expect(result.headers['x-receiver']).toBe('yes')
    expect(result.latencyMs).toBeGreaterThanOrEqual(0)

    expect(receiver.received).toHaveLength(1)
    const [got] = receiver.received
    expect(got.method).toBe('POST')
    expect(got.url).toBe('/hooks/ci?token=abc')
    expect(got.body).toBe(body)
    expect(got.headers['content-type']).toBe('application/json')
    expect(got.headers['x-registry-delivery']).toBe('d-1')
    expect(got.headers['user-agent']).toBe(USER_AGENT)
    expect(got.headers['content-length']).toBe(String(Buffer.byteLength(body)))
    expect(got.headers.connection).toBe('close')
  })

  it('refuses a loopback receiver that is not allowed, saying why, and sends nothing', async () => {
    const receiver = await startReceiver()
    const result = await sendWebhook(post(receiver.url), nothingAllowed)
    expect(result.kind).toBe('refused')
    if (result.kind !== 'refused') throw new Error('unreachable')
    expect(result.reason).toContain('127.0.0.1')
    expect(result.reason).toContain('loopback')
    expect(result.reason).toContain('WEBHOOK_ALLOWED_NETWORKS')
    expect(receiver.received).toHaveLength(0)
  })

  it('checks host names at connect time: localhost is refused on its resolved address', async () => {
    const receiver = await startReceiver()
    // The form check lets host names through; the lookup on the connecting socket refuses them.
    expect(checkTargetUrl(`http://localhost:${receiver.port}/`, nothingAllowed)).toEqual({ ok: true })
    const result = await sendWebhook(post(`http://localhost:${receiver.port}/`), nothingAllowed)
    expect(result.kind).toBe('refused')
    if (result.kind !== 'refused') throw new Error('unreachable')
    expect(result.reason).toMatch(/^localhost resolves to no allowed address: .*loopback/)
    expect(receiver.received).toHaveLength(0)
  })

  it('connects a host name only to its allowed addresses', async () => {
    // localhost may resolve to ::1 as well; only 127.0.0.1 is allowed, and that is where it goes.
    const receiver = await startReceiver()
    const result = await sendWebhook(post(`http://localhost:${receiver.port}/`), loopbackAllowed)
    expect(result).toMatchObject({ kind: 'response', status: 200 })
    expect(receiver.received).toHaveLength(1)
  })

  it('guards the single-address lookup too (sockets without address family autoselection)', async () => {
    const receiver = await startReceiver()
    const before = getDefaultAutoSelectFamily()
    setDefaultAutoSelectFamily(false)
    try {
      expect(await sendWebhook(post(`http://localhost:${receiver.port}/`), nothingAllowed)).toMatchObject({ kind: 'refused' })
      expect(await sendWebhook(post(`http://localhost:${receiver.port}/`), loopbackAllowed)).toMatchObject({ kind: 'response', status: 200 })
    } finally {
      setDefaultAutoSelectFamily(before)
    }
    expect(receiver.received).toHaveLength(1)
  })

  it('refuses IPv4-mapped IPv6 spellings of loopback', async () => {
    const receiver = await startReceiver()
    const result = await sendWebhook(post(`http://[::ffff:127.0.0.1]:${receiver.port}/`), nothingAllowed)
    expect(result.kind).toBe('refused')
    if (result.kind !== 'refused') throw new Error('unreachable')
    expect(result.reason).toContain('IPv4-mapped')
    expect(result.reason).toContain('127.0.0.1 is a loopback address')
    expect(receiver.received).toHaveLength(0)
  })

  it('keeps the metadata address refused when only its surrounding range is allowed', async () => {
    const wide = await sendWebhook(post('http://169.254.169.254/latest/meta-data/'), { allowedNetworks: ['169.254.0.0/16', '0.0.0.0/0'] })
    expect(wide.kind).toBe('refused')
    if (wide.kind !== 'refused') throw new Error('unreachable')
    expect(wide.reason).toContain('169.254.169.254 is a cloud metadata address')
    // Listed exactly, it passes the check (whether it then answers is the network's business).
    expect(checkTargetUrl('http://169.254.169.254/', { allowedNetworks: ['169.254.169.254/32'] })).toEqual({ ok: true })
    expect(checkTargetUrl('http://169.254.169.254/', { allowedNetworks: ['169.254.169.254'] })).toEqual({ ok: true })
    expect(checkTargetUrl('http://[fd00:ec2::254]/', { allowedNetworks: ['fc00::/7'] })).toMatchObject({ ok: false })
  })

  it('returns a redirect as a response and does not follow it', async () => {
    const second = await startReceiver()
    const first = await startReceiver((_, res) => {
      res.writeHead(302, { Location: `${second.url}/elsewhere` })
      res.end()
    })
    const result = await sendWebhook(post(first.url), loopbackAllowed)
    expect(result).toMatchObject({ kind: 'response', status: 302 })
    if (result.kind !== 'response') throw new Error('unreachable')
    expect(result.headers.location).toBe(`${second.url}/elsewhere`)
    expect(first.received).toHaveLength(1)
    expect(second.received).toHaveLength(0)
  })

  it('times out on a receiver that never answers', async () => {
    const receiver = await startReceiver(() => {
      /* never responds */
    })
    const result = await sendWebhook(post(receiver.url, { timeoutMs: 300 }), loopbackAllowed)
    expect(result).toMatchObject({ kind: 'error', error: 'timed out after 300 ms' })
    expect(result.latencyMs).toBeGreaterThanOrEqual(290)
    expect(result.latencyMs).toBeLessThan(1500)
  })

  it('times out on a receiver that sends headers and then stalls the body', async () => {
    const receiver = await startReceiver((_, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' })
      res.write('partial')
    })
    const result = await sendWebhook(post(receiver.url, { timeoutMs: 300 }), loopbackAllowed)
    expect(result).toMatchObject({ kind: 'error', error: 'timed out after 300 ms' })
    expect(result.latencyMs).toBeLessThan(1500)
  })

  it('caps a huge response body and does not hang on it', async () => {
    const receiver = await startReceiver((_, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' })
      const chunk = 'x'.repeat(64 * 1024)
      // About 64 MiB, more than anyone should read; the server stops when the client goes away.
      let sent = 0
      const pump = () => {
        while (sent < 1024 && res.write(chunk)) sent++
        if (sent < 1024 && !res.destroyed) res.once('drain', pump)
        else res.end()
      }
      res.on('error', () => {})
      pump()
    })
    const started = Date.now()
    const result = await sendWebhook(post(receiver.url, { maxResponseBytes: 100 }), loopbackAllowed)
    expect(Date.now() - started).toBeLessThan(3000)
    expect(result).toMatchObject({ kind: 'response', status: 200 })
    if (result.kind !== 'response') throw new Error('unreachable')
    expect(result.bodySnippet).toBe('x'.repeat(100))
  })

  it('keeps 4096 bytes of the body by default', async () => {
    const receiver = await startReceiver((_, res) => res.end('y'.repeat(10_000)))
    const result = await sendWebhook(post(receiver.url), loopbackAllowed)
    expect(result.kind === 'response' && result.bodySnippet).toBe('y'.repeat(4096))
  })

  it('reports a refused connection as an error', async () => {
    const port = await closedPort()
    const result = await sendWebhook(post(`http://127.0.0.1:${port}/`), loopbackAllowed)
    expect(result.kind).toBe('error')
    if (result.kind !== 'error') throw new Error('unreachable')
    expect(result.error).toContain('ECONNREFUSED')
  })

  it('reports a name that does not resolve as an error', async () => {
    const result = await sendWebhook(post('http://no-such-host.invalid/'), nothingAllowed)
    expect(result.kind).toBe('error')
    if (result.kind !== 'error') throw new Error('unreachable')
    expect(result.error).toContain('no-such-host.invalid')
  })

  it('reports a reset in the middle of the body as an error', async () => {
    const receiver = await startReceiver((_, res) => {
      res.writeHead(200, { 'Content-Length': '1000' })
      res.write('short', () => res.socket?.destroy())
    })
    const result = await sendWebhook(post(receiver.url), loopbackAllowed)
    expect(result.kind).toBe('error')
  })

  it('never throws, even on header values it cannot send', async () => {
    const result = await sendWebhook(post('http://127.0.0.1:9/', { headers: { 'X-Bad': 'a\r\nInjected: 1' } }), loopbackAllowed)
    expect(result.kind).toBe('error')
  })
})

describe('checkTargetUrl', () => {
  it.each([
    ['ftp://example.com/hook', 'only http and https'],
    ['file:///etc/passwd', 'only http and https'],
    ['https://user:secret@example.com/hook', 'credentials in the URL'],
    ['https://token@example.com/hook', 'credentials in the URL'],
    ['not a url', 'not a valid URL'],
    ['http://10.1.2.3/hook', '10.1.2.3 is a private address (10.0.0.0/8)'],
    ['http://192.168.1.10/', 'private address (192.168.0.0/16)'],
    ['http://172.20.0.1/', 'private address (172.16.0.0/12)'],
    ['http://100.64.1.1/', 'CGNAT'],
    ['http://0.0.0.0:5000/', 'unspecified'],
    ['http://127.1/', '127.0.0.1 is a loopback address'],
    ['http://2130706433/', '127.0.0.1 is a loopback address'],
    ['http://[::1]/', '::1 is a loopback address'],
    ['http://[::]/', 'unspecified'],
    ['http://[fd12::1]/', 'unique local'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://169.254.1.1/', 'link-local'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://255.255.255.255/', 'broadcast'],
    ['http://[64:ff9b::a00:1]/', '10.0.0.1 is a private address'],
  ])('refuses %s', (url, reason) => {
    const result = checkTargetUrl(url, nothingAllowed)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.reason).toContain(reason)
  })

  it.each(['https://ci.example.com/hook', 'http://8.8.8.8:8080/x', 'https://[2606:4700:4700::1111]/'])('accepts %s', (url) => {
    expect(checkTargetUrl(url, nothingAllowed)).toEqual({ ok: true })
  })

  it('accepts private addresses inside the allowed networks', () => {
    const rules = { allowedNetworks: ['10.0.0.0/8', '::1'] }
    expect(checkTargetUrl('http://10.1.2.3/', rules)).toEqual({ ok: true })
    expect(checkTargetUrl('http://[::1]:8080/', rules)).toEqual({ ok: true })
    expect(checkTargetUrl('http://192.168.0.1/', rules)).toMatchObject({ ok: false })
  })

  it('reports bad allowed networks instead of throwing', () => {
    expect(checkTargetUrl('http://10.0.0.1/', { allowedNetworks: ['10.0.0.0/99'] })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('prefix length'),
    })
  })
})

describe('checkTargetResolves (when a policy is saved)', () => {
  const nothingAllowed: OutboundRules = { allowedNetworks: [] }
  it('refuses a host name on any address it resolves to, naming it', async () => {
    const check = await checkTargetResolves('http://localhost:8080/hook', nothingAllowed)
    expect(check).toMatchObject({ ok: false })
    expect(!check.ok && check.reason).toMatch(/^localhost resolves to (127\.0\.0\.1|::1): .* is a loopback address/)
  })
  it('accepts a host name whose addresses are all allowed', async () => {
    expect(await checkTargetResolves('http://localhost:8080/hook', { allowedNetworks: ['127.0.0.0/8', '::1'] })).toEqual({ ok: true })
  })
  it('refuses a host name that does not resolve', async () => {
    const check = await checkTargetResolves('http://hook.does-not-exist.invalid/', nothingAllowed)
    expect(check).toMatchObject({ ok: false })
    // The code is the resolver's: ENOTFOUND, or EAI_AGAIN where no DNS server answers at all.
    expect(!check.ok && check.reason).toMatch(/^hook\.does-not-exist\.invalid does not resolve \([A-Z_]+\); a webhook target must resolve when it is saved$/)
  })
  it('keeps the form and literal-address checks, without a lookup for literal addresses', async () => {
    expect(await checkTargetResolves('ftp://example.com/', nothingAllowed)).toMatchObject({ ok: false, reason: expect.stringMatching(/only http and https/) })
    expect(await checkTargetResolves('http://10.1.2.3/', nothingAllowed)).toMatchObject({ ok: false, reason: expect.stringMatching(/^10\.1\.2\.3 is a private address/) })
    expect(await checkTargetResolves('http://93.184.215.14/', nothingAllowed)).toEqual({ ok: true })
  })
})

describe('parseAllowedNetworks', () => {
  it('accepts CIDRs and single addresses separated by commas or spaces', () => {
    expect(parseAllowedNetworks(' 127.0.0.1/32, 10.0.0.0/8  ::1/128,fd00::/8 192.168.1.5 ')).toEqual(['127.0.0.1/32', '10.0.0.0/8', '::1/128', 'fd00::/8', '192.168.1.5'])
    expect(parseAllowedNetworks('')).toEqual([])
  })

  it.each([
    ['10.0.0.0/33', 'prefix length outside 0-32'],
    ['::1/129', 'prefix length outside 0-128'],
    ['10.0.0.0/x', 'prefix length'],
    ['localhost', 'not an IP address or CIDR network'],
    ['10.0.0/8', 'not an IP address or CIDR network'],
    ['10.0.0.0/8/8', 'not an IP address or CIDR network'],
    ['::ffff:10.0.0.0/104', 'write it in IPv4 form'],
  ])('rejects %s', (value, message) => {
    expect(() => parseAllowedNetworks(`127.0.0.1/32, ${value}`)).toThrow(message)
    expect(() => parseAllowedNetworks(value)).toThrow(`"${value}"`)
  })
})
