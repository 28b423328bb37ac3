'use client'
// The options a run and the schedule share: delete untagged artifacts, and the grace period (in hours).
import { Checkbox } from '../webhooks/checkbox'
import { TextField } from '../ui'

export interface GcOptionsValue {
  deleteUntagged: boolean
  /** As typed, in hours. */
  graceHours: string
}

/** The grace period in seconds, or null when the field does not hold a number of hours ≥ 0. */
export function graceSeconds(value: GcOptionsValue): number | null {
  const hours = Number(value.graceHours)
  if (value.graceHours.trim() === '' || !Number.isFinite(hours) || hours < 0) return null
  return Math.round(hours * 3600)
}

export function GcOptions({ value, onChange }: { value: GcOptionsValue; onChange: (value: GcOptionsValue) => void }) {
  return (
    <div className="space-y-4">
      <Checkbox
        label="Delete untagged artifacts"
        hint="Artifacts without a tag go too, except the images of a tagged multi-platform index and the signatures and SBOMs of a kept image."
        checked={value.deleteUntagged}
        onChange={(deleteUntagged) => onChange({ ...value, deleteUntagged })}
      />
      <TextField
        label="Grace period (hours)"
        type="number"
        min={0}
        step="any"
        inputMode="decimal"
        value={value.graceHours}
        onChange={(event) => onChange({ ...value, graceHours: event.target.value })}
        hint="Blobs and untagged artifacts younger than this are kept."
      />
    </div>
  )
}
