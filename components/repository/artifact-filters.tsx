'use client'
// The artifact list's toolbar: all/tagged/untagged, a tag filter and the page size.
import { focusRing, inputClass } from '../ui'
import { PAGE_SIZES, type ArtifactList, type TaggedFilter } from './use-artifact-list'

const TAGGED_CHOICES: readonly (readonly [TaggedFilter, string])[] = [
  ['', 'All'],
  ['true', 'Tagged'],
  ['false', 'Untagged'],
]

export function ArtifactFilters({ list }: { list: ArtifactList }) {
  return (
    <div className="flex w-full flex-wrap items-center gap-2 sm:w-auto">
      <div role="group" aria-label="Which artifacts" className="inline-flex rounded-md border border-slate-300 p-0.5">
        {TAGGED_CHOICES.map(([value, label]) => (
          <button
            key={label}
            type="button"
            aria-pressed={list.tagged === value}
            onClick={() => list.setTagged(value)}
            className={`rounded px-2.5 py-1 text-sm font-medium ${focusRing} ${list.tagged === value ? 'bg-sky-700 text-white' : 'text-slate-700 hover:bg-slate-100'}`}
          >
            {label}
          </button>
        ))}
      </div>
      <div className="min-w-0 flex-1 sm:w-56 sm:flex-none">
        <label htmlFor="tag-filter" className="sr-only">
          Filter by tag
        </label>
        <input
          id="tag-filter"
          type="search"
          placeholder="Filter by tag"
          value={list.tagInput}
          onChange={(e) => list.setTagInput(e.target.value)}
          className={`${inputClass} mt-0`}
        />
      </div>
      <label htmlFor="page-size" className="flex items-center gap-1.5 text-sm text-slate-600">
        Per page
        <select
          id="page-size"
          value={list.pageSize}
          onChange={(e) => list.setPageSize(Number(e.target.value))}
          className={`rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900 ${focusRing}`}
        >
          {PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </label>
    </div>
  )
}
