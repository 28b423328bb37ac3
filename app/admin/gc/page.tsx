import type { Metadata } from 'next'
import { GcView } from '@/components/gc-view'

export const metadata: Metadata = { title: 'Garbage collection' }

export default function GcPage() {
  return <GcView />
}
