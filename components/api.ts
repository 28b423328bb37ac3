// fetch for the dashboard's JSON API (/api/v1): same-origin, cookie session, and errors turned into
// exceptions carrying the server's message ({"errors":[{"code","message","detail"}]}).

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export interface ApiResponse<T> {
  data: T
  headers: Headers
  status: number
}

export async function api<T = unknown>(path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiResponse<T>> {
  let response: Response
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      cache: 'no-store',
    })
  } catch {
    throw new ApiError('The server could not be reached. Check your connection and try again.', 0)
  }
  const text = await response.text()
  let data: unknown = undefined
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = undefined
    }
  }
  if (!response.ok) {
    const first = (data as { errors?: { code?: string; message?: string }[] } | undefined)?.errors?.[0]
    throw new ApiError(sentence(first?.message) || fallbackMessage(response.status), response.status, first?.code)
  }
  return { data: data as T, headers: response.headers, status: response.status }
}

/**
 * Server messages are lowercase phrases ("name is required", "the user alice is already a member of
 * team"); shown as a sentence. The first word is capitalised only when it is a plain lowercase word
 * of more than one letter: a field spelled as the API spells it ("targetUrl", "q", "eventTypes.0")
 * keeps its case. Server messages never start with a name someone chose.
 */
export function sentence(message: string | undefined): string | undefined {
  const trimmed = message?.trim()
  if (!trimmed) return undefined
  const text = /^(a|[a-z]{2,})(?![\w.])/.test(trimmed) ? trimmed.charAt(0).toUpperCase() + trimmed.slice(1) : trimmed
  return /[.!?]$/.test(text) ? text : `${text}.`
}

function fallbackMessage(status: number): string {
  if (status === 401) return 'Your session has ended. Log in again.'
  if (status === 403) return 'You are not allowed to do that.'
  if (status === 404) return 'Not found.'
  if (status === 429) return 'Too many requests. Wait a moment and try again.'
  return `The request failed (HTTP ${status}).`
}

/** The server answers 401, 403 or 404 alike for what this user may not see: the page says it is not there. */
export function isNotVisible(error: unknown): boolean {
  return error instanceof ApiError && [401, 403, 404].includes(error.status)
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : 'Something went wrong.'
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** A date for tables; `fallback` when missing. */
export function formatDate(value: string | null | undefined, fallback = '—'): string {
  if (!value) return fallback
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? fallback : dateFormat.format(date)
}

/** A paginated list: the array body (or `{items}`) plus X-Total-Count. */
export async function apiList<T>(path: string): Promise<{ items: T[]; total: number }> {
  const { data, headers } = await api<T[] | { items: T[] }>(path)
  const items = Array.isArray(data) ? data : (data?.items ?? [])
  const total = Number(headers.get('x-total-count') ?? items.length)
  return { items, total: Number.isFinite(total) ? total : items.length }
}
