'use client'
// Interactive pieces shared by the project, repository and artifact pages: copy buttons, relative
// times, confirmation dialogs, tabs, pagination and the "how to push" commands.
import Link from 'next/link'
import { Fragment, useEffect, useRef, useState, type ReactNode, type RefObject } from 'react'
import { errorMessage } from './api'
import { countOf, exactTime, pluralNoun, relativeTime } from './format'
import { Button, ErrorMessage, RepositoryName, focusRing } from './ui'

/** The host name docker commands use (the page's own host; "HOST" before hydration). */
export function useHost(): string {
  const [host, setHost] = useState('HOST')
  useEffect(() => setHost(window.location.host), [])
  return host
}

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

async function writeClipboard(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    // Non-secure contexts: fall back to a hidden textarea.
    const area = document.createElement('textarea')
    area.value = text
    area.setAttribute('readonly', '')
    area.style.position = 'fixed'
    area.style.opacity = '0'
    document.body.appendChild(area)
    area.select()
    const ok = document.execCommand('copy')
    area.remove()
    return ok
  }
}

/** A small "Copy" button; its accessible name is `label` (e.g. "Copy pull command for v1"). */
export function CopyButton({ text, label, className = '', compact = false }: { text: string; label: string; className?: string; compact?: boolean }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  useEffect(() => {
    if (state === 'idle') return
    const timer = setTimeout(() => setState('idle'), 2000)
    return () => clearTimeout(timer)
  }, [state])
  return (
    <button
      type="button"
      aria-label={state === 'copied' ? `Copied: ${label.replace(/^Copy /, '')}` : label}
      title={label}
      data-copy-text={text}
      onClick={async () => setState((await writeClipboard(text)) ? 'copied' : 'failed')}
      className={`inline-flex shrink-0 items-center justify-center text-xs font-medium ${focusRing} ${
        compact
          ? 'min-w-[3.25rem] rounded-full px-1.5 text-sky-800 hover:bg-sky-100'
          : 'min-w-[4.25rem] rounded border border-slate-300 bg-white px-2 py-0.5 text-slate-700 hover:bg-slate-100'
      } ${className}`}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Failed' : 'Copy'}
    </button>
  )
}

/** A command line with a copy button. */
export function CommandLine({ command, label }: { command: string; label: string }) {
  return (
    <div className="flex min-w-0 items-center gap-2 rounded-md bg-slate-900 px-3 py-1.5">
      <code className="min-w-0 flex-1 overflow-x-auto whitespace-nowrap font-mono text-xs text-slate-100" data-testid="command">
        {command}
      </code>
      <CopyButton text={command} label={label} />
    </div>
  )
}

/** The exact commands to push the first image into `project` (repository `repo`, tag `tag`). */
export function PushCommands({ project, repo = 'app', tag = '1.0' }: { project: string; repo?: string; tag?: string }) {
  const host = useHost()
  const lines = [`docker login ${host}`, `docker tag ${repo}:${tag} ${host}/${project}/${repo}:${tag}`, `docker push ${host}/${project}/${repo}:${tag}`]
  return (
    <div className="space-y-2" data-testid="push-commands">
      {lines.map((line, i) => (
        <CommandLine key={i} command={line} label={`Copy command ${i + 1}`} />
      ))}
    </div>
  )
}

/** What a ConfirmDialog runs, as far as the dialog needs to know (a react-query mutation is one). */
export interface ConfirmAction {
  isPending: boolean
  error: unknown
  reset: () => void
}

/**
 * A modal confirmation naming what will go. With `typed`, the confirm button stays disabled until
 * the user types that exact text. It shows `action`'s progress and error, and cancelling resets
 * the action, so a failure is never shown again the next time the dialog opens.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  typed,
  action,
  onConfirm,
  onCancel,
}: {
  open: boolean
  title: string
  children: ReactNode
  confirmLabel: string
  typed?: string
  action: ConfirmAction
  onConfirm: () => void
  onCancel: () => void
}) {
  const pending = action.isPending
  const cancel = () => {
    action.reset()
    onCancel()
  }
  const ref = useRef<HTMLDialogElement>(null)
  const [text, setText] = useState('')
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) {
      setText('')
      dialog.showModal()
    } else if (!open && dialog.open) dialog.close()
  }, [open])
  const ready = !pending && (typed === undefined || text === typed)
  return (
    <dialog
      ref={ref}
      aria-labelledby="confirm-title"
      onCancel={(event) => {
        event.preventDefault()
        cancel()
      }}
      className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50"
    >
      {open && (
        <form
          method="dialog"
          className="space-y-4 p-5"
          onSubmit={(event) => {
            event.preventDefault()
            if (ready) onConfirm()
          }}
        >
          <h2 id="confirm-title" className="text-lg font-semibold">
            {title}
          </h2>
          <div className="text-sm text-slate-700">{children}</div>
          {typed !== undefined && (
            <div>
              <label htmlFor="confirm-typed" className="block text-sm font-medium text-slate-700">
                Type <strong className="font-mono">{typed}</strong> to confirm
              </label>
              <input
                id="confirm-typed"
                autoComplete="off"
                value={text}
                onChange={(event) => setText(event.target.value)}
                className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-base focus:border-sky-600 focus:outline-none focus:ring-2 focus:ring-sky-600/40 sm:text-sm"
              />
            </div>
          )}
          <ErrorMessage testId="confirm-error">{action.error ? errorMessage(action.error) : null}</ErrorMessage>
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="secondary" onClick={cancel} autoFocus>
              Cancel
            </Button>
            <Button type="submit" variant="danger" disabled={!ready}>
              {pending ? 'Working…' : confirmLabel}
            </Button>
          </div>
        </form>
      )}
    </dialog>
  )
}

/**
 * Which sides of a horizontally scrolling box hide content, kept current on scroll and resize, so the
 * box can show a fade on each side that has more to see.
 */
function useScrollEdges(ref: RefObject<HTMLElement | null>): { start: boolean; end: boolean } {
  const [edges, setEdges] = useState({ start: false, end: false })
  useEffect(() => {
    const element = ref.current
    if (!element) return
    const update = () => {
      const start = element.scrollLeft > 1
      const end = element.scrollLeft + element.clientWidth < element.scrollWidth - 1
      setEdges((old) => (old.start === start && old.end === end ? old : { start, end }))
    }
    update()
    element.addEventListener('scroll', update, { passive: true })
    const observer = new ResizeObserver(update)
    observer.observe(element)
    return () => {
      element.removeEventListener('scroll', update)
      observer.disconnect()
    }
  }, [ref])
  return edges
}

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

/** Pages of a list; `noun` is what the list holds, in the singular ("repository"). */
export function Pagination({ page, total, pageSize, onChange, noun }: { page: number; total: number; pageSize: number; onChange: (page: number) => void; noun: string }) {
  const pages = Math.max(1, Math.ceil(total / pageSize))
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1
  const last = Math.min(total, page * pageSize)
  return (
    <nav aria-label={`${pluralNoun(noun)} pages`} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3 text-sm text-slate-600">
      <span>
        {first}–{last} of {countOf(total, noun)}
      </span>
      <span className="flex items-center gap-2">
        <Button variant="secondary" disabled={page <= 1} onClick={() => onChange(page - 1)}>
          Previous
        </Button>
        <span aria-live="polite">
          Page {page} of {pages}
        </span>
        <Button variant="secondary" disabled={page >= pages} onClick={() => onChange(page + 1)}>
          Next
        </Button>
      </span>
    </nav>
  )
}

/** A placeholder row block with fixed height while data loads (avoids layout shift). */
export function LoadingRows({ rows = 3, label = 'Loading…' }: { rows?: number; label?: string }) {
  return (
    <div role="status" aria-label={label} className="space-y-2 p-4">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="h-8 animate-pulse rounded bg-slate-100" />
      ))}
      <span className="sr-only">{label}</span>
    </div>
  )
}

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
