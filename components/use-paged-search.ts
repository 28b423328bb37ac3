'use client'
// Search boxes over paged lists: the text typed, the query it settles into and the page shown.
import { useCallback, useEffect, useState } from 'react'

/** `value` once it has stayed the same for `ms` milliseconds. */
export function useDebounced<T>(value: T, ms = 250): T {
  const [debounced, setDebounced] = useState(value)
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms)
    return () => clearTimeout(timer)
  }, [value, ms])
  return debounced
}

/**
 * A search box's text, the trimmed query it settles into, and the page of results: a new query
 * starts again at page 1 (in the same render, so the old page of the new query is never fetched).
 */
export function usePagedSearch() {
  const [search, setSearch] = useState('')
  const q = useDebounced(search.trim())
  const [paging, setPaging] = useState({ q, page: 1 })
  const page = paging.q === q ? paging.page : 1
  const setPage = useCallback((next: number) => setPaging({ q, page: next }), [q])
  return { search, setSearch, q, page, setPage }
}
