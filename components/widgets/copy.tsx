'use client'
// Copying to the clipboard: copy buttons, command lines with one, and the "how to push" commands.
import { useEffect, useState } from 'react'
import { focusRing } from '../ui'
import { useHost } from './use-host'

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
