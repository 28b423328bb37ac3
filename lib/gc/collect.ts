// One garbage collection: untagged artifacts (when asked), then upload leftovers past their expiry,
// then the blob sweep (./sweep.ts) and the tombstones older than the upload expiry, or for a dry run
// what each would remove. It reports progress
// after every batch and stops between batches once `cancelled()` says so.
import type { BlobStore, RegistryIndex } from '@registry-core'
import type { PrismaClient } from '../db/prisma'
import { countTombstones, deleteBatch, findCandidates, markBatch, purgeTombstones, SWEEP_BATCH, unfinishedDeletions } from './sweep'
import { deleteUntaggedBatch, findUntagged } from './untagged'

export interface CollectOptions {
  dryRun: boolean
  deleteUntagged: boolean
  gracePeriodSeconds: number
}

export interface CollectTotals {
  blobsDeleted: number
  bytesFreed: bigint
  artifactsDeleted: number
  uploadsDeleted: number
}

export interface CollectContext {
  prisma: PrismaClient
  blobs: BlobStore
  index: Pick<RegistryIndex, 'listStaleUploads' | 'deleteUpload' | 'purgeClosedUploads'>
  /** Upload sessions untouched this long have expired (UPLOAD_PURGE_AFTER). */
  uploadExpiryMs: number
  /** Told which repositories lost artifacts (this process's manifest cache). */
  artifactsDeleted?: (repositories: string[]) => void
  log: (line: string) => void
  /** After each batch: the totals so far; resolves true when the run must stop (cancelled). */
  progress: (totals: CollectTotals) => Promise<boolean>
}

export class CollectionCancelled extends Error {
  constructor() {
    super('cancelled')
  }
}

/** Passes over untagged artifacts stop after this many (each pass frees the next level: index children, referrers). */
const MAX_UNTAGGED_PASSES = 10

export async function collect(ctx: CollectContext, options: CollectOptions): Promise<CollectTotals> {
  const totals: CollectTotals = { blobsDeleted: 0, bytesFreed: 0n, artifactsDeleted: 0, uploadsDeleted: 0 }
  const step = async () => {
    if (await ctx.progress(totals)) throw new CollectionCancelled()
  }
  const grace = options.gracePeriodSeconds
  ctx.log(`${options.dryRun ? 'dry run' : 'run'}: deleteUntagged=${options.deleteUntagged}, grace period ${grace}s`)

  // Untagged artifacts.
  let doomed: number[] = []
  if (options.deleteUntagged) {
    for (let pass = 1; pass <= MAX_UNTAGGED_PASSES; pass++) {
      let went = 0
      for (let after = 0; ;) {
        const batch = await findUntagged(ctx.prisma, grace, after, SWEEP_BATCH)
        if (!batch.length) break
        after = batch[batch.length - 1].id
        const gone = options.dryRun
          ? batch
          : await deleteUntaggedBatch(
              ctx.prisma,
              batch.map((a) => a.id),
              grace,
            )
        for (const artifact of gone) ctx.log(`${options.dryRun ? 'would delete' : 'deleted'} untagged artifact ${artifact.repository}@${artifact.digest}`)
        if (options.dryRun) doomed = doomed.concat(gone.map((a) => a.id))
        else if (gone.length) ctx.artifactsDeleted?.([...new Set(gone.map((a) => a.repository))])
        went += gone.length
        totals.artifactsDeleted += gone.length
        await step()
      }
      // A dry run cannot see the next level without deleting this one: one pass.
      if (!went || options.dryRun) break
    }
    ctx.log(`untagged artifacts: ${totals.artifactsDeleted}`)
  }

  // Upload leftovers.
  const before = new Date(Date.now() - ctx.uploadExpiryMs)
  for (;;) {
    const stale = await ctx.index.listStaleUploads(before, SWEEP_BATCH)
    if (options.dryRun) {
      totals.uploadsDeleted += stale.length
      break
    }
    for (const session of stale) {
      await ctx.index.deleteUpload(session.id)
      await ctx.blobs.abortUpload(session.id)
    }
    totals.uploadsDeleted += stale.length
    if (stale.length < SWEEP_BATCH) break
    await step()
  }
  if (!options.dryRun) {
    await ctx.index.purgeClosedUploads(before)
    const files = await ctx.blobs.sweepUploads(before)
    if (files) ctx.log(`removed ${files} upload files left by interrupted uploads`)
  }
  ctx.log(`expired upload sessions: ${totals.uploadsDeleted}`)
  await step()

  // Blobs.
  const logDeleted = (deleted: string[], bytes: bigint) => {
    if (deleted.length) ctx.log(`deleted ${deleted.length} blobs (${bytes} bytes): ${deleted.join(', ')}`)
    totals.blobsDeleted += deleted.length
    totals.bytesFreed += bytes
  }
  if (!options.dryRun) {
    // What a collection that stopped between mark and delete left behind is finished first.
    for (let left = await unfinishedDeletions(ctx.prisma, SWEEP_BATCH); left.length; left = await unfinishedDeletions(ctx.prisma, SWEEP_BATCH)) {
      const { deleted, bytes } = await deleteBatch(ctx.prisma, ctx.blobs, left)
      if (!deleted.length) break
      logDeleted(deleted, bytes)
      await step()
    }
  }
  for (let after = ''; ;) {
    const candidates = await findCandidates(ctx.prisma, grace, after, SWEEP_BATCH, doomed)
    if (!candidates.length) break
    after = candidates[candidates.length - 1].digest
    if (options.dryRun) {
      for (const blob of candidates) {
        ctx.log(`would delete blob ${blob.digest} (${blob.size} bytes)`)
        totals.bytesFreed += BigInt(blob.size)
      }
      totals.blobsDeleted += candidates.length
    } else {
      const marked = await markBatch(
        ctx.prisma,
        candidates.map((blob) => blob.digest),
        grace,
      )
      const { deleted, bytes } = await deleteBatch(ctx.prisma, ctx.blobs, marked)
      logDeleted(deleted, bytes)
    }
    await step()
  }
  ctx.log(`blobs: ${totals.blobsDeleted}, ${totals.bytesFreed} bytes${options.dryRun ? ' would be freed' : ' freed'}`)
  // Tombstones: as old as upload leftovers are (./sweep.ts, step 3, says why that is long enough).
  const tombstones = options.dryRun ? await countTombstones(ctx.prisma, before) : await purgeTombstones(ctx.prisma, before)
  ctx.log(`tombstones of deleted blobs older than the upload expiry: ${tombstones}${options.dryRun ? ' would be purged' : ' purged'}`)
  return totals
}
