// Storage quota shapes and figures shared by the API, the registry's error messages, the webhook
// payloads and the dashboard. Pure (zod only), so browser code may import it.
import { z } from 'zod'

/** -1: no limit. */
export const UNLIMITED = -1

/** What QUOTA_WARNING fires at when the quotaWarningPercent setting is not set (Harbor's default). */
export const DEFAULT_QUOTA_WARNING_PERCENT = 85

/** A storage limit as the API takes it: bytes, or -1 for none. */
export const storageLimitSchema = z
  .number({ error: 'storageLimit must be a number of bytes, or -1 for no limit' })
  .int({ error: 'storageLimit must be a whole number of bytes, or -1 for no limit' })
  .min(UNLIMITED, { error: 'storageLimit must be a number of bytes, or -1 for no limit' })
  .max(Number.MAX_SAFE_INTEGER)

/** 0 B, 512 B, 1.5 KiB, 23.4 MiB … */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—'
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let value = bytes / 1024
  let i = 0
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024
    i++
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[i]}`
}

/** A storage limit for people: "unlimited" or a size. */
export function formatLimit(limit: number): string {
  return limit < 0 ? 'unlimited' : formatBytes(limit)
}

/** Harbor's message shape, "quota exceeded: <project> uses X of Y", and what the refused change would have added. */
export function quotaExceededMessage(project: string, used: number, limit: number, needed: number): string {
  return `quota exceeded: ${project} uses ${formatBytes(used)} of ${formatLimit(limit)} (adding ${formatBytes(needed)} would pass it)`
}

/** The share of the limit used, 0-100 (0 when unlimited). */
export function usedPercent(used: number, limit: number): number {
  if (limit < 0) return 0
  if (limit === 0) return used > 0 ? 100 : 0
  return Math.min(100, (used / limit) * 100)
}
