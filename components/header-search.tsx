'use client'
// The global search box in the header: projects and repositories the caller may read. An ARIA
// combobox: the results are a listbox right under the input (same left edge and width); arrow keys
// move the active option (aria-activedescendant), Enter opens it, Escape closes the list.
import { useQuery } from '@tanstack/react-query'
import { usePathname, useRouter } from 'next/navigation'
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react'
import type { SearchResult } from '@/lib/search/schema'
import { api, errorMessage } from './api'
import { OptionGroup, toOptions, type SearchOption } from './search/search-options'
import { useDebounced } from './use-paged-search'

export function HeaderSearch({ className = '' }: { className?: string }) {
  const id = useId()
  const listId = `${id}-results`
  const optionId = (index: number) => `${id}-option-${index}`
  const [text, setText] = useState('')
  const q = useDebounced(text.trim(), 200)
  const [open, setOpen] = useState(false)
  const [active, setActive] = useState(-1)
  const box = useRef<HTMLDivElement>(null)
  const pathname = usePathname()
  const router = useRouter()
  useEffect(() => {
    setOpen(false)
    setText('')
  }, [pathname])
  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      if (box.current && !box.current.contains(event.target as Node)) setOpen(false)
    }
    document.addEventListener('mousedown', onClick)
    return () => document.removeEventListener('mousedown', onClick)
  }, [])
  const results = useQuery({
    queryKey: ['search', q],
    queryFn: async () => (await api<SearchResult>(`/api/v1/search?${new URLSearchParams({ q })}`)).data,
    enabled: q.length > 0,
  })
  const options = toOptions(results.data)
  // A new list starts with nothing active: Enter then does nothing until an option is chosen.
  useEffect(() => setActive(-1), [results.data])
  useEffect(() => {
    if (active >= 0) document.getElementById(`${id}-option-${active}`)?.scrollIntoView({ block: 'nearest' })
  }, [active, id])
  const show = open && q.length > 0
  const choose = (option: SearchOption) => {
    setOpen(false)
    router.push(option.href)
  }

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') {
      if (show) event.preventDefault()
      setOpen(false)
      setActive(-1)
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      if (!show) {
        setOpen(true)
        return
      }
      if (options.length === 0) return
      const step = event.key === 'ArrowDown' ? 1 : -1
      setActive((current) => (current < 0 ? (step === 1 ? 0 : options.length - 1) : (current + step + options.length) % options.length))
    } else if (event.key === 'Enter' && show && active >= 0 && options[active]) {
      event.preventDefault()
      choose(options[active])
    }
  }

  const groupProps = { idPrefix: id, optionId, active, onActivate: setActive, onChoose: choose }

  return (
    <div ref={box} role="search" className={`relative min-w-0 ${className}`}>
      <label htmlFor={`${id}-q`} className="sr-only">
        Search projects and repositories
      </label>
      <input
        id={`${id}-q`}
        type="search"
        role="combobox"
        aria-autocomplete="list"
        placeholder="Search projects and repositories"
        autoComplete="off"
        value={text}
        aria-controls={listId}
        aria-expanded={show}
        aria-activedescendant={show && active >= 0 ? optionId(active) : undefined}
        onChange={(event) => {
          setText(event.target.value)
          setOpen(true)
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={onKeyDown}
        className="w-full rounded-md border border-slate-600 bg-slate-800 px-3 py-1.5 text-sm text-white placeholder:text-slate-400 focus:border-sky-400 focus:outline-none focus:ring-2 focus:ring-sky-400/40"
      />
      {show && (
        <div
          data-testid="search-results"
          className="absolute inset-x-0 top-full z-30 mt-1 max-h-96 overflow-y-auto rounded-lg border border-slate-200 bg-white py-1 text-sm text-slate-900 shadow-lg"
        >
          {results.isPending ? (
            <p className="px-3 py-2 text-slate-500">Searching…</p>
          ) : results.isError ? (
            <p className="px-3 py-2 text-red-700">{errorMessage(results.error)}</p>
          ) : options.length === 0 ? (
            <p className="px-3 py-2 text-slate-500">Nothing matches “{q}”.</p>
          ) : null}
          <ul id={listId} role="listbox" aria-label="Search results">
            <OptionGroup options={options} kind="project" heading="Projects" {...groupProps} />
            <OptionGroup options={options} kind="repository" heading="Repositories" {...groupProps} />
          </ul>
        </div>
      )}
    </div>
  )
}
