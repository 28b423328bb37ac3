// Blobs of a proxy-cache repository missing from the cache: one upstream GET per blob, streamed to
// the client that started it while it is written to the store. The pump hashes it on the way; the
// store commits it only when it matches its digest (on the pump's verdict, when the store can take
// it: storeBlobVerifiedByCaller, so the bytes are hashed once). The client's last byte is held
// back until the bytes are verified against the digest, so a client never receives a complete body
// that is not the blob (on a mismatch its connection is destroyed before the last byte); it does not
// wait for the store's commit. A client that goes away only stops being written to: the fetch goes
// on for the requests waiting on it. Those (and ranged requests) wait for
// the commit and are then served from the store: tailing the write in progress would need the store
// to serve an unfinished upload (object storage cannot), and fanning chunks out in memory would let
// the slowest client hold every byte. A HEAD for a missing blob fetches it too (a pull usually
// follows), answering as soon as the upstream's size is known.
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import type { ServerResponse } from 'node:http'
import type { RegistryContext, RequestContext } from '../context'
import { RegistryError } from '../errors'
import { DigestMismatchError, SizeLimitError, UpstreamError, type Digest, type UpstreamSource } from '../ports'
import { asUpstreamError, callUpstream, logUpstreamFailure, upstreamFailureError } from './upstream-calls'

/** Bytes buffered toward the client before the upstream is read no further. */
const CLIENT_WINDOW_BYTES = 4 * 1024 * 1024
/**
 * Bytes buffered toward the store: more than the client's, since a disk slower than the network
 * (page cache writeback) would otherwise pace the client; bounded so that a 1 GiB blob costs tens of
 * MiB of memory, not the blob.
 */
const STORE_WINDOW_BYTES = 16 * 1024 * 1024
/** The upstream's body arrives in socket reads of at most this many bytes (Node's 64 KiB). */
const UPSTREAM_CHUNK_BYTES = 64 * 1024

/** Where the fetching request's client receives the blob. */
interface BlobSink {
  readonly started: boolean
  /** The client has the whole blob (what fails after that is the cache's business, not its). */
  readonly answered: boolean
  start(size: number | null): void
  /** Writes `held` (when any) then `chunk`; never waits (see `full`). */
  write(held: Buffer | undefined, chunk: Buffer): void
  /** The client has a full window of bytes it has not taken yet. */
  full(): boolean
  /** Resolves once the client has taken what it was sent (at once when it is gone). */
  drained(): Promise<void>
  end(last: Buffer | undefined): void
  abort(): void
}

/**
 * Fetches a blob missing from a proxy-cache repository. Resolves true when it answered the client
 * (it was the request that fetched, without a range), false when the blob is now cached and linked
 * and the caller serves it as any other.
 */
export async function proxiedBlob(
  ctx: RegistryContext,
  rc: RequestContext,
  source: UpstreamSource,
  name: string,
  digest: Digest,
  headers: (size: number | null) => Record<string, string>,
): Promise<boolean> {
  const sink = rc.req.headers.range === undefined ? responseSink(rc.res, rc.req.method === 'HEAD', headers) : undefined
  try {
    await ctx.flights.run(`blob:${name}@${digest}`, async () => {
      // Another replica may have fetched it while this one waited for the lock.
      if (await ctx.index.findBlob(name, digest)) return
      await fetchBlob(ctx, source, name, digest, sink)
    })
  } catch (error) {
    if (sink?.answered) {
      ctx.logger.error({ err: error, repository: name, digest }, 'a blob fetched from the upstream was served but could not be cached')
      return true
    }
    if (!(error instanceof UpstreamError)) throw error
    logUpstreamFailure(ctx, source, error, { repository: name, digest, served: 'error' })
    throw upstreamFailureError(error, source, () => new RegistryError('BLOB_UNKNOWN', { detail: { digest } }))
  }
  return sink?.started ?? false
}

async function fetchBlob(ctx: RegistryContext, source: UpstreamSource, name: string, digest: Digest, sink: BlobSink | undefined): Promise<void> {
  const { size, stream } = await callUpstream(
    ctx,
    source,
    (signal) => source.getBlob(digest, signal),
    (late) => late.stream.destroy(),
  )
  const limit = ctx.limits.maxBlobBytes || undefined
  if (size !== null && limit !== undefined && size > limit) {
    stream.destroy()
    throw new UpstreamError('invalid', `upstream ${source.name} offers blob ${digest} of ${size} bytes, over this registry's limit of ${limit}`)
  }
  const feed = new StoreFeed()
  // The pump's verdict on the bytes it hashed: the store commits on it instead of hashing them again.
  const verdict = pumpVerdict()
  let storeFailure: unknown
  const storing = ctx.blobs.storeBlobVerifiedByCaller
    ? ctx.blobs.storeBlobVerifiedByCaller(digest, feed, verdict.promise, size ?? limit)
    : ctx.blobs.storeBlob(digest, feed, size ?? limit)
  // Settles with the store: a store that fails early stops the pump instead of leaving it paused.
  const stored = storing.catch((error: unknown) => {
    storeFailure = error
    throw error
  })
  stored.catch(() => undefined)
  /** Stops everything: the client's response, the store's write (refused), the upstream's body. */
  const abandon = async (failure: unknown): Promise<void> => {
    verdict.refuse(failure)
    sink?.abort()
    feed.destroy()
    stream.destroy()
    await stored.catch(() => undefined)
  }
  /** The store refusing the bytes (over the announced size, wrong digest) is the upstream's fault. */
  const refusedByStore = () =>
    (storeFailure instanceof SizeLimitError || storeFailure instanceof DigestMismatchError) &&
    new UpstreamError('invalid', `upstream ${source.name} sent a blob that is not ${digest}: ${storeFailure.message}; not stored`)
  const idleMs = ctx.limits.upstreamTimeoutMs
  sink?.start(size)
  let pumped: Pumped
  try {
    pumped = await pump(stream, { size, digest }, sink, feed, stored, idleMs, {
      stalled: () => new UpstreamError('timeout', `upstream ${source.name} sent nothing of blob ${digest} for ${idleMs} ms`),
      mismatch: (actual) => new UpstreamError('invalid', `upstream ${source.name} sent a blob that is not ${digest} (it hashes to ${actual}); not stored`),
    })
  } catch (error) {
    // A store that failed while the upstream was still sending is the store's failure (unless it
    // refused the bytes); decided before abandoning, which makes the store fail too.
    const failure = refusedByStore() || (storeFailure ?? asUpstreamError(error, source))
    await abandon(failure)
    throw failure
  }
  const { received, held } = pumped
  if (size !== null && received !== size) {
    const failure = new UpstreamError('invalid', `upstream ${source.name} sent ${received} bytes of blob ${digest}, announced ${size}; not stored`)
    await abandon(failure)
    throw failure
  }
  verdict.accept()
  feed.push(null)
  // Verified: the client has its last byte now, while the commit goes on for the requests waiting on
  // this fetch (a disk slower than the network paces them, not this client).
  sink?.end(held)
  try {
    await ctx.index.linkBlob(name, digest, await stored)
  } catch (error) {
    const failure = refusedByStore() || error
    await abandon(failure)
    throw failure
  }
}

/** What the pump found, for the store: settled once, by the first of `accept` and `refuse`. */
function pumpVerdict(): { promise: Promise<void>; accept: () => void; refuse: (reason: unknown) => void } {
  let accept = () => {}
  let refuse: (reason: unknown) => void = () => {}
  const promise = new Promise<void>((resolve, reject) => {
    accept = resolve
    refuse = reject
  })
  promise.catch(() => {}) // a refusal reaches the store, which rethrows it; or nobody asked
  return { promise, accept, refuse }
}

/**
 * What the store reads: the pump pushes into it and waits for `room()` when it is full. In object
 * mode, the store reads the upstream's chunks as they came: from a byte stream, a reader that lags
 * (the disk) gets everything buffered concatenated into one new buffer per read, a copy of each byte
 * into fresh memory (in a profile, the concatenation came second only to hashing, and its garbage
 * grew a cold pull's memory). The window counts chunks, of at most UPSTREAM_CHUNK_BYTES each.
 */
class StoreFeed extends Readable {
  private wants: (() => void) | undefined
  constructor() {
    super({ objectMode: true, highWaterMark: STORE_WINDOW_BYTES / UPSTREAM_CHUNK_BYTES })
  }
  override _read(): void {
    this.wants?.()
  }
  room(): Promise<void> {
    return new Promise<void>((resolve) => (this.wants = resolve))
  }
}

interface Pumped {
  received: number
  /** The last byte, held back from the client until the blob is verified. */
  held: Buffer | undefined
}

/**
 * Streams the upstream's body to the client and to the store side by side. Each gets a window (of
 * CLIENT_WINDOW_BYTES and STORE_WINDOW_BYTES); the body flows until one of them has a full window and is paused until both have
 * room (awaiting each of them chunk by chunk made the processes take turns, at a fraction of the
 * throughput). A body silent for `idleMs` fails with `stalled()` (time spent paused does not count):
 * the requests waiting on the fetch get an answer, never a hang. Fails too when the store does.
 */
function pump(
  stream: Readable,
  blob: { size: number | null; digest: Digest },
  sink: BlobSink | undefined,
  feed: StoreFeed,
  stored: Promise<unknown>,
  idleMs: number,
  errors: { stalled: () => Error; mismatch: (actual: Digest) => Error },
): Promise<Pumped> {
  const { size, digest } = blob
  const algorithm = digest.slice(0, digest.indexOf(':'))
  const hash = createHash(algorithm)
  return new Promise<Pumped>((resolve, reject) => {
    let received = 0
    let held: Buffer | undefined
    let settled = false
    const settle = (error?: unknown) => {
      if (settled) return
      settled = true
      clearTimeout(watchdog)
      stream.off('data', onData)
      if (error === undefined) resolve({ received, held })
      else reject(error)
    }
    const stall = () => settle(errors.stalled())
    let watchdog = setTimeout(stall, idleMs)
    const onData = (chunk: Buffer) => {
      received += chunk.length
      hash.update(chunk)
      // All but the blob's last byte goes to the client at once (of a blob of unknown size, all but
      // the last byte so far).
      if (size !== null && received < size) {
        sink?.write(held, chunk)
        held = undefined
      } else if (chunk.length > 0) {
        sink?.write(held, chunk.subarray(0, -1))
        held = chunk.subarray(-1)
      }
      const storeFull = !feed.push(chunk)
      const clientFull = sink?.full() ?? false
      if (!storeFull && !clientFull) return void watchdog.refresh()
      clearTimeout(watchdog)
      stream.pause()
      void Promise.all([storeFull && feed.room(), clientFull && sink?.drained()]).then(() => {
        if (settled) return
        watchdog = setTimeout(stall, idleMs)
        stream.resume()
      })
    }
    stream.on('data', onData)
    stream.once('end', () => {
      const actual = `${algorithm}:${hash.digest('hex')}`
      settle(actual === digest ? undefined : errors.mismatch(actual))
    })
    stream.once('error', settle)
    stream.once('close', () => settle(new Error('the blob ended early: the connection was closed')))
    stored.then(undefined, settle)
  })
}

function responseSink(res: ServerResponse, headOnly: boolean, headers: (size: number | null) => Record<string, string>): BlobSink {
  let started = false
  let answered = false
  let corked = false
  const open = () => !res.destroyed && !res.writableEnded
  // The chunks of one turn of the event loop go out in one write: a socket write per upstream
  // chunk (64 KiB) cost more CPU than the hashing.
  const uncork = () => {
    corked = false
    if (open()) res.uncork()
  }
  return {
    get started() {
      return started
    },
    get answered() {
      return answered
    },
    start(size) {
      started = true
      res.writeHead(200, headers(size))
      if (headOnly) res.end()
      // The answer's head goes out now, not with the first batch of the body.
      else res.flushHeaders()
    },
    write(held, chunk) {
      if (!open()) return
      if (!corked) {
        corked = true
        res.cork()
        setImmediate(uncork)
      }
      if (held) res.write(held)
      res.write(chunk)
    },
    full() {
      return open() && res.writableLength >= CLIENT_WINDOW_BYTES
    },
    drained() {
      if (!open() || res.writableLength === 0) return Promise.resolve()
      return new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done).off('close', done)
          resolve()
        }
        res.on('drain', done).on('close', done)
      })
    },
    end(last) {
      if (corked) uncork()
      if (!open()) return
      res.end(last)
      answered = true
    },
    abort() {
      if (open()) res.destroy()
    },
  }
}
