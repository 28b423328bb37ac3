// The artifact page's building blocks: a titled section and a table in one.
import type { ReactNode } from 'react'
import { DataTable } from '../data-table'

export function Section({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="min-w-0 rounded-xl border border-slate-200 bg-white shadow-sm">
      <h2 id={id} className="border-b border-slate-200 px-4 py-3 text-lg font-semibold">
        {title}
      </h2>
      <div className="p-4">{children}</div>
    </section>
  )
}

/** A table flush with its section's edges; a "Size" column is right-aligned. */
export function Table({ head, children }: { head: string[]; children: ReactNode }) {
  const columns = head.map((label) => ({ label, className: label === 'Size' ? 'px-3 py-2 text-right' : 'px-3 py-2' }))
  return (
    <DataTable columns={columns} className="-m-4">
      {children}
    </DataTable>
  )
}
