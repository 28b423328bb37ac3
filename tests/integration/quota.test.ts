// Storage quotas over HTTP (issue #13), on a server of this file's own (it changes system settings):
// the API (who may set a quota, validation, the figures, the audit log), /v2 refusing a blob and a
// manifest with DENIED "quota exceeded: <project> uses X of Y", and the QUOTA_WARNING and
// QUOTA_EXCEED webhooks in both payload formats.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient, type ApiClient, type ApiCredentials } from '../support/api'
import { startOwnServer, type OwnServerWithReceiver } from '../support/own-server'
import { MT, ociImage, randomBlob, randomId, registryClient, withDigest } from '../support/oci'

describe('storage quotas', () => {
  let own: OwnServerWithReceiver
  let api: ApiClient
  let admin: ApiCredentials
  let owner: ApiCredentials
  let project: string

  beforeAll(async () => {
    own = await startOwnServer({ receiver: true })
    api = apiClient(own.server.url)
    admin = own.admin
    owner = await api.signup('quota')
    project = `quota${randomId(6)}`
    expect((await api.post('/api/v1/projects', { name: project }, { auth: owner })).status).toBe(201)
  }, 300_000)
  afterAll(() => own?.dispose())

  const projectOf = async (name = project) => (await api.get(`/api/v1/projects/${name}`, { auth: admin })).json()

  it('lets only system administrators set a quota, validates it, shows the figures and audits the change', async () => {
    expect(await projectOf()).toMatchObject({ storageLimit: -1, storageUsed: 0 })
    const byOwner = await api.patch(`/api/v1/projects/${project}`, { storageLimit: 1000 }, { auth: owner })
    expect(byOwner.status, byOwner.describe()).toBe(403)
    for (const bad of [-2, 1.5, 'lots', null]) {
      const res = await api.patch(`/api/v1/projects/${project}`, { storageLimit: bad }, { auth: admin })
      expect(res.status, res.describe()).toBe(400)
      expect(res.json().errors[0].message).toMatch(/storageLimit/)
    }
    const set = await api.patch(`/api/v1/projects/${project}`, { storageLimit: 20_000 }, { auth: admin })
    expect(set.status, set.describe()).toBe(200)
    expect(set.json()).toMatchObject({ storageLimit: 20_000, storageUsed: 0 })
    const listed = (await api.get(`/api/v1/projects?q=${project}`, { auth: owner })).json()
    expect(listed.find((p: { name: string }) => p.name === project)).toMatchObject({ storageLimit: 20_000, storageUsed: 0 })
    const audit = (await api.get(`/api/v1/projects/${project}/audit-logs`, { auth: admin })).json()
    expect(audit).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'project.quota', detail: { storageLimit: 20_000, previous: -1 } })]))
  })

  it('refuses over /v2 a blob and a manifest that would pass the quota, with DENIED and the figures, and sends both webhook formats', async () => {
    const hook = async (format: string) => {
      const res = await api.post(
        `/api/v1/projects/${project}/webhooks`,
        { name: `q-${format}`, eventTypes: ['QUOTA_WARNING', 'QUOTA_EXCEED'], targetUrl: `${own.receiver.url}/${format}`, format },
        { auth: owner },
      )
      expect(res.status, res.describe()).toBe(201)
    }
    await hook('default')
    await hook('cloudevents')
    const registry = registryClient(own.server.url, owner)
    const repo = `${project}/app`
    // 20 000 bytes allowed: an image of 16 000 bytes of layers fits and crosses 85% with its manifest or config.
    const image = ociImage({ layers: 2, layerSize: 8000 })
    await registry.pushImage(repo, image, 'v1')
    const used = (await projectOf()).storageUsed
    expect(used).toBe(image.blobs.reduce((sum, b) => sum + b.size, 0) + image.manifest.content.length)
    const repos = (await api.get(`/api/v1/projects/${project}/repositories`, { auth: owner })).json()
    expect(repos[0]).toMatchObject({ name: repo, storageUsed: used })

    const big = randomBlob(20_000 - used + 1)
    const post = await registry.startUpload(repo)
    expect(post.status).toBe(202)
    const put = await registry.request('PUT', withDigest(post.header('location')!, big.digest), { headers: { 'content-type': MT.octetStream }, body: big.content })
    expect(put.status, put.describe()).toBe(403)
    const error = put.json().errors[0]
    expect(error.code).toBe('DENIED')
    expect(error.message).toMatch(new RegExp(`^quota exceeded: ${project} uses \\d+(\\.\\d)? KiB of 19\\.5 KiB`))
    expect((await registry.headBlob(repo, big.digest)).status).toBe(404)
    expect((await projectOf()).storageUsed).toBe(used)

    // The same image under another tag adds nothing.
    expect((await registry.putManifest(repo, 'again', image.manifest)).status).toBe(201)
    expect((await projectOf()).storageUsed).toBe(used)

    // A manifest's own bytes count: its blobs are in, then the project is full, then the manifest is refused.
    const small = ociImage({ layers: 1, layerSize: 10 })
    await registry.pushBlobs(repo, small.blobs)
    const full = (await projectOf()).storageUsed
    expect((await api.patch(`/api/v1/projects/${project}`, { storageLimit: full }, { auth: admin })).status).toBe(200)
    const manifest = await registry.putManifest(repo, 'v2', small.manifest)
    expect(manifest.status, manifest.describe()).toBe(403)
    expect(manifest.json().errors[0]).toMatchObject({ code: 'DENIED', message: expect.stringMatching(new RegExp(`^quota exceeded: ${project} uses `)) })
    expect((await registry.getManifest(repo, 'v2')).status).toBe(404)
    expect((await projectOf()).storageUsed).toBe(full)

    const warning = await own.receiver.waitForCount((r) => r.body.includes('QUOTA_WARNING') || r.body.includes('registry.quota.warning'), 2)
    const exceeded = await own.receiver.waitFor((r) => r.path === '/default' && r.body.includes('QUOTA_EXCEED') && JSON.parse(r.body).operator === '')
    const ce = await own.receiver.waitFor((r) => r.path === '/cloudevents' && r.body.includes('registry.quota.exceeded'))
    const defaultWarning = JSON.parse(warning.find((r) => r.path === '/default')!.body)
    expect(defaultWarning).toMatchObject({ type: 'QUOTA_WARNING', event_data: { repository: { repo_full_name: repo, namespace: project } } })
    expect(defaultWarning.event_data.custom_attributes).toMatchObject({ storage_limit: 20_000 })
    expect(defaultWarning.event_data.custom_attributes.details).toMatch(new RegExp(`^quota warning: ${project} uses`))
    expect(JSON.parse(exceeded.body).event_data.custom_attributes.details).toMatch(new RegExp(`^quota exceeded: ${project} uses`))
    expect(JSON.parse(exceeded.body).operator).toBe('') // a blob upload: the index is not told who pushes it
    const manifestRefused = await own.receiver.waitFor((r) => r.path === '/default' && r.body.includes('QUOTA_EXCEED') && JSON.parse(r.body).operator !== '')
    expect(JSON.parse(manifestRefused.body)).toMatchObject({ operator: owner.user, event_data: { resources: [{ digest: small.manifest.digest }] } })
    expect(ce.headers['content-type']).toMatch(/application\/cloudevents\+json/)
    expect(JSON.parse(ce.body).data.custom_attributes.details).toMatch(/^quota exceeded/)
  })

  it('gives new projects the defaultStorageLimit setting', async () => {
    const set = await api.put('/api/v1/settings', { defaultStorageLimit: 5 * 1024 * 1024, quotaWarningPercent: 90 }, { auth: admin })
    expect(set.status, set.describe()).toBe(200)
    expect(set.json()).toMatchObject({ defaultStorageLimit: 5 * 1024 * 1024, quotaWarningPercent: 90 })
    expect((await api.put('/api/v1/settings', { quotaWarningPercent: 0 }, { auth: admin })).status).toBe(400)
    const name = `dq${randomId(6)}`
    const created = await api.post('/api/v1/projects', { name }, { auth: owner })
    expect(created.status, created.describe()).toBe(201)
    expect(created.json()).toMatchObject({ storageLimit: 5 * 1024 * 1024, storageUsed: 0 })
    expect((await api.put('/api/v1/settings', { defaultStorageLimit: -1 }, { auth: admin })).json()).toMatchObject({ defaultStorageLimit: -1 })
  })
})
