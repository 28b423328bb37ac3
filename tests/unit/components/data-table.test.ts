// The list pieces the dashboard panels share (components/data-table.tsx): the states of a list
// query, the table heading and the paging footer.
import type { UseQueryResult } from '@tanstack/react-query'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { DataTable, PageFooter, QueryList, type Page } from '../../../components/data-table'

type Query = UseQueryResult<Page<string>>

function renderList(query: Partial<Query>): string {
  return renderToStaticMarkup(
    createElement(QueryList<string>, {
      query: query as Query,
      loadingLabel: 'Loading names',
      errorTestId: 'names-error',
      empty: createElement('p', null, 'No names.'),
      children: (page: Page<string>) => createElement('ul', null, `${page.items.join(',')} of ${page.total}`),
    }),
  )
}

describe('QueryList', () => {
  it('shows skeleton rows while loading', () => {
    expect(renderList({ isPending: true })).toContain('aria-label="Loading names"')
  })

  it("shows the server's error", () => {
    const html = renderList({ isPending: false, isError: true, error: new Error('Not allowed.') })
    expect(html).toMatch(/<p role="alert" data-testid="names-error"[^>]*>Not allowed\.<\/p>/)
  })

  it('shows the empty state for an empty page, else the page', () => {
    expect(renderList({ isPending: false, isError: false, data: { items: [], total: 0 } })).toBe('<p>No names.</p>')
    expect(renderList({ isPending: false, isError: false, data: { items: ['a', 'b'], total: 7 } })).toBe('<ul>a,b of 7</ul>')
  })
})

describe('DataTable', () => {
  it('heads its columns, a hidden one for screen readers only', () => {
    const html = renderToStaticMarkup(
      createElement(DataTable, {
        columns: [{ label: 'Name' }, { label: 'Pulls', className: 'px-4 py-2 text-right' }, { label: 'Actions', hidden: true }],
        testId: 't',
        children: null,
      }),
    )
    expect(html).toContain('data-testid="t"')
    expect(html).toMatch(/<th scope="col" class="px-4 py-2 font-medium">Name<\/th>/)
    expect(html).toMatch(/<th scope="col" class="px-4 py-2 text-right font-medium">Pulls<\/th>/)
    expect(html).toMatch(/<th scope="col" class="[^"]*"><span class="sr-only">Actions<\/span><\/th>/)
  })
})

describe('PageFooter', () => {
  const footer = (total: number) => renderToStaticMarkup(createElement(PageFooter, { page: 1, total, pageSize: 20, onChange: () => {}, noun: 'user' }))

  it('is left out when the list fits on one page', () => {
    expect(footer(20)).toBe('')
  })

  it('pages a longer list', () => {
    const html = footer(21)
    expect(html).toContain('aria-label="users pages"')
    expect(html).toContain('1–20 of 21 users')
    expect(html).toContain('Page 1 of 2')
  })
})
