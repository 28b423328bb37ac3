// Audit entries for what happens on /v2: pushes, pulls and deletes. The engine reports them to the
// event sink (lib/registry/event-sink.ts) after answering, so they are written in the sink's batches
// rather than one statement per request: pushes and deletes by RECORD_REGISTRY_AUDIT below, pulls in
// the pull counter's own statement, coalesced exactly as its PULL_ARTIFACT webhook events are (one
// entry per artifact and operator per batch, with the count and the tags pulled by). Like the pull
// counts, entries still pending when the process dies are lost (at most one flush interval).
// REST deletes are recorded by lib/artifacts in its own write path, with the same action names.
import type { RegistryEvent } from '@registry-core'
import { statement } from '../db/sql'

/** One /v2 push or delete, as the sink batches it. */
export interface RegistryAuditEntry {
  actor: string
  action: 'artifact.push' | 'artifact.delete' | 'tag.delete'
  resourceType: 'artifact' | 'tag'
  resource: string
  repository: string
  remoteAddress: string | null
  detail: Record<string, unknown>
  at: string
}

/**
 * SQL text: the head of a statement writing audit rows; the SELECT that follows yields at, actor,
 * action, resourceType, resource, projectId, remoteAddress, detail (success is always true here).
 */
export const INSERT_AUDIT_SQL = 'INSERT INTO "AuditLog" ("at", "actor", "action", "resourceType", "resource", "projectId", "remoteAddress", "detail")'

/** The audit entry a registry event makes, or null for the events that are not audited (pulls are counted apart, mounts not at all). */
export function registryAuditEntry(event: RegistryEvent): RegistryAuditEntry | null {
  const base = { actor: event.actor.name || 'anonymous', repository: event.repository, remoteAddress: event.remoteAddress ?? null, at: event.at.toISOString() }
  switch (event.type) {
    case 'manifest.pushed':
      return {
        ...base,
        action: 'artifact.push',
        resourceType: 'artifact',
        resource: event.tag === undefined ? `${event.repository}@${event.digest}` : `${event.repository}:${event.tag}`,
        detail: { digest: event.digest, ...(event.tag === undefined ? {} : { tag: event.tag }), mediaType: event.mediaType ?? null, size: event.size ?? null },
      }
    case 'manifest.deleted':
      return { ...base, action: 'artifact.delete', resourceType: 'artifact', resource: `${event.repository}@${event.digest}`, detail: { tags: [] } }
    case 'tag.deleted':
      return { ...base, action: 'tag.delete', resourceType: 'tag', resource: `${event.repository}:${event.tag ?? ''}`, detail: { digest: event.digest } }
    default:
      return null
  }
}

/**
 * The engine reports a manifest delete, then each of its tags: such a tag is listed in that delete's
 * entry `last` (as the REST delete lists them) instead of making an entry of its own. Whether it was.
 */
export function foldTag(last: RegistryAuditEntry | undefined, event: RegistryEvent): boolean {
  if (event.type !== 'tag.deleted' || last?.action !== 'artifact.delete' || event.tag === undefined) return false
  if (last.resource !== `${event.repository}@${event.digest}` || last.at !== event.at.toISOString()) return false
  last.detail = { ...last.detail, tags: [...(last.detail.tags as string[]), event.tag] }
  return true
}

/**
 * $1: a JSON array of RegistryAuditEntry, each with its position `n`, written in that order. The project is the repository's, or the
 * project its name starts with when the repository is already gone.
 */
export const RECORD_REGISTRY_AUDIT = statement(
  'registry_record_audit',
  `WITH input AS (
     SELECT * FROM jsonb_to_recordset($1::jsonb)
       AS i("actor" text, "action" text, "resourceType" text, "resource" text, "repository" text, "remoteAddress" text, "detail" jsonb, "at" timestamptz, "n" bigint)
   )
   ${INSERT_AUDIT_SQL}
   SELECT i."at", i."actor", i."action", i."resourceType", i."resource", COALESCE(r."projectId", p."id"), i."remoteAddress", i."detail"
     FROM input i
     LEFT JOIN "Repository" r ON r."name" = i."repository"
     LEFT JOIN "Project" p ON p."name" = split_part(i."repository", '/', 1)
    ORDER BY i."n"`,
)
