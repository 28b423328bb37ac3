// Small helpers: timing, statistics, bounded concurrency, formatting.
import { performance } from 'node:perf_hooks'

export const MiB = 1024 * 1024

export const now = (): number => performance.now()

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Nearest-rank percentile (p in 0..100) of an unsorted sample. NaN for an empty sample. */
export function percentile(sample: number[], p: number): number {
  if (sample.length === 0) return NaN
  const s = [...sample].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * s.length)
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))]
}

export function median(sample: number[]): number {
  return percentile(sample, 50)
}

export function mean(sample: number[]): number {
  return sample.length ? sample.reduce((a, b) => a + b, 0) / sample.length : NaN
}

export interface LatencySummary {
  count: number
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
}

export function summarize(ms: number[]): LatencySummary {
  return {
    count: ms.length,
    p50: percentile(ms, 50),
    p90: percentile(ms, 90),
    p99: percentile(ms, 99),
    // Not Math.max(...ms): a 10 s manifest-get run yields over 100,000 samples, too many arguments.
    max: ms.length ? ms.reduce((a, b) => Math.max(a, b)) : NaN,
    mean: mean(ms),
  }
}

/**
 * Runs fn(0..n-1) with at most `concurrency` in flight. Rejects with the first error after the
 * workers in flight have finished (no new items start once one has failed).
 */
export async function runPool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  let failure: unknown = null
  const worker = async (): Promise<void> => {
    while (failure === null) {
      const i = next++
      if (i >= n) return
      try {
        await fn(i)
      } catch (e) {
        if (failure === null) failure = e
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker))
  if (failure !== null) throw failure
}

/**
 * Runs fn in `concurrency` loops until `durationMs` has passed (or `maxIterations` calls, a safety
 * bound). Returns per-call latencies in ms and the measured wall time.
 */
export async function runFor(
  durationMs: number,
  concurrency: number,
  fn: (i: number) => Promise<void>,
  maxIterations = 5_000_000,
): Promise<{ latencies: number[]; wallMs: number }> {
  const latencies: number[] = []
  let failure: unknown = null
  let i = 0
  const start = now()
  const deadline = start + durationMs
  const worker = async (): Promise<void> => {
    while (failure === null && i < maxIterations && now() < deadline) {
      const my = i++
      const t0 = now()
      try {
        await fn(my)
      } catch (e) {
        if (failure === null) failure = e
        return
      }
      latencies.push(now() - t0)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const wallMs = now() - start
  if (failure !== null) throw failure
  return { latencies, wallMs }
}

export function fmtNum(v: number | undefined | null, digits?: number): string {
  if (v === undefined || v === null || Number.isNaN(v)) return 'n/a'
  if (!Number.isFinite(v)) return String(v)
  const d = digits ?? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2)
  return v.toFixed(d)
}

export function fmtBytes(n: number): string {
  if (n >= MiB * 1024) return `${(n / MiB / 1024).toFixed(n % (MiB * 1024) ? 2 : 0)} GiB`
  if (n >= MiB) return `${(n / MiB).toFixed(n % MiB ? 2 : 0)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 ? 1 : 0)} KiB`
  return `${n} B`
}

export function pad(s: string, w: number, right = false): string {
  if (s.length >= w) return s
  return right ? ' '.repeat(w - s.length) + s : s + ' '.repeat(w - s.length)
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message
  return String(e)
}
