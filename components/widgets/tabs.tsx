'use client'
// A tab list for pages with several views (the project page).
import { useEffect, useRef } from 'react'
import { focusRing } from '../ui'
import { useScrollEdges } from './use-scroll-edges'

// The width of the fade over a side with more tabs (w-10); a tab scrolled into view clears it.
const CUE_WIDTH = 40

/**
 * A tab list that scrolls sideways when it does not fit (phones): a fade and an arrow mark each side
 * with more tabs, and the current tab is scrolled into view.
 */
export function Tabs<T extends string>({ tabs, current, onChange, label }: { tabs: { id: T; label: string }[]; current: T; onChange: (id: T) => void; label: string }) {
  const list = useRef<HTMLDivElement>(null)
  const edges = useScrollEdges(list)
  useEffect(() => {
    const scroller = list.current
    const tab = scroller?.querySelector<HTMLElement>('[aria-selected="true"]')
    if (!scroller || !tab) return
    const left = tab.offsetLeft - scroller.offsetLeft
    if (left < scroller.scrollLeft) scroller.scrollLeft = left - CUE_WIDTH
    else if (left + tab.offsetWidth > scroller.scrollLeft + scroller.clientWidth) scroller.scrollLeft = left + tab.offsetWidth - scroller.clientWidth + CUE_WIDTH
  }, [current])
  const cue = 'pointer-events-none absolute inset-y-0 z-10 flex w-10 items-center text-slate-500'
  return (
    <div className="relative border-b border-slate-200" data-testid="tabs">
      <div ref={list} role="tablist" aria-label={label} className="flex gap-1 overflow-x-auto [scrollbar-width:thin]">
        {tabs.map((tab) => (
          <button
            key={tab.id}
            type="button"
            role="tab"
            id={`tab-${tab.id}`}
            aria-selected={tab.id === current}
            aria-controls={`panel-${tab.id}`}
            tabIndex={tab.id === current ? 0 : -1}
            onClick={() => onChange(tab.id)}
            onKeyDown={(event) => {
              const index = tabs.findIndex((t) => t.id === current)
              if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
                const next = tabs[(index + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]
                onChange(next.id)
                document.getElementById(`tab-${next.id}`)?.focus()
              }
            }}
            className={`-mb-px shrink-0 whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium ${focusRing} ${
              tab.id === current ? 'border-sky-700 text-sky-800' : 'border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900'
            }`}
          >
            {tab.label}
          </button>
        ))}
      </div>
      {edges.start && (
        <div aria-hidden="true" data-testid="tabs-more-start" className={`${cue} left-0 justify-start bg-gradient-to-r from-slate-50 via-slate-50/80 to-transparent`}>
          ‹
        </div>
      )}
      {edges.end && (
        <div aria-hidden="true" data-testid="tabs-more-end" className={`${cue} right-0 justify-end bg-gradient-to-l from-slate-50 via-slate-50/80 to-transparent`}>
          ›
        </div>
      )}
    </div>
  )
}
