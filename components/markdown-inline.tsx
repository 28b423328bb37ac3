// The inline part of the Markdown-lite: `code`, **bold**, *emphasis* and [links](https://…) with
// http(s) or relative targets only; everything else stays text.
import type { ReactNode } from 'react'

export function inline(text: string, keyPrefix: string): ReactNode[] {
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
