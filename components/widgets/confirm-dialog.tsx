'use client'
// The confirmation dialog every destructive action goes through.
import { useEffect, useRef, useState, type ReactNode } from 'react'
import { errorMessage } from '../api'
import { Button, ErrorMessage } from '../ui'

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
