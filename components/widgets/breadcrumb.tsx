import Link from 'next/link'
import { Fragment } from 'react'
import { RepositoryName, focusRing } from '../ui'

/** The way up the hierarchy (Projects / project / repository), every step a link. */
export function Breadcrumb({ items }: { items: { href: string; label: string }[] }) {
  return (
    <nav aria-label="Breadcrumb" className="flex flex-wrap gap-1 text-sm text-slate-500">
      {items.map((item, i) => (
        <Fragment key={item.href}>
          {i > 0 && <span aria-hidden>/</span>}
          <Link href={item.href} className={`min-w-0 break-words rounded text-sky-700 hover:underline ${focusRing}`}>
            <RepositoryName name={item.label} />
          </Link>
        </Fragment>
      ))}
    </nav>
  )
}
