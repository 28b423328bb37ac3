import { describe, expect, it } from 'vitest'
import type { WebhookEventType } from '../../lib/webhooks/event-types'
import { renderPayload, type WebhookEventData } from '../../lib/webhooks/payloads'

const digest = 'sha256:dde8e930c7b6a490f728e66292bc9bce42efc9bbb5278bae40e4f30f6e00fe8c'
const options = { registryHost: 'registry.example.com:5000', source: 'https://registry.example.com/' }

function event(overrides: Partial<WebhookEventData> = {}): WebhookEventData {
  return {
    id: '4b2f89a6-548d-4c12-9993-a1f5790b97d2',
    type: 'PUSH_ARTIFACT',
    occurredAt: new Date('2023-03-06T06:08:43.512Z'),
    operator: 'alice',
    repository: {
      fullName: 'library/tools/busybox',
      namespace: 'library',
      name: 'tools/busybox',
      createdAt: new Date('2023-02-22T08:06:05.900Z'),
      public: true,
    },
    resources: [{ digest, tag: 'v1' }],
    ...overrides,
  }
}

const types: WebhookEventType[] = ['PUSH_ARTIFACT', 'PULL_ARTIFACT', 'DELETE_ARTIFACT', 'DELETE_TAG', 'TEST']

describe('default (Harbor) format', () => {
  it('renders a tagged push exactly as Harbor does', () => {
    const { contentType, body } = renderPayload('default', event(), options)
    expect(contentType).toBe('application/json')
    // Key order too: a byte-for-byte match of Harbor's Go struct field order.
    expect(body).toBe(
      JSON.stringify({
        type: 'PUSH_ARTIFACT',
        occur_at: 1678082923,
        operator: 'alice',
        event_data: {
          resources: [{ digest, tag: 'v1', resource_url: `registry.example.com:5000/library/tools/busybox:v1` }],
          repository: {
            date_created: 1677053165,
            name: 'tools/busybox',
            namespace: 'library',
            repo_full_name: 'library/tools/busybox',
            repo_type: 'public',
          },
        },
      }),
    )
  })

  it('puts the digest in `tag` and an @digest resource_url when there is no tag, as Harbor does', () => {
    const body = JSON.parse(renderPayload('default', event({ type: 'PULL_ARTIFACT', resources: [{ digest }], pullCount: 3 }), options).body)
    expect(body.event_data.resources).toEqual([{ digest, tag: digest, resource_url: `registry.example.com:5000/library/tools/busybox@${digest}` }])
    expect(body.event_data.pull_count).toBe(3)
  })

  it('omits date_created for a repository that no longer exists, and marks private repositories', () => {
    const repository = { ...event().repository, createdAt: null, public: false }
    const body = JSON.parse(renderPayload('default', event({ type: 'DELETE_ARTIFACT', repository }), options).body)
    expect(body.event_data.repository).toEqual({
      name: 'tools/busybox',
      namespace: 'library',
      repo_full_name: 'library/tools/busybox',
      repo_type: 'private',
    })
  })

  it('adds media_type and size only when known', () => {
    const resources = [{ digest, tag: 'v1', mediaType: 'application/vnd.oci.image.index.v1+json', size: 1234 }]
    const body = JSON.parse(renderPayload('default', event({ type: 'DELETE_ARTIFACT', resources }), options).body)
    expect(body.event_data.resources[0]).toEqual({
      digest,
      tag: 'v1',
      resource_url: 'registry.example.com:5000/library/tools/busybox:v1',
      media_type: 'application/vnd.oci.image.index.v1+json',
      size: 1234,
    })
    expect(body.event_data).not.toHaveProperty('pull_count')
  })

  it.each(types)('renders %s with Harbor field names', (type) => {
    const body = JSON.parse(renderPayload('default', event({ type }), options).body)
    expect(Object.keys(body)).toEqual(['type', 'occur_at', 'operator', 'event_data'])
    expect(body.type).toBe(type)
    expect(body.occur_at).toBe(1678082923)
    expect(Object.keys(body.event_data)).toEqual(['resources', 'repository'])
    expect(Object.keys(body.event_data.resources[0])).toEqual(['digest', 'tag', 'resource_url'])
    expect(Object.keys(body.event_data.repository)).toEqual(['date_created', 'name', 'namespace', 'repo_full_name', 'repo_type'])
  })

  it('renders a deleted tag with the tag in resource_url', () => {
    const body = JSON.parse(renderPayload('default', event({ type: 'DELETE_TAG', resources: [{ digest, tag: 'old' }] }), options).body)
    expect(body.event_data.resources[0]).toMatchObject({ tag: 'old', resource_url: 'registry.example.com:5000/library/tools/busybox:old' })
  })
})

describe('quota events', () => {
  const quota = { used: 9 * 1024 * 1024, limit: 10 * 1024 * 1024, needed: 512 }

  it.each(['default', 'cloudevents'] as const)('%s carries the figures and a readable detail in custom_attributes', (format) => {
    const body = JSON.parse(renderPayload(format, event({ type: 'QUOTA_WARNING', resources: [{ digest, size: 512 }], quota }), options).body)
    const data = format === 'default' ? body.event_data : body.data
    expect(data.custom_attributes).toEqual({
      details: 'quota warning: library uses 9.0 MiB of 10.0 MiB (90%)',
      storage_used: quota.used,
      storage_limit: quota.limit,
      needed: 512,
    })
  })

  it('words a QUOTA_EXCEED as the DENIED message the pusher saw', () => {
    const body = JSON.parse(renderPayload('default', event({ type: 'QUOTA_EXCEED', resources: [{ digest, size: 512 }], quota }), options).body)
    expect(body.event_data.custom_attributes.details).toBe('quota exceeded: library uses 9.0 MiB of 10.0 MiB (adding 512 B would pass it)')
  })
})

describe('cloudevents format', () => {
  const ceTypes: Record<WebhookEventType, string> = {
    PUSH_ARTIFACT: 'registry.artifact.pushed',
    PULL_ARTIFACT: 'registry.artifact.pulled',
    DELETE_ARTIFACT: 'registry.artifact.deleted',
    DELETE_TAG: 'registry.tag.deleted',
    QUOTA_WARNING: 'registry.quota.warning',
    QUOTA_EXCEED: 'registry.quota.exceeded',
    TAG_RETENTION: 'registry.tag.retention',
    TEST: 'registry.webhook.test',
  }

  it.each(types)('renders %s as a structured-mode CloudEvent', (type) => {
    const { contentType, body } = renderPayload('cloudevents', event({ type }), options)
    expect(contentType).toBe('application/cloudevents+json')
    const ce = JSON.parse(body)
    expect(ce).toMatchObject({
      specversion: '1.0',
      id: '4b2f89a6-548d-4c12-9993-a1f5790b97d2',
      source: 'https://registry.example.com/projects/library',
      type: ceTypes[type],
      subject: 'library/tools/busybox',
      time: '2023-03-06T06:08:43.512Z',
      datacontenttype: 'application/json',
    })
    // RFC 3339 date-time, which Date#toISOString produces.
    expect(ce.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/)
    // Context attribute names must be lower-case letters and digits (CloudEvents 1.0, section 3.1.1).
    for (const name of Object.keys(ce)) expect(name).toMatch(/^[a-z0-9]+$/)
  })

  it('carries the Harbor event_data shape plus the operator in data', () => {
    const ce = JSON.parse(renderPayload('cloudevents', event({ type: 'PULL_ARTIFACT', resources: [{ digest }], pullCount: 2 }), options).body)
    expect(ce.data).toEqual({
      resources: [{ digest, tag: digest, resource_url: `registry.example.com:5000/library/tools/busybox@${digest}` }],
      repository: {
        date_created: 1677053165,
        name: 'tools/busybox',
        namespace: 'library',
        repo_full_name: 'library/tools/busybox',
        repo_type: 'public',
      },
      pull_count: 2,
      operator: 'alice',
    })
  })

  it('uses a relative source when no public URL is known', () => {
    const ce = JSON.parse(renderPayload('cloudevents', event(), { ...options, source: '' }).body)
    expect(ce.source).toBe('/projects/library')
  })
})

describe('ids', () => {
  it('renders the same event to the same bytes every time, so every retry sends the same body and id', () => {
    for (const format of ['default', 'cloudevents'] as const) {
      const first = renderPayload(format, event(), options)
      const again = renderPayload(format, structuredClone(event()), options)
      expect(again).toEqual(first)
    }
    expect(JSON.parse(renderPayload('cloudevents', event({ id: 'other-id' }), options).body).id).toBe('other-id')
  })
})

describe('TAG_RETENTION', () => {
  const retention = {
    runId: 12,
    project: 'library',
    total: 3,
    retained: 2,
    result: 'SUCCESS' as const,
    deleted: [{ repository: 'library/tools/busybox', digest, tags: ['old', 'older'] }],
  }
  const retentionEvent = event({ type: 'TAG_RETENTION', operator: 'retention', resources: [], retention })
  const harborRetention = {
    retention: {
      total: 3,
      retained: 2,
      hostname: 'registry.example.com:5000',
      project_name: 'library',
      retention_policy_id: 12,
      result: 'SUCCESS',
      deleted_artifact: [{ type: 'artifact', name_space: 'library', repository: 'tools/busybox', tag: 'old,older', digest, status: 'SUCCESS' }],
    },
  }

  it("renders the run's summary as Harbor's event_data.retention", () => {
    const body = JSON.parse(renderPayload('default', retentionEvent, options).body)
    expect(body).toEqual({ type: 'TAG_RETENTION', occur_at: 1678082923, operator: 'retention', event_data: harborRetention })
  })

  it('renders the same summary as CloudEvents data', () => {
    const ce = JSON.parse(renderPayload('cloudevents', retentionEvent, options).body)
    expect(ce.type).toBe('registry.tag.retention')
    expect(ce.data).toEqual({ ...harborRetention, operator: 'retention' })
  })
})
