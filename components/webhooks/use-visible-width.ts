'use client'
import { useEffect, useState, type RefObject } from 'react'

/** The width of the visible part of a box, kept current on resize; `watch` re-attaches when the box may have changed. */
export function useVisibleWidth(ref: RefObject<HTMLElement | null>, watch: unknown): number | null {
  const [width, setWidth] = useState<number | null>(null)
  useEffect(() => {
    const element = ref.current
    if (!element) return
    const observer = new ResizeObserver(() => setWidth(element.clientWidth))
    observer.observe(element)
    return () => observer.disconnect()
  }, [ref, watch])
  return width
}
