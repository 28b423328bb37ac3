// Markdown-lite for repository descriptions: GFM tables (header, alignment row, body rows) render as
// a table; everything in them stays text (no raw HTML).
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { Markdown, splitTableRow } from '../../../components/markdown'

const render = (source: string) => renderToStaticMarkup(createElement(Markdown, { source }))

describe('Markdown tables', () => {
  it('renders a header row, alignments and body rows', () => {
    const html = render(['Tags:', '', '| Tag | Arch | Size |', '|:----|:----:|-----:|', '| `latest` | amd64 | 12 MiB |', '| v1 | **arm64** |'].join('\n'))
    expect(html).toContain('<table')
    expect(html).toMatch(
      /<thead><tr><th scope="col" class="[^"]*text-left[^"]*">Tag<\/th><th scope="col" class="[^"]*text-center[^"]*">Arch<\/th><th scope="col" class="[^"]*text-right[^"]*">Size<\/th><\/tr><\/thead>/,
    )
    expect(html).toMatch(
      /<td class="[^"]*text-left[^"]*"><code[^>]*>latest<\/code><\/td><td class="[^"]*text-center[^"]*">amd64<\/td><td class="[^"]*text-right[^"]*">12 MiB<\/td>/,
    )
    // A short row is padded to the header's width.
    expect(html).toMatch(/<td[^>]*>v1<\/td><td[^>]*><strong>arm64<\/strong><\/td><td[^>]*><\/td><\/tr>/)
    expect(html.match(/<tr>/g)).toHaveLength(3)
  })

  it('keeps HTML in cells as text', () => {
    const html = render('| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |')
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('<img')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })

  it('ends a paragraph where a table starts, and needs the delimiter row', () => {
    const html = render('Intro line\n| a | b |\n| - | - |\n| 1 | 2 |\n\nJust | a pipe')
    expect(html).toMatch(/<p>Intro line<\/p><div[^>]*><table/)
    expect(html).toContain('<p>Just | a pipe</p>')
  })

  it('splits cells on unescaped pipes', () => {
    expect(splitTableRow('| a | b \\| c |')).toEqual(['a', 'b | c'])
    expect(splitTableRow('a|b')).toEqual(['a', 'b'])
  })
})
