// Garbage collection runs and what they freed.
import { gcDeletedBlobs, gcFreedBytes, gcRuns } from './registry'

export function countGcRun(run: { status: string; dryRun: boolean; blobsDeleted: number; bytesFreed: bigint }): void {
  gcRuns.labels(run.status, run.dryRun ? 'dry_run' : 'run').inc()
  if (run.dryRun) return
  gcDeletedBlobs.inc(run.blobsDeleted)
  gcFreedBytes.inc(Number(run.bytesFreed))
}
