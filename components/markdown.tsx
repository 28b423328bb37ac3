// Markdown-lite for repository descriptions, rendered as React elements (never as HTML, so any
// markup in the text is shown escaped): headings, paragraphs, lists, fenced code, GFM tables,
// `code`, **bold**, *emphasis* and [links](https://…) with http(s) or relative targets only.
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
    if (token.startsWith('`'))
      out.push(
        <code key={key} className="rounded bg-slate-100 px-1 font-mono text-[0.9em]">
          {token.slice(1, -1)}
        </code>,
      )
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

type Align = 'left' | 'center' | 'right' | undefined

/** The cells of a table row: `| a | b |` or `a | b`, with `\|` for a literal pipe. */
export function splitTableRow(line: string): string[] {
  let text = line.trim()
  if (text.startsWith('|')) text = text.slice(1)
  if (text.endsWith('|') && !text.endsWith('\\|')) text = text.slice(0, -1)
  const cells: string[] = []
  let cell = ''
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && text[i + 1] === '|') {
      cell += '|'
      i++
    } else if (text[i] === '|') {
      cells.push(cell.trim())
      cell = ''
    } else cell += text[i]
  }
  cells.push(cell.trim())
  return cells
}

/** The alignments of a delimiter row (`|---|:-:|--:|`), or null when `line` is not one. */
function delimiterRow(line: string): Align[] | null {
  if (!line.includes('-')) return null
  const cells = splitTableRow(line)
  if (!cells.every((cell) => /^:?-+:?$/.test(cell))) return null
  return cells.map((cell) => (cell.startsWith(':') && cell.endsWith(':') ? 'center' : cell.endsWith(':') ? 'right' : cell.startsWith(':') ? 'left' : undefined))
}

/** A table starts at `i`: a row with a pipe, then a delimiter row with as many cells. */
function tableAt(lines: string[], i: number): Align[] | null {
  if (!lines[i].includes('|') || i + 1 >= lines.length) return null
  const aligns = delimiterRow(lines[i + 1])
  return aligns && aligns.length === splitTableRow(lines[i]).length ? aligns : null
}

const ALIGN_CLASS: Record<string, string> = { left: 'text-left', center: 'text-center', right: 'text-right' }

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
    } else if (tableAt(lines, i)) {
      const aligns = tableAt(lines, i)!
      const header = splitTableRow(lines[i])
      i += 2
      const rows: string[][] = []
      while (i < lines.length && lines[i].trim() !== '' && lines[i].includes('|')) rows.push(splitTableRow(lines[i++]))
      const align = (n: number) => ALIGN_CLASS[aligns[n] ?? ''] ?? 'text-left'
      const k = key++
      blocks.push(
        <div key={k} className="overflow-x-auto">
          <table className="min-w-full border-collapse text-sm">
            <thead>
              <tr>
                {header.map((cell, n) => (
                  <th key={n} scope="col" className={`border border-slate-300 bg-slate-100 px-3 py-1.5 font-semibold ${align(n)}`}>
                    {inline(cell, `th${k}-${n}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row, r) => (
                <tr key={r}>
                  {header.map((_, n) => (
                    <td key={n} className={`border border-slate-300 px-3 py-1.5 ${align(n)}`}>
                      {inline(row[n] ?? '', `td${k}-${r}-${n}`)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>,
      )
    } else if (line.trim() === '') {
      i++
    } else {
      const para: string[] = []
      while (i < lines.length && lines[i].trim() !== '' && !/^(```|#{1,6}\s|\s*[-*+]\s+|\s*\d+[.)]\s+)/.test(lines[i]) && (para.length === 0 || !tableAt(lines, i)))
        para.push(lines[i++])
      blocks.push(<p key={key++}>{inline(para.join(' '), `p${key}`)}</p>)
    }
  }
  return (
    <div className="space-y-3 text-sm leading-6 text-slate-800" data-testid="markdown">
      {blocks}
    </div>
  )
}
