// Markdown-lite for repository descriptions, rendered as React elements (never as HTML, so any
// markup in the text is shown escaped): headings, paragraphs, lists, fenced code, GFM tables,
// `code`, **bold**, *emphasis* and [links](https://…) with http(s) or relative targets only.
import type { ReactNode } from 'react'
import { inline } from './markdown-inline'
import { MarkdownTable, readTable, tableAt } from './markdown-table'

export { splitTableRow } from './markdown-table'

const BULLET = /^\s*[-*+]\s+/
const NUMBERED = /^\s*\d+[.)]\s+/

/** The items of the list starting at `lines[start]`, each without its marker, and the index after it. */
function readList(lines: string[], start: number, marker: RegExp): { items: string[]; end: number } {
  const items: string[] = []
  let i = start
  while (i < lines.length && marker.test(lines[i])) items.push(lines[i++].replace(marker, ''))
  return { items, end: i }
}

export function Markdown({ source }: { source: string }) {
  const lines = source.replace(/\r\n?/g, '\n').split('\n')
  const blocks: ReactNode[] = []
  let i = 0
  let key = 0
  while (i < lines.length) {
    const line = lines[i]
    const aligns = tableAt(lines, i)
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
    } else if (BULLET.test(line) || NUMBERED.test(line)) {
      const numbered = !BULLET.test(line)
      const list = readList(lines, i, numbered ? NUMBERED : BULLET)
      i = list.end
      const items = list.items.map((item, n) => <li key={n}>{inline(item, `li${key}-${n}`)}</li>)
      blocks.push(
        numbered ? (
          <ol key={key++} className="list-decimal space-y-1 pl-5">
            {items}
          </ol>
        ) : (
          <ul key={key++} className="list-disc space-y-1 pl-5">
            {items}
          </ul>
        ),
      )
    } else if (aligns) {
      const table = readTable(lines, i)
      i = table.end
      blocks.push(<MarkdownTable key={key++} header={table.header} rows={table.rows} aligns={aligns} />)
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
