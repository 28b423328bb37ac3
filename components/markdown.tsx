// Markdown-lite for repository descriptions, rendered as React elements (never as HTML, so any
// markup in the text is shown escaped): headings, paragraphs, lists, fenced code, `code`,
// **bold**, *emphasis* and [links](https://…) with http(s) or relative targets only.
import type { ReactNode } from 'react'

function inline(text: string, keyPrefix: string): ReactNode[] {
  const out: ReactNode[] = []
  const pattern = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*)|(\[[^\]]+\]\([^)\s]+\))/g
  let last = 0
  let match: RegExpExecArray | null
  let i = 0
  while ((match = pattern.exec(text))) {
    if (match.index > last) out.push(text.slice(last, match.index))
    const token = match[0]
    const key = `${keyPrefix}-${i++}`
    if (token.startsWith('`')) out.push(<code key={key} className="rounded bg-slate-100 px-1 font-mono text-[0.9em]">{token.slice(1, -1)}</code>)
    else if (token.startsWith('**')) out.push(<strong key={key}>{token.slice(2, -2)}</strong>)
    else if (token.startsWith('*')) out.push(<em key={key}>{token.slice(1, -1)}</em>)
    else {
      const [, label, href] = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token)!
      if (/^(https?:\/\/|\/(?!\/)|#)/i.test(href))
        out.push(
          <a key={key} href={href} rel="noopener noreferrer nofollow" className="text-sky-700 underline">
            {label}
          </a>,
        )
      else out.push(token)
    }
    last = match.index + token.length
  }
  if (last < text.length) out.push(text.slice(last))
  return out
}

export function Markdown({ source }: { source: string }) {
  const lines = source.replace(/\r\n?/g, '\n').split('\n')
  const blocks: ReactNode[] = []
  let i = 0
  let key = 0
  while (i < lines.length) {
    const line = lines[i]
    if (/^```/.test(line)) {
      const body: string[] = []
      i++
      while (i < lines.length && !/^```/.test(lines[i])) body.push(lines[i++])
      i++
      blocks.push(
        <pre key={key++} className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100">
          <code>{body.join('\n')}</code>
        </pre>,
      )
    } else if (/^#{1,6}\s/.test(line)) {
      const level = /^#+/.exec(line)![0].length
      const text = line.replace(/^#+\s*/, '')
      const cls = level === 1 ? 'text-xl font-semibold' : level === 2 ? 'text-lg font-semibold' : 'font-semibold'
      blocks.push(
        <p key={key++} role="heading" aria-level={Math.min(level + 2, 6)} className={cls}>
          {inline(text, `h${key}`)}
        </p>,
      )
      i++
    } else if (/^\s*[-*+]\s+/.test(line)) {
      const items: string[] = []
      while (i < lines.length && /^\s*[-*+]\s+/.test(lines[i])) items.push(lines[i++].replace(/^\s*[-*+]\s+/, ''))
      blocks.push(
        <ul key={key++} className="list-disc space-y-1 pl-5">
          {items.map((item, n) => (
            <li key={n}>{inline(item, `li${key}-${n}`)}</li>
          ))}
        </ul>,
      )
    } else if (/^\s*\d+[.)]\s+/.test(line)) {
      const items: string[] = []
      while (i < lines.length && /^\s*\d+[.)]\s+/.test(lines[i])) items.push(lines[i++].replace(/^\s*\d+[.)]\s+/, ''))
      blocks.push(
        <ol key={key++} className="list-decimal space-y-1 pl-5">
          {items.map((item, n) => (
            <li key={n}>{inline(item, `ol${key}-${n}`)}</li>
          ))}
        </ol>,
      )
    } else if (line.trim() === '') {
      i++
    } else {
      const para: string[] = []
      while (i < lines.length && lines[i].trim() !== '' && !/^(```|#{1,6}\s|\s*[-*+]\s+|\s*\d+[.)]\s+)/.test(lines[i])) para.push(lines[i++])
      blocks.push(<p key={key++}>{inline(para.join(' '), `p${key}`)}</p>)
    }
  }
  return <div className="space-y-3 text-sm leading-6 text-slate-800" data-testid="markdown">{blocks}</div>
}
