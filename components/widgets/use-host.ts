'use client'
// The host name docker commands show: the page's own host, known only in the browser.
import { useEffect, useState } from 'react'

/** The host name docker commands use (the page's own host; "HOST" before hydration). */
export function useHost(): string {
  const [host, setHost] = useState('HOST')
  useEffect(() => setHost(window.location.host), [])
  return host
}
