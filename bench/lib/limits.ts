// The machine's physical limits, measured by the harness in the same run before the scenarios, so
// that each scenario can be read as a fraction of what the machine can do at all: single-stream
// sha256, HTTP upload and download on loopback with the harness's own client (against a minimal
// node:http server that discards / serves from memory), writing a file with fdatasync in the data
// dir's filesystem, and a hello-world request rate with manifest-get's client and concurrency.
import { spawn, spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { open, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Client, Target } from './http'
import { sliced } from './oci'
import { onCleanup } from './procs'
import { MiB, median, now, runFor, summarize } from './util'

/** Which limit a scenario's metric is read against. */
export type LimitKey = 'sha256' | 'download' | 'hello'

export interface LimitSizes {
  /** Bytes hashed, uploaded and downloaded per stream (the blob scenarios' blob size). */
  blob: number
  iterations: number
  streams: number
  /** Bytes written before one fdatasync. */
  writeBytes: number
  helloSeconds: number
  helloConc: number
}

export interface Limits {
  sizes: LimitSizes
  /** node crypto, one stream, 1 MiB updates: MiB/s (median of `iterations`). */
  sha256: number
  /** `sha256sum` of the same bytes from a file in the page cache (process start included), if it ran. */
  sha256sum: number | null
  /** One PUT of `blob` bytes at a time, body from memory in 1 MiB writes: MiB/s (median). */
  upload: number
  /** `streams` concurrent GETs of `blob` bytes served from memory, bodies discarded: aggregate MiB/s (median round). */
  download: number
  /** Writing `writeBytes` in 1 MiB writes, then one fdatasync: MiB/s, in `writeDir`. */
  writeSync: number
  writeDir: string
  /** GET of a 17-byte body at `helloConc`: requests/s and p50 latency (ms). */
  hello: number
  helloP50: number
}

export const LIMIT_LABELS: Record<LimitKey, string> = {
  sha256: 'single-stream sha256',
  download: 'loopback download',
  hello: 'hello-world request rate',
}

export function limitValue(l: Limits, key: LimitKey): number {
  return key === 'sha256' ? l.sha256 : key === 'download' ? l.download : l.hello
}

// The loopback server: a separate process (as the registries are), one thread, no framework.
const SERVER_SOURCE = `
const http = require('node:http')
const blob = require('node:crypto').randomBytes(Number(process.argv[1]))
const hello = Buffer.from('{"hello":"world"}')
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/blob') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length })
    return res.end(blob)
  }
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': hello.length })
    return res.end(hello)
  }
  let bytes = 0
  req.on('data', (c) => { bytes += c.length })
  req.on('end', () => { res.writeHead(201, { 'content-length': 0, 'x-bytes': bytes }); res.end() })
})
server.keepAliveTimeout = 60000
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'))
`

async function startLoopbackServer(blobSize: number): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', SERVER_SOURCE, String(blobSize)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
  }
  onCleanup(stop)
  let out = ''
  child.stdout.setEncoding('utf8')
  while (!out.includes('\n')) {
    const [chunk] = (await Promise.race([once(child.stdout, 'data'), once(child, 'exit').then(() => [null])])) as [string | null]
    if (chunk === null) throw new Error(`the loopback limit server exited (${child.exitCode ?? child.signalCode})`)
    out += chunk
  }
  return { url: `http://127.0.0.1:${Number(out.trim())}`, stop }
}

function measureSha256(data: Buffer, iterations: number): number {
  const rates: number[] = []
  for (let i = 0; i < iterations; i++) {
    const t0 = now()
    const h = createHash('sha256')
    for (let off = 0; off < data.length; off += MiB) h.update(data.subarray(off, off + MiB))
    h.digest()
    rates.push(data.length / MiB / ((now() - t0) / 1000))
  }
  return median(rates)
}

/** `sha256sum` over a file of the same bytes, checked against node's digest; null when it is not installed. */
async function measureSha256sum(data: Buffer, dir: string): Promise<number | null> {
  const file = join(dir, `limits-sha256-${process.pid}.bin`)
  await writeFile(file, data)
  try {
    const expected = createHash('sha256').update(data).digest('hex')
    const t0 = now()
    const r = spawnSync('sha256sum', [file], { encoding: 'utf8' })
    const ms = now() - t0
    if (r.status !== 0) return null
    if (!r.stdout.startsWith(expected)) throw new Error(`sha256sum printed ${r.stdout.slice(0, 64)}, node computed ${expected}`)
    return data.length / MiB / (ms / 1000)
  } finally {
    await rm(file, { force: true })
  }
}

async function measureWriteSync(dir: string, bytes: number): Promise<number> {
  const file = join(dir, `limits-write-${process.pid}.bin`)
  const buf = randomBytes(MiB)
  const fh = await open(file, 'w')
  try {
    const t0 = now()
    for (let off = 0; off < bytes; off += MiB) await fh.write(buf, 0, Math.min(MiB, bytes - off))
    await fh.datasync()
    return bytes / MiB / ((now() - t0) / 1000)
  } finally {
    await fh.close()
    await rm(file, { force: true })
  }
}

async function measureUpload(target: Target, data: Buffer, iterations: number): Promise<number> {
  const c = new Client(target, 1)
  try {
    await c.request({ method: 'PUT', url: '/upload', kind: 'ping', body: data.subarray(0, MiB), expect: [201] })
    const rates: number[] = []
    for (let i = 0; i < iterations; i++) {
      const t0 = now()
      const res = await c.request({ method: 'PUT', url: '/upload', kind: 'ping', body: sliced(data), contentLength: data.length, expect: [201] })
      if (Number(res.headers['x-bytes']) !== data.length) throw new Error(`the loopback server received ${String(res.headers['x-bytes'])} of ${data.length} bytes`)
      rates.push(data.length / MiB / ((now() - t0) / 1000))
    }
    return median(rates)
  } finally {
    c.close()
  }
}

async function measureDownload(target: Target, size: number, streams: number, rounds: number): Promise<number> {
  const c = new Client(target, streams)
  try {
    const get = async () => {
      const res = await c.request({ method: 'GET', url: '/blob', kind: 'ping', expect: [200], discard: true })
      if (res.bytes !== size) throw new Error(`GET /blob returned ${res.bytes} bytes, expected ${size}`)
    }
    await Promise.all(Array.from({ length: streams }, get))
    const times: number[] = []
    for (let r = 0; r < rounds; r++) {
      const t0 = now()
      await Promise.all(Array.from({ length: streams }, get))
      times.push(now() - t0)
    }
    return (streams * size) / MiB / (median(times) / 1000)
  } finally {
    c.close()
  }
}

async function measureHello(target: Target, seconds: number, conc: number): Promise<{ rate: number; p50: number }> {
  const c = new Client(target, conc)
  try {
    const get = async () => {
      const res = await c.request({ method: 'GET', url: '/hello', kind: 'ping', expect: [200] })
      if (res.body.length === 0) throw new Error('GET /hello returned an empty body')
    }
    await runFor(1000, conc, get)
    const r = await runFor(seconds * 1000, conc, get)
    return { rate: r.latencies.length / (r.wallMs / 1000), p50: summarize(r.latencies).p50 }
  } finally {
    c.close()
  }
}

/** Measures every limit, one after another; `log` reports each as it is known. */
export async function measureLimits(sizes: LimitSizes, writeDir: string, log: (m: string) => void): Promise<Limits> {
  const data = randomBytes(sizes.blob)
  const sha256 = measureSha256(data, sizes.iterations)
  log(`limit: sha256 (node crypto, 1 MiB updates) ${sha256.toFixed(0)} MiB/s`)
  const sha256sum = await measureSha256sum(data, writeDir)
  log(`limit: sha256sum ${sha256sum === null ? 'not available' : `${sha256sum.toFixed(0)} MiB/s`}`)
  const writeSync = await measureWriteSync(writeDir, sizes.writeBytes)
  log(`limit: write ${sizes.writeBytes / MiB} MiB + fdatasync in ${writeDir}: ${writeSync.toFixed(0)} MiB/s`)
  const server = await startLoopbackServer(sizes.blob)
  try {
    const target = new Target('limits', server.url, undefined, 'basic')
    const upload = await measureUpload(target, data, sizes.iterations)
    log(`limit: HTTP upload on loopback ${upload.toFixed(0)} MiB/s`)
    const download = await measureDownload(target, sizes.blob, sizes.streams, sizes.iterations)
    log(`limit: HTTP download on loopback, ${sizes.streams} streams ${download.toFixed(0)} MiB/s`)
    const hello = await measureHello(target, sizes.helloSeconds, sizes.helloConc)
    log(`limit: hello-world ${hello.rate.toFixed(0)} req/s at concurrency ${sizes.helloConc} (p50 ${hello.p50.toFixed(2)} ms)`)
    return { sizes, sha256, sha256sum, upload, download, writeSync, writeDir, hello: hello.rate, helloP50: hello.p50 }
  } finally {
    server.stop()
  }
}
