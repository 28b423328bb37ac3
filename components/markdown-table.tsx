// GFM tables for the Markdown-lite: a header row, a delimiter row with the alignments, body rows.
import { inline } from './markdown-inline'

export type Align = 'left' | 'center' | 'right' | undefined

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
export function tableAt(lines: string[], i: number): Align[] | null {
  if (!lines[i].includes('|') || i + 1 >= lines.length) return null
  const aligns = delimiterRow(lines[i + 1])
  return aligns && aligns.length === splitTableRow(lines[i]).length ? aligns : null
}

const ALIGN_CLASS: Record<string, string> = { left: 'text-left', center: 'text-center', right: 'text-right' }

/** The table starting at `lines[start]` (see tableAt); `end` is the index of the first line after it. */
export function readTable(lines: string[], start: number): { header: string[]; rows: string[][]; end: number } {
  const header = splitTableRow(lines[start])
  let i = start + 2
  const rows: string[][] = []
  while (i < lines.length && lines[i].trim() !== '' && lines[i].includes('|')) rows.push(splitTableRow(lines[i++]))
  return { header, rows, end: i }
}

export function MarkdownTable({ header, rows, aligns }: { header: string[]; rows: string[][]; aligns: Align[] }) {
  const align = (n: number) => ALIGN_CLASS[aligns[n] ?? ''] ?? 'text-left'
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full border-collapse text-sm">
        <thead>
          <tr>
            {header.map((cell, n) => (
              <th key={n} scope="col" className={`border border-slate-300 bg-slate-100 px-3 py-1.5 font-semibold ${align(n)}`}>
                {inline(cell, `th-${n}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, r) => (
            <tr key={r}>
              {header.map((_, n) => (
                <td key={n} className={`border border-slate-300 px-3 py-1.5 ${align(n)}`}>
                  {inline(row[n] ?? '', `td-${r}-${n}`)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
