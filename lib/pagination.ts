// A page of a list, as the domain modules take and return it; lib/api/pagination.ts reads it from
// Harbor's `page`/`page_size` query and writes the `X-Total-Count` and `Link` headers.

export interface PageRequest {
  page: number
  pageSize: number
}

export interface Page<T> {
  items: T[]
  total: number
}

/** Prisma's skip/take for a page. */
export function skipTake(page: PageRequest): { skip: number; take: number } {
  return { skip: (page.page - 1) * page.pageSize, take: page.pageSize }
}
