// Tag immutability and tag retention over HTTP against the running server: immutability on /v2
// (re-pointing push, delete by tag, delete by digest) and on the REST API; who may manage rules;
// retention's dry run equal to the real run, nothing immutable deleted, the TAG_RETENTION webhook.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registryUnderTest } from '../support/context'
import { apiClient, type ApiCredentials } from '../support/api'
import { ociImage, ociIndex, randomId, registryClient } from '../support/oci'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver'

const reg = registryUnderTest()
const api = apiClient(reg.url)
const ours = reg.flavour === 'ours'

describe.runIf(ours)('tag immutability and retention', () => {
  let owner: ApiCredentials
  let maintainer: ApiCredentials
  let developer: ApiCredentials
  let project: string
  let receiver: WebhookReceiver | undefined
  const v2 = () => registryClient(reg.url, owner)

  beforeAll(async () => {
    owner = await api.signup('rown')
    maintainer = await api.signup('rmnt')
    developer = await api.signup('rdev')
    project = `rules${randomId(8)}`
    expect((await api.post('/api/v1/projects', { name: project, public: false }, { auth: owner })).status).toBe(201)
    for (const [who, role] of [
      [maintainer, 'maintainer'],
      [developer, 'developer'],
    ] as const) {
      expect((await api.post(`/api/v1/projects/${project}/members`, { username: who.user, role }, { auth: owner })).status).toBe(201)
    }
  })
  afterAll(async () => {
    await receiver?.close()
  })

  it('immutable rules: admins and maintainers manage them, developers may not; bad globs are 400', async () => {
    const base = `/api/v1/projects/${project}/immutable-rules`
    expect((await api.post(base, { repositories: '**', tags: 'x' }, { auth: developer })).status).toBe(403)
    expect((await api.get(base, { auth: developer })).status).toBe(403)
    const bad = await api.post(base, { repositories: '{a', tags: 'v*' }, { auth: owner })
    expect(bad.status, bad.describe()).toBe(400)
    const created = await api.post(base, { repositories: 'tmp/**', tags: 'x*' }, { auth: maintainer })
    expect(created.status, created.describe()).toBe(201)
    expect(created.json()).toMatchObject({ repositories: 'tmp/**', tags: 'x*', enabled: true })
    const id = created.json().id
    expect(created.header('location')).toMatch(new RegExp(`/api/v1/projects/${project}/immutable-rules/${id}$`))
    const disabled = await api.patch(`${base}/${id}`, { enabled: false }, { auth: owner })
    expect(disabled.status, disabled.describe()).toBe(200)
    expect(disabled.json().enabled).toBe(false)
    expect((await api.get(base, { auth: maintainer })).json().map((r: { id: number }) => r.id)).toContain(id)
    expect((await api.delete(`${base}/${id}`, { auth: owner })).status).toBe(204)
    expect((await api.delete(`${base}/${id}`, { auth: owner })).status).toBe(404)
  })

  it('an immutable tag cannot be re-pointed, deleted by tag or by digest on /v2, nor through the REST API', async () => {
    const rule = await api.post(`/api/v1/projects/${project}/immutable-rules`, { repositories: 'locked/*', tags: 'v*' }, { auth: owner })
    expect(rule.status, rule.describe()).toBe(201)
    const ruleText = `rule ${rule.json().id}: repositories "locked/*", tags "v*"`
    const repo = `${project}/locked/app`
    const first = ociImage()
    const second = ociImage()
    expect((await v2().pushImage(repo, first, 'v1')).status).toBe(201)
    // the same digest again is fine; another digest is DENIED
    expect((await v2().putManifest(repo, 'v1', first.manifest)).status).toBe(201)
    await v2().pushImage(repo, second)
    const repoint = await v2().putManifest(repo, 'v1', second.manifest)
    expect(repoint.status, repoint.describe()).toBe(403)
    expect(repoint.errors()?.[0]).toMatchObject({ code: 'DENIED', message: `tag v1 is immutable (${ruleText})` })
    // new tags matching the rule can still be pushed
    expect((await v2().putManifest(repo, 'v2', second.manifest)).status).toBe(201)

    const byTag = await v2().deleteManifest(repo, 'v1')
    expect(byTag.status, byTag.describe()).toBe(403)
    expect(byTag.errors()?.[0].code).toBe('DENIED')
    const byDigest = await v2().deleteManifest(repo, first.manifest.digest)
    expect(byDigest.status, byDigest.describe()).toBe(403)
    expect(byDigest.errors()?.[0].message).toBe(`tag v1 is immutable (${ruleText})`)

    const rest = `/api/v1/projects/${project}/repositories/${encodeURIComponent('locked/app')}/artifacts`
    const restDelete = await api.delete(`${rest}/${first.manifest.digest}`, { auth: owner })
    expect(restDelete.status, restDelete.describe()).toBe(403)
    expect(restDelete.json().errors[0]).toMatchObject({ code: 'DENIED', message: `tag v1 is immutable (${ruleText})` })
    const restTagDelete = await api.delete(`${rest}/v1/tags/v1`, { auth: owner })
    expect(restTagDelete.status, restTagDelete.describe()).toBe(403)
    expect((await v2().getManifest(repo, 'v1')).header('docker-content-digest')).toBe(first.manifest.digest)

    // the tag view carries the lock
    const listed = await api.get(rest, { auth: owner })
    const tags = listed.json().flatMap((a: { tags: { name: string; immutable: boolean }[] }) => a.tags)
    expect(tags.find((t: { name: string }) => t.name === 'v1')).toMatchObject({ immutable: true })
    // a repository the rule does not match is free
    const free = `${project}/free`
    await v2().pushImage(free, first, 'v1')
    expect((await v2().deleteManifest(free, 'v1')).status).toBe(202)
  })

  it('retention: the dry run lists what the real run deletes; immutable and index children stay; TAG_RETENTION is delivered', async () => {
    receiver = await startWebhookReceiver()
    const hook = await api.post(
      `/api/v1/projects/${project}/webhooks`,
      { name: `ret-${randomId(6)}`, eventTypes: ['TAG_RETENTION'], targetUrl: receiver.url, format: 'default' },
      { auth: owner },
    )
    expect(hook.status, hook.describe()).toBe(201)
    const repo = `${project}/ret/app`
    const a = ociImage()
    const b = ociImage()
    const c = ociImage()
    const child = ociImage()
    await v2().pushImage(repo, a, 'v1') // immutable: the rule of the test above covers locked/* only, so add one
    await v2().pushImage(repo, b, 'dev-1')
    await v2().pushImage(repo, c, 'dev-2')
    await v2().pushImage(repo, child)
    const multi = ociIndex({ manifests: [child.manifest.descriptor({ platform: { os: 'linux', architecture: 'amd64' } })] })
    expect((await v2().putManifest(repo, 'release', multi)).status).toBe(201)
    expect((await api.post(`/api/v1/projects/${project}/immutable-rules`, { repositories: 'ret/*', tags: 'v1' }, { auth: owner })).status).toBe(201)

    const policyPath = `/api/v1/projects/${project}/retention`
    expect((await api.put(policyPath, { rules: [{ template: 'always' }] }, { auth: developer })).status).toBe(403)
    const badCron = await api.put(policyPath, { rules: [], schedule: 'every tuesday' }, { auth: owner })
    expect(badCron.status, badCron.describe()).toBe(400)
    const saved = await api.put(policyPath, { rules: [{ template: 'always', repositories: 'ret/*', tags: 'release' }], schedule: '0 3 * * *' }, { auth: maintainer })
    expect(saved.status, saved.describe()).toBe(200)
    expect(saved.json()).toMatchObject({
      schedule: '0 3 * * *',
      rules: [{ template: 'always', n: null, repositories: 'ret/*', tags: 'release', untagged: false, disabled: false }],
    })

    const run = async (dryRun: boolean) => {
      const started = await api.post(`${policyPath}/runs`, { dryRun }, { auth: maintainer })
      expect(started.status, started.describe()).toBe(202)
      const id = started.json().id
      for (let i = 0; i < 100; i++) {
        const res = await api.get(`${policyPath}/runs/${id}`, { auth: maintainer })
        if (res.json().status !== 'running') return res.json()
        await new Promise((r) => setTimeout(r, 100))
      }
      throw new Error(`retention run ${id} did not finish`)
    }
    const dry = await run(true)
    expect(dry).toMatchObject({ status: 'succeeded', dryRun: true, deleted: 2, retained: 3 })
    const digests = (list: { digest: string }[]) => list.map((x) => x.digest).sort()
    expect(digests(dry.repositories[0].deleted)).toEqual([b.manifest.digest, c.manifest.digest].sort())
    expect((await v2().getManifest(repo, 'dev-1')).status).toBe(200)

    const real = await run(false)
    expect(real).toMatchObject({ status: 'succeeded', dryRun: false, deleted: 2, retained: 3 })
    expect(digests(real.repositories[0].deleted)).toEqual(digests(dry.repositories[0].deleted))
    expect(digests(real.repositories[0].retained)).toEqual(digests(dry.repositories[0].retained))
    expect((await v2().getManifest(repo, 'dev-1')).status).toBe(404)
    expect((await v2().getManifest(repo, 'v1')).status).toBe(200)
    expect((await v2().getManifest(repo, child.manifest.digest)).status).toBe(200)

    const delivered = await receiver.waitFor((r) => r.event === 'TAG_RETENTION', 20_000)
    const body = delivered.json()
    expect(body).toMatchObject({ type: 'TAG_RETENTION', operator: maintainer.user, event_data: { retention: { project_name: project, total: 5, retained: 3, result: 'SUCCESS' } } })
    expect(body.event_data.retention.deleted_artifact.map((d: { digest: string }) => d.digest).sort()).toEqual(digests(real.repositories[0].deleted))

    const history = await api.get(`${policyPath}/runs`, { auth: owner })
    expect(history.status).toBe(200)
    expect(history.json().map((r: { id: number }) => r.id)).toEqual([real.id, dry.id])
    const audit = await api.get(`/api/v1/projects/${project}/audit-logs?action=retention.run`, { auth: owner })
    expect(audit.json().length).toBe(2)
  })
})
