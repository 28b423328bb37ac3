// Blobs of a proxy-cache repository missing from the cache: one upstream GET per blob, streamed to
// the client that started it while it is written to the store. The store hashes it on the way and
// commits it only when it matches its digest (the BlobStore contract); the client's last byte is held
// back until the blob is committed and linked, so a client never receives a complete body that is not
// stored (on a mismatch its connection is destroyed before the last byte). A client that goes away only stops being
// written to: the fetch goes on for the requests waiting on it. Those (and ranged requests) wait for
// the commit and are then served from the store: tailing the write in progress would need the store
// to serve an unfinished upload (object storage cannot), and fanning chunks out in memory would let
// the slowest client hold every byte. A HEAD for a missing blob fetches it too (a pull usually
// follows), answering as soon as the upstream's size is known.
import { once } from 'node:events'
import { PassThrough } from 'node:stream'
import type { ServerResponse } from 'node:http'
import type { RegistryContext, RequestContext } from '../context'
import { RegistryError } from '../errors'
import { DigestMismatchError, SizeLimitError, UpstreamError, type Digest, type UpstreamSource } from '../ports'
import { asUpstreamError, callUpstream, logUpstreamFailure, upstreamFailureError } from './upstream-calls'

/** Where the fetching request's client receives the blob. */
interface BlobSink {
  readonly started: boolean
  start(size: number | null): void
  /** Writes `held` (when any) then `chunk`; resolves once the client may take more (at once when it is gone). */
  write(held: Buffer | undefined, chunk: Buffer): Promise<void>
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
  const body = new PassThrough()
  let storeFailure: unknown
  const storing = ctx.blobs.storeBlob(digest, body, size ?? limit)
  // Settles with the store: a store that fails early stops the pump instead of leaving it waiting for `drain`.
  const stored = storing.catch((error: unknown) => {
    storeFailure = error
    throw error
  })
  stored.catch(() => undefined)
  /** Stops everything: the client's response, the store's write, the upstream's body. */
  const abandon = async (): Promise<void> => {
    sink?.abort()
    body.destroy()
    stream.destroy()
    await stored.catch(() => undefined)
  }
  /** The store refusing the bytes (over the announced size, wrong digest) is the upstream's fault. */
  const refusedByStore = () =>
    (storeFailure instanceof SizeLimitError || storeFailure instanceof DigestMismatchError) &&
    new UpstreamError('invalid', `upstream ${source.name} sent a blob that is not ${digest}: ${storeFailure.message}; not stored`)
  // An upstream that stops sending mid-body fails the fetch (time spent waiting on the client or the
  // store does not count): the requests waiting on it get an answer, never a hang.
  const idleMs = ctx.limits.upstreamTimeoutMs
  const stalled = () => new UpstreamError('timeout', `upstream ${source.name} sent nothing of blob ${digest} for ${idleMs} ms`)
  const chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
  sink?.start(size)
  let held: Buffer | undefined
  let received = 0
  try {
    for (let next = await nextChunk(chunks, idleMs, stalled); !next.done; next = await nextChunk(chunks, idleMs, stalled)) {
      const chunk = next.value
      received += chunk.length
      // All but the last byte so far goes to the client at once.
      if (chunk.length > 0) {
        await sink?.write(held, chunk.subarray(0, -1))
        held = chunk.subarray(-1)
      }
      if (!body.write(chunk)) await Promise.race([once(body, 'drain'), stored])
    }
  } catch (error) {
    // A store that failed while the upstream was still sending is the store's failure (unless it
    // refused the bytes); decided before abandoning, which makes the store fail too.
    const failure = refusedByStore() || (storeFailure ?? asUpstreamError(error, source))
    await abandon()
    throw failure
  }
  body.end()
  if (size !== null && received !== size) {
    await abandon()
    throw new UpstreamError('invalid', `upstream ${source.name} sent ${received} bytes of blob ${digest}, announced ${size}; not stored`)
  }
  try {
    await ctx.index.linkBlob(name, digest, await stored)
  } catch (error) {
    await abandon()
    throw refusedByStore() || error
  }
  sink?.end(held)
}

/** The next chunk, or `stalled()` when none comes within `ms`. */
async function nextChunk(chunks: AsyncIterator<Buffer>, ms: number, stalled: () => Error): Promise<IteratorResult<Buffer>> {
  const next = chunks.next()
  // Settles after the timeout too (when the stream is destroyed): nothing is listening by then.
  next.catch(() => undefined)
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(stalled()), ms)
  })
  try {
    return await Promise.race([next, timeout])
  } finally {
    clearTimeout(timer)
  }
}

function responseSink(res: ServerResponse, headOnly: boolean, headers: (size: number | null) => Record<string, string>): BlobSink {
  let started = false
  const open = () => !res.destroyed && !res.writableEnded
  return {
    get started() {
      return started
    },
    start(size) {
      started = true
      res.writeHead(200, headers(size))
      if (headOnly) res.end()
    },
    async write(held, chunk) {
      if (!open()) return
      // One write to the socket for both (a 1-byte write of its own would be a packet of its own).
      res.cork()
      if (held) res.write(held)
      const ready = res.write(chunk)
      res.uncork()
      if (ready) return
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done).off('close', done)
          resolve()
        }
        res.on('drain', done).on('close', done)
      })
    },
    end(last) {
      if (open()) res.end(last)
    },
    abort() {
      if (open()) res.destroy()
    },
  }
}
