// Shared display formatting for the dashboard: relative times (with the exact time for hovering),
// sizes in human units, short digests, and the registry host used in docker commands.
import type { ArtifactView } from '@/lib/artifacts/schema'

const exactFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' })

function toDate(value: string | number | Date | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null
  const date = value instanceof Date ? value : new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}

/** "3 minutes ago", "in 2 days", "just now"; `fallback` when missing. */
export function relativeTime(value: string | number | Date | null | undefined, now: number = Date.now(), fallback = 'Never'): string {
  const date = toDate(value)
  if (!date) return fallback
  const seconds = Math.round((date.getTime() - now) / 1000)
  const abs = Math.abs(seconds)
  if (abs < 45) return 'just now'
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['minute', 60],
    ['hour', 3600],
    ['day', 86400],
    ['month', 2592000],
    ['year', 31536000],
  ]
  let unit: Intl.RelativeTimeFormatUnit = 'minute'
  let size = 60
  for (const [name, secs] of units) {
    if (abs >= secs * 0.75 || name === 'minute') {
      unit = name
      size = secs
    }
  }
  return new Intl.RelativeTimeFormat('en', { numeric: 'auto' }).format(Math.round(seconds / size), unit)
}

/** The exact time, in UTC, for a title attribute. */
export function exactTime(value: string | number | Date | null | undefined): string | undefined {
  const date = toDate(value)
  return date ? `${exactFormat.format(date)} UTC` : undefined
}

export { formatBytes } from '@/lib/quota/schema'

/** sha256:0123456789ab (12 hex characters). */
export function shortDigest(digest: string | null | undefined, length = 12): string {
  if (!digest) return '—'
  const [algorithm, hex] = digest.includes(':') ? digest.split(':', 2) : ['', digest]
  return algorithm ? `${algorithm}:${hex.slice(0, length)}` : hex.slice(0, length)
}

/** Plain text from a Markdown-lite description, shortened for tables and search results. */
export function excerpt(text: string | null | undefined, length = 120): string {
  const plain = (text ?? '')
    .replace(/```[\s\S]*?(```|$)/g, ' ')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/^\s*(#{1,6}|[-*+]|\d+[.)])\s+/gm, '')
    .replace(/[`*_]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
  return plain.length > length ? `${plain.slice(0, length - 1)}…` : plain
}

/** 1234 → "1,234". */
export function formatCount(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toLocaleString('en-US') : '0'
}

export interface Platform {
  os?: string | null
  architecture?: string | null
  variant?: string | null
}

export const KIND_LABELS: Record<ArtifactView['kind'], string> = { image: 'Image', index: 'Index', artifact: 'Artifact' }

/** linux/arm64/v8 */
export function formatPlatform(platform: Platform | null | undefined): string {
  if (!platform) return '—'
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/') || '—'
}

/** Path segments of a repository name (slashes kept), each URL-encoded, for dashboard links. */
export function repositoryPath(project: string, repository: string): string {
  return `/projects/${encodeURIComponent(project)}/repositories/${repository.split('/').map(encodeURIComponent).join('/')}`
}

/** The repository name relative to its project (the API may return `project/name`). */
export function shortRepositoryName(project: string, name: string): string {
  return name.startsWith(`${project}/`) ? name.slice(project.length + 1) : name
}

/** The API path of a repository (its name relative to the project, URL-encoded with %2F). */
export function repositoryApi(project: string, repository: string): string {
  return `/api/v1/projects/${encodeURIComponent(project)}/repositories/${encodeURIComponent(repository)}`
}

/** The dashboard page of an artifact. */
export function artifactPath(project: string, repository: string, digest: string): string {
  return `${repositoryPath(project, repository)}/artifacts/${encodeURIComponent(digest)}`
}

/** The API path of an artifact. */
export function artifactApi(project: string, repository: string, digest: string): string {
  return `${repositoryApi(project, repository)}/artifacts/${encodeURIComponent(digest)}`
}

/** Counts with their nouns ("1 repository", "2 repositories"): one helper for the dashboard and the API's messages. */
export { countOf, nounFor, pluralNoun } from '../lib/plural'
