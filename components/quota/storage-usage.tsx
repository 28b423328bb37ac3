// A project's storage: "X of Y" with a bar (a meter for assistive technology), or "X (no quota)".
import { formatBytes, formatLimit, usedPercent } from '@/lib/quota/schema'

/** Amber from the default warning share (85%) on, red when full. */
function barColour(percent: number): string {
  if (percent >= 100) return 'bg-red-600'
  if (percent >= 85) return 'bg-amber-500'
  return 'bg-sky-600'
}

export function StorageUsage({ used, limit }: { used: number; limit: number }) {
  if (limit < 0) {
    return (
      <span data-testid="storage-usage">
        {formatBytes(used)} <span className="text-slate-500">(no quota)</span>
      </span>
    )
  }
  const percent = usedPercent(used, limit)
  const text = `${formatBytes(used)} of ${formatLimit(limit)}`
  return (
    <span className="inline-flex items-center gap-2" data-testid="storage-usage">
      <span
        role="meter"
        aria-label="Storage quota used"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(percent)}
        aria-valuetext={`${text} (${Math.round(percent)}%)`}
        className="inline-block h-2 w-32 overflow-hidden rounded-full bg-slate-200"
      >
        <span className={`block h-full ${barColour(percent)}`} style={{ width: `${percent}%` }} />
      </span>
      <span className="tabular-nums">{text}</span>
    </span>
  )
}
