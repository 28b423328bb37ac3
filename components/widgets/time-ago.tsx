'use client'
// Relative times that keep themselves current.
import { useEffect, useState } from 'react'
import { exactTime, relativeTime } from '../format'

/** A relative time that shows the exact UTC time on hover and to screen readers via title. */
export function TimeAgo({ value, fallback = 'Never' }: { value: string | null | undefined; fallback?: string }) {
  const [now, setNow] = useState<number | null>(null)
  useEffect(() => {
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), 60_000)
    return () => clearInterval(timer)
  }, [])
  if (!value) return <span className="text-slate-400">{fallback}</span>
  const exact = exactTime(value)
  return (
    <time dateTime={value} title={exact} className="whitespace-nowrap">
      {now === null ? exact : relativeTime(value, now, fallback)}
    </time>
  )
}
