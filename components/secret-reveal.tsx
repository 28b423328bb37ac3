'use client'
// A secret the server shows once (an access token's, a robot account's): focused when it appears,
// selectable, with a copy button, what to do if it is lost, and a button to put it away.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react'
import { Button, inputClass } from './ui'

export function SecretReveal({
  title,
  secret,
  label,
  ifLost,
  testId,
  secretTestId,
  onDismiss,
  children,
}: {
  title: string
  secret: string
  /** The accessible name of the field ("Token secret"). */
  label: string
  /** What to do when the secret is lost ("revoke the token and create a new one"). */
  ifLost: string
  testId?: string
  secretTestId?: string
  onDismiss: () => void
  /** How to use the secret. */
  children?: ReactNode
}) {
  const id = useId()
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null)
  const heading = useRef<HTMLHeadingElement>(null)
  const field = useRef<HTMLInputElement>(null)
  // Move focus to the secret so keyboard and screen-reader users land on it.
  useEffect(() => {
    setCopied(null)
    heading.current?.focus()
  }, [secret])

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret)
      setCopied('copied')
    } catch {
      // No clipboard access (plain HTTP on another host): select it for Ctrl+C instead.
      field.current?.select()
      setCopied('failed')
    }
  }

  return (
    <section aria-labelledby={`${id}-heading`} className="rounded-lg border border-amber-300 bg-amber-50 p-4" data-testid={testId}>
      <h3 id={`${id}-heading`} ref={heading} tabIndex={-1} className="text-sm font-semibold text-amber-900 focus:outline-none">
        {title}
      </h3>
      <p className="mt-1 text-sm text-amber-900">
        <strong>Copy the secret now: it is shown only once.</strong> It cannot be displayed again; if you lose it, {ifLost}.
      </p>
      <div className="mt-3 flex flex-col gap-2 sm:flex-row">
        <label htmlFor={`${id}-secret`} className="sr-only">
          {label}
        </label>
        <input
          id={`${id}-secret`}
          ref={field}
          readOnly
          value={secret}
          onFocus={(event) => event.currentTarget.select()}
          data-testid={secretTestId}
          className={`${inputClass} mt-0 font-mono`}
        />
        <Button variant="secondary" onClick={copy} className="shrink-0">
          {copied === 'copied' ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <p className="mt-2 text-xs text-amber-900" aria-live="polite">
        {copied === 'copied' ? 'The secret is on your clipboard.' : copied === 'failed' ? 'Copying is not allowed here; the secret is selected, press Ctrl+C.' : ''}
      </p>
      {children && <div className="mt-2 text-sm text-amber-900">{children}</div>}
      <Button variant="ghost" onClick={onDismiss} className="mt-2">
        I have saved it
      </Button>
    </section>
  )
}
