// Harbor's pagination: `page` (>= 1, default 1) and `page_size` (1..100, default 10) in the query;
// the response carries `X-Total-Count` and a `Link` header with rel="prev"/"next".
import { z } from 'zod'
import type { PageRequest } from '../pagination'

export const DEFAULT_PAGE_SIZE = 10
export const MAX_PAGE_SIZE = 100

export const pageQuerySchema = z.object({
  page: z.coerce.number({ error: 'page must be a number' }).int('page must be an integer').min(1, 'page must be at least 1').default(1),
  page_size: z.coerce
    .number({ error: 'page_size must be a number' })
    .int('page_size must be an integer')
    .min(1, 'page_size must be at least 1')
    .max(MAX_PAGE_SIZE, `page_size must be at most ${MAX_PAGE_SIZE}`)
    .default(DEFAULT_PAGE_SIZE),
})

/** `X-Total-Count` and `Link` for a page of `total` items, keeping the request's other query parameters. */
export function paginationHeaders(requestUrl: string, page: PageRequest, total: number): Record<string, string> {
  const url = new URL(requestUrl)
  const links: string[] = []
  const link = (target: number, rel: string) => {
    const params = new URLSearchParams(url.search)
    params.set('page', String(target))
    params.set('page_size', String(page.pageSize))
    links.push(`<${url.pathname}?${params.toString()}>; rel="${rel}"`)
  }
  const lastPage = Math.max(1, Math.ceil(total / page.pageSize))
  if (page.page > 1) link(Math.min(page.page - 1, lastPage), 'prev')
  if (page.page * page.pageSize < total) link(page.page + 1, 'next')
  const headers: Record<string, string> = { 'X-Total-Count': String(total) }
  if (links.length > 0) headers.Link = links.join(', ')
  return headers
}
