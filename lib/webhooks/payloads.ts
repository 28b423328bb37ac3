// Webhook bodies in the two formats a policy can choose. `default` is Harbor's "Default" JSON, field
// for field, so receivers written for Harbor (CI plugins, Argo CD Image Updater, ...) work unchanged.
// `cloudevents` is CloudEvents 1.0 in structured JSON mode.
import type { WebhookEventType } from './event-types'
import { formatBytes, quotaExceededMessage, usedPercent } from '../quota/schema'

export type PayloadFormat = 'default' | 'cloudevents'

export interface WebhookEventData {
  /** Stable event id (uuid): the CloudEvents `id`, the same on every retry and redelivery. */
  id: string
  type: WebhookEventType
  occurredAt: Date
  /** Username, robot name, or 'anonymous'. */
  operator: string
  repository: {
    /** `project/name[/more]` */
    fullName: string
    /** The project: what comes before the first '/'. */
    namespace: string
    /** What comes after the first '/'. */
    name: string
    /** Null when the repository no longer exists (deleted with the event). */
    createdAt: Date | null
    public: boolean
  }
  resources: { digest: string; tag?: string; mediaType?: string; size?: number }[]
  /** Pulls of this artifact coalesced into this one PULL_ARTIFACT event; absent for other types. */
  pullCount?: number
  /** QUOTA_WARNING and QUOTA_EXCEED: the project's figures in bytes (usage after the change for a warning, before the refused one for an excess). */
  quota?: { used: number; limit: number; needed: number }
  /** TAG_RETENTION only: the run's summary (then `repository` is the project and `resources` is empty). */
  retention?: RetentionSummary
}

/** What a TAG_RETENTION event tells: a finished (not dry) retention run of a project. */
export interface RetentionSummary {
  runId: number
  project: string
  /** Artifacts the run looked at, and those it kept. */
  total: number
  retained: number
  result: 'SUCCESS' | 'FAILURE'
  deleted: { repository: string; digest: string; tags: string[] }[]
}

export interface RenderOptions {
  /** `host[:port]` as clients pull from it (no scheme), for `resource_url`. */
  registryHost: string
  /** The registry's public URL (PUBLIC_URL), the base of the CloudEvents `source`. */
  source: string
}

export interface RenderedPayload {
  contentType: string
  body: string
}

/** Harbor's `event_data.resources[]` entry, plus two optional fields Harbor does not send. */
interface ResourceJson {
  digest: string
  /** Harbor puts the reference here: the tag, or the digest when the artifact was addressed by digest. */
  tag: string
  /** `host/project/repo:tag` or `host/project/repo@digest`, ready for `docker pull`. */
  resource_url: string
  // Additions: JSON receivers (Harbor's own Go structs included) ignore unknown fields. The media
  // type tells an image from an index, a Helm chart or a signature, so CI can skip what it cannot
  // run; the size is what a DELETE_ARTIFACT freed (Harbor's docs list it, its payload omits it).
  media_type?: string
  size?: number
}

/** Harbor's `event_data.repository`. */
interface RepositoryJson {
  /** Unix seconds; omitted when unknown, as Harbor does for a repository deleted with the event. */
  date_created?: number
  name: string
  namespace: string
  repo_full_name: string
  repo_type: 'public' | 'private'
}

interface EventDataJson {
  resources: ResourceJson[]
  repository: RepositoryJson
  // Addition: several pulls of one artifact may be coalesced into one event; the count says how
  // many, so a receiver that counts pulls is not silently undercounted.
  pull_count?: number
  // Harbor's quota events describe themselves in `custom_attributes.details`; the figures are added.
  custom_attributes?: { details: string; storage_used: number; storage_limit: number; needed: number }
}

const CLOUDEVENTS_TYPES: Record<WebhookEventType, string> = {
  PUSH_ARTIFACT: 'registry.artifact.pushed',
  PULL_ARTIFACT: 'registry.artifact.pulled',
  DELETE_ARTIFACT: 'registry.artifact.deleted',
  DELETE_TAG: 'registry.tag.deleted',
  QUOTA_WARNING: 'registry.quota.warning',
  QUOTA_EXCEED: 'registry.quota.exceeded',
  TAG_RETENTION: 'registry.tag.retention',
  TEST: 'registry.webhook.test',
}

function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000)
}

function eventDataJson(event: WebhookEventData, registryHost: string): EventDataJson {
  const { repository } = event
  const resources = event.resources.map((resource): ResourceJson => {
    const reference = resource.tag ? `:${resource.tag}` : `@${resource.digest}`
    return {
      digest: resource.digest,
      tag: resource.tag ?? resource.digest,
      resource_url: `${registryHost}/${repository.fullName}${reference}`,
      ...(resource.mediaType !== undefined && { media_type: resource.mediaType }),
      ...(resource.size !== undefined && { size: resource.size }),
    }
  })
  return {
    resources,
    repository: {
      ...(repository.createdAt && { date_created: unixSeconds(repository.createdAt) }),
      name: repository.name,
      namespace: repository.namespace,
      repo_full_name: repository.fullName,
      repo_type: repository.public ? 'public' : 'private',
    },
    ...(event.pullCount !== undefined && { pull_count: event.pullCount }),
    ...(event.quota && { custom_attributes: quotaAttributes(event.type, repository.namespace, event.quota) }),
  }
}

function quotaAttributes(type: WebhookEventType, project: string, quota: NonNullable<WebhookEventData['quota']>): NonNullable<EventDataJson['custom_attributes']> {
  const details =
    type === 'QUOTA_EXCEED'
      ? quotaExceededMessage(project, quota.used, quota.limit, quota.needed)
      : `quota warning: ${project} uses ${formatBytes(quota.used)} of ${formatBytes(quota.limit)} (${Math.round(usedPercent(quota.used, quota.limit))}%)`
  return { details, storage_used: quota.used, storage_limit: quota.limit, needed: quota.needed }
}

/** Harbor's `event_data.retention` (field names as Harbor sends them; `retention_policy_id` is the run's id here). */
function retentionJson(summary: RetentionSummary, registryHost: string) {
  return {
    retention: {
      total: summary.total,
      retained: summary.retained,
      hostname: registryHost,
      project_name: summary.project,
      retention_policy_id: summary.runId,
      result: summary.result,
      deleted_artifact: summary.deleted.map((artifact) => ({
        type: 'artifact',
        name_space: summary.project,
        repository: artifact.repository.slice(summary.project.length + 1),
        tag: artifact.tags.join(','),
        digest: artifact.digest,
        status: 'SUCCESS',
      })),
    },
  }
}

function dataJson(event: WebhookEventData, registryHost: string) {
  return event.retention ? retentionJson(event.retention, registryHost) : eventDataJson(event, registryHost)
}

/** Harbor's Default format: `{ type, occur_at, operator, event_data: { resources, repository } }`. */
function renderDefault(event: WebhookEventData, options: RenderOptions): RenderedPayload {
  const body = {
    type: event.type,
    occur_at: unixSeconds(event.occurredAt),
    operator: event.operator,
    event_data: dataJson(event, options.registryHost),
  }
  return { contentType: 'application/json', body: JSON.stringify(body) }
}

/**
 * CloudEvents 1.0, structured JSON mode. `data` keeps Harbor's snake_case `event_data` shape (as
 * Harbor's own CloudEvents output does), so a receiver handles both formats with one parser; the
 * operator moves into `data` instead of Harbor's non-standard `operator` extension attribute.
 */
function renderCloudEvents(event: WebhookEventData, options: RenderOptions): RenderedPayload {
  const base = options.source.replace(/\/+$/, '')
  const body = {
    specversion: '1.0',
    id: event.id,
    // One source per project, a URI-reference receivers can filter on. (Harbor uses
    // /projects/<id>/webhook/policies/<id>; the project name reads better in a receiver's filter.)
    source: `${base}/projects/${encodeURIComponent(event.repository.namespace)}`,
    type: CLOUDEVENTS_TYPES[event.type],
    subject: event.repository.fullName,
    time: event.occurredAt.toISOString(),
    datacontenttype: 'application/json',
    data: { ...dataJson(event, options.registryHost), operator: event.operator },
  }
  return { contentType: 'application/cloudevents+json', body: JSON.stringify(body) }
}

export function renderPayload(format: PayloadFormat, event: WebhookEventData, options: RenderOptions): RenderedPayload {
  return format === 'cloudevents' ? renderCloudEvents(event, options) : renderDefault(event, options)
}
