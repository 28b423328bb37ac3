// The boxes the dashboard pages are made of: a panel whose heading bar (with tools such as a search
// box on the right) sits above a list or table that runs to its edges, the smaller box beside it
// that holds a create form, and the search box such a heading bar carries.
import type { ReactNode } from 'react'
import { inputClass } from './ui'

const boxClass = 'rounded-xl border border-slate-200 bg-white shadow-sm'

/** `roomy` pads the heading bar like a page section; the default fits a tab with a form beside it. */
export function Panel({ title, headingId, tools, roomy = false, children }: { title: ReactNode; headingId: string; tools?: ReactNode; roomy?: boolean; children: ReactNode }) {
  return (
    <section aria-labelledby={headingId} className={`min-w-0 ${boxClass}`}>
      <div className={`flex flex-wrap items-end justify-between gap-3 border-b border-slate-200 ${roomy ? 'px-5 py-4' : 'px-4 py-3'}`}>
        <h2 id={headingId} className="text-lg font-semibold">
          {title}
        </h2>
        {tools}
      </div>
      {children}
    </section>
  )
}

/** The box beside a panel with the form that adds to its list. */
export function FormPanel({ title, headingId, children }: { title: string; headingId: string; children: ReactNode }) {
  return (
    <section aria-labelledby={headingId} className={`${boxClass} p-4`}>
      <h2 id={headingId} className="text-lg font-semibold">
        {title}
      </h2>
      <div className="mt-3">{children}</div>
    </section>
  )
}

/** A search box labelled for screen readers only (the placeholder says the same); `className` sets its width. */
export function SearchField({
  id,
  label,
  placeholder = label,
  value,
  onChange,
  className = '',
}: {
  id: string
  label: string
  placeholder?: string
  value: string
  onChange: (value: string) => void
  className?: string
}) {
  return (
    <div className={`w-full ${className}`}>
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <input id={id} type="search" placeholder={placeholder} value={value} onChange={(event) => onChange(event.target.value)} className={`${inputClass} mt-0`} />
    </div>
  )
}
