// Calling an upstream: every call bounded in time, every failure typed, and failures mapped to what
// the puller is answered when nothing cached can stand in.
import type { RegistryContext } from '../context'
import { RegistryError } from '../errors'
import { UpstreamError, type UpstreamErrorKind, type UpstreamSource } from '../ports'

/**
 * Runs an upstream call with a signal that aborts it after `limits.upstreamTimeoutMs`, and rejects
 * with a `timeout` at that point even when the call ignores its signal: a puller never hangs.
 */
export async function callUpstream<T>(
  ctx: RegistryContext,
  source: UpstreamSource,
  call: (signal: AbortSignal) => Promise<T>,
  /** Releases what a call that ignored its signal delivers too late (e.g. a blob's open stream). */
  discardLate?: (late: T) => void,
): Promise<T> {
  const controller = new AbortController()
  const ms = ctx.limits.upstreamTimeoutMs
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new UpstreamError('timeout', `upstream ${source.name} did not answer within ${ms} ms`)
      controller.abort(error)
      reject(error)
    }, ms)
  })
  const answer = call(controller.signal)
  answer.then(
    (late) => controller.signal.aborted && discardLate?.(late),
    () => undefined,
  )
  try {
    return await Promise.race([answer.catch((error: unknown) => Promise.reject(asUpstreamError(error, source))), deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** Any failure of an upstream call as an `UpstreamError` (unknown errors are the upstream's). */
export function asUpstreamError(error: unknown, source: UpstreamSource): UpstreamError {
  if (error instanceof UpstreamError) return error
  return new UpstreamError('upstream_error', `upstream ${source.name} failed: ${error instanceof Error ? error.message : String(error)}`)
}

/** Failures that cached content may stand in for (a stale tag is better than no pull at all). */
export function isOutage(kind: UpstreamErrorKind): boolean {
  return kind !== 'not_found' && kind !== 'invalid'
}

/** `Warning` for content served because the upstream could not be asked (RFC 7234 5.5.1 and 5.5.2). */
export const STALE_WARNING = '110 - "Response is Stale", 111 - "Revalidation Failed"'

/** Logs an upstream failure as a countable event (`event: upstream.failure`); credentials refused are for the administrator. */
export function logUpstreamFailure(ctx: RegistryContext, source: UpstreamSource, error: UpstreamError, what: Record<string, unknown>): void {
  const entry = { event: 'upstream.failure', upstream: source.name, kind: error.kind, status: error.details.status, err: error.message, ...what }
  if (error.kind === 'unauthorized') ctx.logger.error(entry, `upstream ${source.name} refused this registry's credentials; check the registry endpoint`)
  else ctx.logger.warn(entry, `upstream ${source.name} failed (${error.kind})`)
}

/** What a puller is answered for an upstream failure when nothing cached stands in. */
export function upstreamFailureError(error: UpstreamError, source: UpstreamSource, notFound: () => RegistryError): RegistryError {
  const upstream = `upstream registry ${source.name}`
  switch (error.kind) {
    case 'not_found':
      return notFound()
    case 'rate_limited': {
      const retry = error.details.retryAfterSeconds
      return new RegistryError('TOOMANYREQUESTS', {
        message: `${upstream} is rate-limiting this cache; try again later`,
        headers: retry === undefined ? {} : { 'Retry-After': String(retry) },
      })
    }
    case 'timeout':
      return new RegistryError('UNAVAILABLE', { status: 504, message: `${upstream} did not answer in time` })
    case 'unreachable':
      return new RegistryError('UNAVAILABLE', { status: 502, message: `${upstream} is unreachable` })
    case 'unauthorized':
      // Not the puller's 401: their credentials are fine, the cache's are not.
      return new RegistryError('UNAVAILABLE', { status: 502, message: `${upstream} refused the cache's credentials; an administrator must check the registry endpoint` })
    case 'invalid':
      return new RegistryError('UNKNOWN', { status: 502, message: `${upstream} sent content that failed verification` })
    case 'upstream_error':
      return new RegistryError('UNKNOWN', { status: 502, message: `${upstream} failed${error.details.status ? ` (HTTP ${error.details.status})` : ''}` })
  }
}
