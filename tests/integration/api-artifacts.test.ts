// /api/v1 repositories (one), artifacts, tags and search, over HTTP against the running server.
// Writes through the API must be what /v2 serves at once (one index, one shared manifest cache).
import { beforeAll, describe, expect, it } from 'vitest'
import { registryUnderTest } from '../support/context'
import { apiClient, type ApiCredentials } from '../support/api'
import { MT, ociArtifact, ociImage, ociIndex, randomId, registryClient, type Image, type Manifest } from '../support/oci'

const reg = registryUnderTest()
const api = apiClient(reg.url)
const admin: ApiCredentials = { user: reg.user, password: reg.password }
const ours = reg.flavour === 'ours'

describe.runIf(ours)('artifacts API', () => {
  let owner: ApiCredentials
  let dev: ApiCredentials
  let guest: ApiCredentials
  let outsider: ApiCredentials
  let project: string
  let short: string
  let full: string
  let base: string
  let amd: Image
  let arm: Image
  let untagged: Image
  let index: Manifest
  let signature: ReturnType<typeof ociArtifact>

  const v2 = () => registryClient(reg.url, owner)
  const tagsOnV2 = async () => ((await v2().tags(full)).json() as { tags: string[] | null }).tags ?? []

  beforeAll(async () => {
    owner = await api.signup('aown')
    dev = await api.signup('adev')
    guest = await api.signup('agst')
    outsider = await api.signup('aout')
    project = `art${randomId(8)}`
    expect((await api.post('/api/v1/projects', { name: project, public: false }, { auth: owner })).status).toBe(201)
    for (const [who, role] of [
      [dev, 'developer'],
      [guest, 'guest'],
    ] as const) {
      const res = await api.post(`/api/v1/projects/${project}/members`, { username: who.user, role }, { auth: owner })
      expect(res.status, res.describe()).toBe(201)
    }
    short = `team/findme-${randomId(6)}`
    full = `${project}/${short}`
    base = `/api/v1/projects/${project}/repositories/${encodeURIComponent(short)}`

    const client = v2()
    amd = ociImage({ platform: { os: 'linux', architecture: 'amd64' } })
    arm = ociImage({ platform: { os: 'linux', architecture: 'arm64' } })
    untagged = ociImage({ platform: { os: 'linux', architecture: 'amd64' } })
    await client.pushImage(full, amd, 'v1')
    expect((await client.putManifest(full, 'latest', amd.manifest)).status).toBe(201)
    await client.pushImage(full, arm, 'v2')
    await client.pushImage(full, untagged)
    index = ociIndex({
      manifests: [
        amd.manifest.descriptor({ platform: { os: 'linux', architecture: 'amd64' } }),
        arm.manifest.descriptor({ platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }),
      ],
    })
    expect((await client.putManifest(full, 'multi', index)).status).toBe(201)
    signature = ociArtifact({ artifactType: 'application/vnd.example.signature', subject: amd.manifest.descriptor() })
    await client.pushImage(full, signature)
  })

  it('repository: get, patch description (push needed), list with counts, q filter', async () => {
    const res = await api.get(base, { auth: guest })
    expect(res.status, res.describe()).toBe(200)
    expect(res.json()).toMatchObject({ name: full, projectName: project, description: '', artifactCount: 5, pullCount: expect.any(Number) })
    expect(res.json().lastPushedAt).toBeTruthy()

    const markdown = '# Find me\n\nSome *Markdown*.'
    expect((await api.patch(base, { description: markdown }, { auth: guest })).status).toBe(403)
    const patched = await api.patch(base, { description: markdown }, { auth: dev })
    expect(patched.status, patched.describe()).toBe(200)
    expect(patched.json().description).toBe(markdown)
    expect((await api.patch(base, { description: 1 }, { auth: owner })).status).toBe(400)

    const list = await api.get(`/api/v1/projects/${project}/repositories?q=findme`, { auth: guest })
    expect(list.status).toBe(200)
    expect(list.json()).toEqual([expect.objectContaining({ name: full, description: markdown, artifactCount: 5 })])
    expect(list.header('x-total-count')).toBe('1')
    expect((await api.get(`/api/v1/projects/${project}/repositories?q=nothing-like-this`, { auth: guest })).json()).toEqual([])
    // `_` and `%` are literal characters of a name, not LIKE wildcards.
    for (const q of ['find_e', '%', 'team%findme']) {
      expect((await api.get(`/api/v1/projects/${project}/repositories?q=${encodeURIComponent(q)}`, { auth: guest })).json(), q).toEqual([])
    }
    expect((await api.get(`/api/v1/projects?q=${encodeURIComponent(project.slice(0, 6) + '_')}`, { auth: owner })).json()).toEqual([])

    expect((await api.get(`/api/v1/projects/${project}/repositories/${encodeURIComponent('team/missing')}`, { auth: owner })).status).toBe(404)
    expect((await api.get(base, { auth: outsider })).status).toBe(404)
    expect((await api.get(base)).status).toBe(401)
  })

  it('repository description: one limit, 64 KiB of UTF-8, when created and when changed', async () => {
    const longest = 'é'.repeat(32 * 1024) // 65,536 bytes of UTF-8
    const escaped = '\u0001'.repeat(64 * 1024) // 65,536 bytes, six times that in the JSON body
    const repositories = `/api/v1/projects/${project}/repositories`
    const name = `described-${randomId(6)}`
    for (const description of [longest, escaped]) {
      const res = await api.post(repositories, { name: `${name}-${description.length}`, description }, { auth: dev })
      expect(res.status, res.describe()).toBe(201)
      expect(res.json().description).toBe(description)
    }
    const tooLong = await api.post(repositories, { name: `${name}-long`, description: longest + 'x' }, { auth: dev })
    expect(tooLong.status, tooLong.describe()).toBe(400)
    expect(tooLong.json().errors[0].message).toBe('description must be at most 64 KiB of UTF-8')

    const one = `${repositories}/${name}-${longest.length}`
    expect((await api.patch(one, { description: escaped }, { auth: dev })).status).toBe(200)
    expect((await api.patch(one, { description: longest }, { auth: dev })).status).toBe(200)
    const tooLongPatch = await api.patch(one, { description: longest + 'x' }, { auth: dev })
    expect(tooLongPatch.status).toBe(400)
    expect(tooLongPatch.json().errors[0].message).toBe(tooLong.json().errors[0].message)
    for (const description of [longest, escaped]) expect((await api.delete(`${repositories}/${name}-${description.length}`, { auth: owner })).status).toBe(204)
  })

  it('artifacts: list newest first with kind, platforms, tags, size and referrers', async () => {
    const res = await api.get(`${base}/artifacts?page_size=100`, { auth: guest })
    expect(res.status, res.describe()).toBe(200)
    expect(res.header('x-total-count')).toBe('5')
    const items = res.json<any[]>()
    expect(items.map((a) => a.digest)).toEqual([signature.manifest.digest, index.digest, untagged.manifest.digest, arm.manifest.digest, amd.manifest.digest])
    const byDigest = new Map(items.map((a) => [a.digest, a]))
    const a = byDigest.get(amd.manifest.digest)
    expect(a).toMatchObject({
      mediaType: MT.ociManifest,
      artifactType: MT.ociConfig,
      kind: 'image',
      platforms: [{ os: 'linux', architecture: 'amd64' }],
      pullCount: expect.any(Number),
      referrers: [{ digest: signature.manifest.digest, artifactType: 'application/vnd.example.signature' }],
    })
    expect(a.tags.map((t: { name: string }) => t.name)).toEqual(['latest', 'v1'])
    expect(a.tagCount).toBe(2)
    expect(a.size).toBe(amd.manifest.size + amd.blobs.reduce((s, b) => s + b.size, 0))
    expect(byDigest.get(index.digest)).toMatchObject({
      kind: 'index',
      tags: [{ name: 'multi', pushedAt: expect.any(String), checkedUpstreamAt: null, immutable: false }],
      tagCount: 1,
      platforms: expect.arrayContaining([
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ]),
    })
    expect(byDigest.get(signature.manifest.digest)).toMatchObject({ kind: 'artifact', artifactType: 'application/vnd.example.signature', tags: [], tagCount: 0 })
  })

  it('artifacts: filters by tag substring and tagged, paginates with X-Total-Count and Link', async () => {
    const byTag = await api.get(`${base}/artifacts?tag=v`, { auth: guest })
    expect(byTag.json<any[]>().map((a) => a.digest)).toEqual([arm.manifest.digest, amd.manifest.digest])
    const latest = await api.get(`${base}/artifacts?tag=late`, { auth: guest })
    expect(latest.json<any[]>().map((a) => a.digest)).toEqual([amd.manifest.digest])
    // The filter is a literal substring: LIKE's wildcards match only themselves.
    for (const literal of ['v_', '%', 'l_test']) {
      const none = await api.get(`${base}/artifacts?tag=${encodeURIComponent(literal)}`, { auth: guest })
      expect(none.header('x-total-count'), literal).toBe('0')
    }
    const untaggedOnly = await api.get(`${base}/artifacts?tagged=false`, { auth: guest })
    expect(untaggedOnly.json<any[]>().map((a) => a.digest)).toEqual([signature.manifest.digest, untagged.manifest.digest])
    expect((await api.get(`${base}/artifacts?tagged=true`, { auth: guest })).header('x-total-count')).toBe('3')

    const first = await api.get(`${base}/artifacts?page_size=2`, { auth: guest })
    expect(first.json()).toHaveLength(2)
    expect(first.header('x-total-count')).toBe('5')
    expect(first.header('link')).toContain('rel="next"')
    expect(first.header('link')).not.toContain('rel="prev"')
    const last = await api.get(`${base}/artifacts?page=3&page_size=2`, { auth: guest })
    expect(last.json<any[]>().map((a) => a.digest)).toEqual([amd.manifest.digest])
    expect(last.header('link')).toContain('rel="prev"')
    expect(last.header('link')).not.toContain('rel="next"')

    for (const bad of ['page_size=101', 'page=0', 'tagged=maybe']) {
      expect((await api.get(`${base}/artifacts?${bad}`, { auth: guest })).status, bad).toBe(400)
    }
  })

  it('artifact detail: by tag and digest, with manifest, config, layers, and children of an index', async () => {
    const res = await api.get(`${base}/artifacts/v1`, { auth: guest })
    expect(res.status, res.describe()).toBe(200)
    const detail = res.json()
    expect(detail.digest).toBe(amd.manifest.digest)
    expect(detail.manifest).toEqual(amd.manifest.json)
    expect(detail.config).toMatchObject({ os: 'linux', architecture: 'amd64', cmd: ['/app'], entrypoint: null, labels: {} })
    expect(detail.layers).toEqual(amd.layers.map((l) => ({ digest: l.digest, mediaType: MT.ociLayerGzip, size: l.size })))
    expect(detail.children).toEqual([])

    const idx = (await api.get(`${base}/artifacts/${index.digest}`, { auth: guest })).json()
    expect(idx.kind).toBe('index')
    expect(idx.children).toEqual([
      { digest: amd.manifest.digest, mediaType: MT.ociManifest, size: amd.manifest.size, platform: { os: 'linux', architecture: 'amd64' }, present: true },
      { digest: arm.manifest.digest, mediaType: MT.ociManifest, size: arm.manifest.size, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, present: true },
    ])
    expect((await api.get(`${base}/artifacts/nope`, { auth: guest })).status).toBe(404)
    expect((await api.get(`${base}/artifacts/sha256:${'0'.repeat(64)}`, { auth: guest })).status).toBe(404)
  })

  it('tags of one artifact: newest first, paginated with X-Total-Count and Link, by digest or tag; 404 for an unknown artifact', async () => {
    const byDigest = await api.get(`${base}/artifacts/${amd.manifest.digest}/tags`, { auth: guest })
    expect(byDigest.status, byDigest.describe()).toBe(200)
    expect(byDigest.header('x-total-count')).toBe('2')
    expect(byDigest.header('link')).toBeNull()
    // "latest" was put after "v1": newest first, as Harbor lists them.
    expect(byDigest.json()).toEqual([
      { name: 'latest', pushedAt: expect.any(String), checkedUpstreamAt: null, immutable: false },
      { name: 'v1', pushedAt: expect.any(String), checkedUpstreamAt: null, immutable: false },
    ])
    expect((await api.get(`${base}/artifacts/v1/tags`, { auth: guest })).json()).toEqual(byDigest.json())

    const first = await api.get(`${base}/artifacts/v1/tags?page_size=1`, { auth: guest })
    expect(first.json<{ name: string }[]>().map((t) => t.name)).toEqual(['latest'])
    expect(first.header('x-total-count')).toBe('2')
    expect(first.header('link')).toMatch(/\/artifacts\/v1\/tags\?page_size=1&page=2>; rel="next"$/)
    const second = await api.get(`${base}/artifacts/v1/tags?page=2&page_size=1`, { auth: guest })
    expect(second.json<{ name: string }[]>().map((t) => t.name)).toEqual(['v1'])
    expect(second.header('link')).toContain('rel="prev"')
    expect(second.header('link')).not.toContain('rel="next"')

    const none = await api.get(`${base}/artifacts/${untagged.manifest.digest}/tags`, { auth: guest })
    expect(none.json()).toEqual([])
    expect(none.header('x-total-count')).toBe('0')
    expect((await api.get(`${base}/artifacts/nope/tags`, { auth: guest })).status).toBe(404)
    expect((await api.get(`${base}/artifacts/sha256:${'0'.repeat(64)}/tags`, { auth: guest })).status).toBe(404)
    expect((await api.get(`/api/v1/projects/${project}/repositories/missing/artifacts/v1/tags`, { auth: guest })).status).toBe(404)
    for (const bad of ['page_size=101', 'page=0']) {
      expect((await api.get(`${base}/artifacts/v1/tags?${bad}`, { auth: guest })).status, bad).toBe(400)
    }
  })

  it('tags of one artifact in a private project: 401 anonymous or with bad credentials, 404 for outsiders, 403 without pull rights', async () => {
    const path = `${base}/artifacts/v1/tags`
    expect((await api.get(path)).status).toBe(401)
    expect((await api.get(path, { auth: { user: owner.user, password: 'wrong-password' } })).status).toBe(401)
    expect((await api.get(path, { auth: outsider })).status).toBe(404)
    const robot = await api.post(`/api/v1/projects/${project}/robots`, { name: 'pushonly', actions: ['push'] }, { auth: owner })
    expect(robot.status, robot.describe()).toBe(201)
    const pushOnly = await api.get(path, { auth: { user: robot.json().name, password: robot.json().secret } })
    expect(pushOnly.status, pushOnly.describe()).toBe(403)
    expect(pushOnly.errorCode()).toBe('FORBIDDEN')
  })

  it('the artifact list embeds the newest 10 tags and tagCount; the tags endpoint pages through all of them', async () => {
    const wide = `${project}/wide-${randomId(6)}`
    const wideBase = `/api/v1/projects/${project}/repositories/${encodeURIComponent(wide.slice(project.length + 1))}`
    const image = ociImage()
    const client = v2()
    const names = Array.from({ length: 12 }, (_, i) => `t${String(i).padStart(2, '0')}`)
    await client.pushImage(wide, image, names[0])
    for (const name of names.slice(1)) expect((await client.putManifest(wide, name, image.manifest)).status).toBe(201)
    const newestFirst = [...names].reverse()

    const [item] = (await api.get(`${wideBase}/artifacts`, { auth: guest })).json<any[]>()
    expect(item.tagCount).toBe(12)
    expect(item.tags.map((t: { name: string }) => t.name)).toEqual(newestFirst.slice(0, 10))
    const detail = (await api.get(`${wideBase}/artifacts/t00`, { auth: guest })).json()
    expect(detail.tagCount).toBe(12)
    expect(detail.tags).toHaveLength(10)

    const pages: string[] = []
    for (let page = 1; page <= 3; page++) {
      const res = await api.get(`${wideBase}/artifacts/${image.manifest.digest}/tags?page=${page}&page_size=5`, { auth: guest })
      expect(res.header('x-total-count')).toBe('12')
      pages.push(...res.json<{ name: string }[]>().map((t) => t.name))
    }
    expect(pages).toEqual(newestFirst)
    expect((await api.delete(`/api/v1/projects/${project}/repositories/${encodeURIComponent(wide.slice(project.length + 1))}`, { auth: owner })).status).toBe(204)
  })

  it('permissions: a developer or guest cannot delete tags or artifacts (403) and nothing changes', async () => {
    for (const who of [dev, guest]) {
      const tagRes = await api.delete(`${base}/artifacts/v1/tags/latest`, { auth: who })
      expect(tagRes.status, tagRes.describe()).toBe(403)
      expect(tagRes.errorCode()).toBe('FORBIDDEN')
      expect((await api.delete(`${base}/artifacts/${amd.manifest.digest}`, { auth: who })).status).toBe(403)
      expect((await api.delete(base, { auth: who })).status).toBe(403)
    }
    expect((await api.post(`${base}/artifacts/v1/tags`, { name: 'guest-tag' }, { auth: guest })).status).toBe(403)
    expect((await api.delete(`${base}/artifacts/v1/tags/latest`, { auth: outsider })).status).toBe(404)
    expect((await api.delete(`${base}/artifacts/v1/tags/latest`)).status).toBe(401)
    expect((await tagsOnV2()).sort()).toEqual(['latest', 'multi', 'v1', 'v2'])
    expect((await api.get(`${base}/artifacts?page_size=100`, { auth: owner })).header('x-total-count')).toBe('5')
  })

  it('delete a tag: the artifact and its other tag stay; /v2 agrees at once', async () => {
    // Warm /v2's manifest cache first, so a stale cache would show.
    expect((await v2().getManifest(full, 'latest')).status).toBe(200)
    const res = await api.delete(`${base}/artifacts/${amd.manifest.digest}/tags/latest`, { auth: owner })
    expect(res.status, res.describe()).toBe(204)
    expect((await tagsOnV2()).sort()).toEqual(['multi', 'v1', 'v2'])
    expect((await v2().getManifest(full, 'latest')).status).toBe(404)
    expect((await v2().getManifest(full, 'v1')).status).toBe(200)
    const detail = (await api.get(`${base}/artifacts/v1`, { auth: owner })).json()
    expect(detail.tags.map((t: { name: string }) => t.name)).toEqual(['v1'])
    // The tag must be on that artifact: v2 is another's.
    expect((await api.delete(`${base}/artifacts/v1/tags/v2`, { auth: owner })).status).toBe(404)
    expect((await api.delete(`${base}/artifacts/v1/tags/latest`, { auth: owner })).status).toBe(404)
  })

  it('add a tag: 201, visible on /v2; 200 when already there; 409 when it names another artifact; 400 when invalid', async () => {
    const res = await api.post(`${base}/artifacts/${untagged.manifest.digest}/tags`, { name: 'added' }, { auth: dev })
    expect(res.status, res.describe()).toBe(201)
    expect(res.json()).toMatchObject({ digest: untagged.manifest.digest, tags: [{ name: 'added' }] })
    expect(res.header('location')).toContain('/artifacts/added')
    const pulled = await v2().getManifest(full, 'added')
    expect(pulled.status).toBe(200)
    expect(pulled.headers.get('docker-content-digest')).toBe(untagged.manifest.digest)
    expect(await tagsOnV2()).toContain('added')
    expect((await api.post(`${base}/artifacts/added/tags`, { name: 'added' }, { auth: dev })).status).toBe(200)
    const taken = await api.post(`${base}/artifacts/added/tags`, { name: 'v1' }, { auth: dev })
    expect(taken.status, taken.describe()).toBe(409)
    expect((await v2().getManifest(full, 'v1')).headers.get('docker-content-digest')).toBe(amd.manifest.digest)
    for (const name of ['', '.bad', 'a'.repeat(129), 'has space']) {
      expect((await api.post(`${base}/artifacts/added/tags`, { name }, { auth: dev })).status, name).toBe(400)
    }
  })

  it('delete an artifact: its tags go, /v2 GET by digest is 404 at once', async () => {
    expect((await v2().getManifest(full, arm.manifest.digest)).status).toBe(200)
    const res = await api.delete(`${base}/artifacts/${untagged.manifest.digest}`, { auth: owner })
    expect(res.status, res.describe()).toBe(204)
    expect((await v2().getManifest(full, untagged.manifest.digest)).status).toBe(404)
    expect((await v2().getManifest(full, 'added')).status).toBe(404)
    expect(await tagsOnV2()).not.toContain('added')
    expect((await api.get(`${base}/artifacts/${untagged.manifest.digest}`, { auth: owner })).status).toBe(404)
    expect((await api.delete(`${base}/artifacts/${untagged.manifest.digest}`, { auth: owner })).status).toBe(404)
    // By tag works too (the tag names the artifact to delete); v2 names a child of the index
    // `multi`, though: refused with 409 naming the index, and nothing changes.
    const refused = await api.delete(`${base}/artifacts/v2`, { auth: owner })
    expect(refused.status, refused.describe()).toBe(409)
    expect(refused.json().errors[0].message).toContain(index.digest)
    expect(refused.json().errors[0].detail.referencedBy).toEqual([index.digest])
    expect((await v2().getManifest(full, arm.manifest.digest)).status).toBe(200)
    expect((await tagsOnV2()).sort()).toEqual(['multi', 'v1', 'v2'])
    expect((await api.delete(`${base}/artifacts/${signature.manifest.digest}`, { auth: owner })).status).toBe(204)
    expect((await api.get(`${base}/artifacts`, { auth: owner })).header('x-total-count')).toBe('3')
  })

  it('search: finds a repository by part of its name for readers only; projects too', async () => {
    const part = short.split('-')[1]
    const found = await api.get(`/api/v1/search?q=${encodeURIComponent(part)}`, { auth: guest })
    expect(found.status, found.describe()).toBe(200)
    expect(found.json().repositories).toEqual([expect.objectContaining({ name: full, projectName: project })])
    expect((await api.get(`/api/v1/search?q=${project.slice(1, 7).toUpperCase()}`, { auth: dev })).json().projects).toEqual([
      expect.objectContaining({ name: project, public: false, repositoryCount: 1 }),
    ])
    // A private project's repositories are hidden from others and from anonymous callers.
    expect((await api.get(`/api/v1/search?q=${encodeURIComponent(part)}`, { auth: outsider })).json()).toEqual({ projects: [], repositories: [] })
    expect((await api.get(`/api/v1/search?q=${encodeURIComponent(part)}`)).json()).toEqual({ projects: [], repositories: [] })
    expect((await api.get(`/api/v1/search?q=${encodeURIComponent(part)}`, { auth: admin })).json().repositories).toHaveLength(1)
    expect((await api.get('/api/v1/search', { auth: guest })).status).toBe(400)
  })

  it('search: a public project of the accounts fixture is visible to anyone', async () => {
    const accounts = reg.accounts!
    const repo = `${accounts.publicProject}/srch-${randomId(8)}`
    await registryClient(reg.url, accounts.owner).pushImage(repo, ociImage(), 'v1')
    const part = repo.split('/')[1]
    expect((await api.get(`/api/v1/search?q=${part}`)).json().repositories).toEqual([expect.objectContaining({ name: repo })])
    const hidden = `${accounts.privateProject}/srch-${randomId(8)}`
    await registryClient(reg.url, accounts.owner).pushImage(hidden, ociImage(), 'v1')
    const hiddenPart = hidden.split('/')[1]
    expect((await api.get(`/api/v1/search?q=${hiddenPart}`, { auth: accounts.outsider })).json().repositories).toEqual([])
    expect((await api.get(`/api/v1/search?q=${hiddenPart}`, { auth: accounts.roles.limitedGuest })).json().repositories).toHaveLength(1)
  })

  it('delete the repository: its artifacts and tags go; /v2 agrees', async () => {
    expect((await api.delete(base, { auth: owner })).status).toBe(204)
    expect((await api.get(base, { auth: owner })).status).toBe(404)
    expect((await v2().getManifest(full, 'v1')).status).toBe(404)
    expect((await v2().tags(full)).status).toBe(404)
    expect((await api.get(`/api/v1/projects/${project}/repositories`, { auth: owner })).json()).toEqual([])
  })

  it('an index lists as one artifact with its children folded in; a child cannot be deleted, the index takes them along', async () => {
    const repo = `${project}/multiarch-${randomId(6)}`
    const repoBase = `/api/v1/projects/${project}/repositories/${encodeURIComponent(repo.slice(project.length + 1))}`
    const client = v2()
    const amd64 = ociImage({ platform: { os: 'linux', architecture: 'amd64' } })
    const arm64 = ociImage({ platform: { os: 'linux', architecture: 'arm64' } })
    await client.pushImage(repo, amd64)
    await client.pushImage(repo, arm64)
    const multi = ociIndex({
      manifests: [amd64.manifest.descriptor({ platform: { os: 'linux', architecture: 'amd64' } }), arm64.manifest.descriptor({ platform: { os: 'linux', architecture: 'arm64' } })],
    })
    expect((await client.putManifest(repo, 'v1', multi)).status).toBe(201)

    const list = await api.get(`${repoBase}/artifacts`, { auth: guest })
    expect(list.header('x-total-count')).toBe('1')
    // The repository's count and search agree with the list.
    expect((await api.get(repoBase, { auth: guest })).json()).toMatchObject({ artifactCount: 1 })
    const found = (await api.get(`/api/v1/search?q=${encodeURIComponent(repo)}`, { auth: guest })).json()
    expect(found.repositories).toEqual([expect.objectContaining({ name: repo, artifactCount: 1 })])
    const [row] = list.json<any[]>()
    expect(row).toMatchObject({ digest: multi.digest, kind: 'index', tags: [{ name: 'v1' }] })
    expect(row.children).toHaveLength(2)
    expect(row.children).toEqual(
      expect.arrayContaining([
        { digest: amd64.manifest.digest, mediaType: MT.ociManifest, size: amd64.manifest.size, platform: { os: 'linux', architecture: 'amd64' }, present: true },
        { digest: arm64.manifest.digest, mediaType: MT.ociManifest, size: arm64.manifest.size, platform: { os: 'linux', architecture: 'arm64' }, present: true },
      ]),
    )
    // The "untagged" filter does not offer the children for deletion.
    expect((await api.get(`${repoBase}/artifacts?tagged=false`, { auth: guest })).header('x-total-count')).toBe('0')
    const detail = (await api.get(`${repoBase}/artifacts/v1`, { auth: guest })).json()
    expect(detail.children.map((c: { digest: string; present: boolean }) => [c.digest, c.present])).toEqual([
      [amd64.manifest.digest, true],
      [arm64.manifest.digest, true],
    ])

    const refused = await api.delete(`${repoBase}/artifacts/${arm64.manifest.digest}`, { auth: owner })
    expect(refused.status, refused.describe()).toBe(409)
    expect(refused.json().errors[0].detail.referencedBy).toEqual([multi.digest])
    expect((await client.getManifest(repo, arm64.manifest.digest)).status).toBe(200)

    const gone = await api.delete(`${repoBase}/artifacts/v1`, { auth: owner })
    expect(gone.status, gone.describe()).toBe(204)
    for (const digest of [multi.digest, amd64.manifest.digest, arm64.manifest.digest]) {
      expect((await client.getManifest(repo, digest)).status, digest).toBe(404)
    }
    expect((await api.get(`${repoBase}/artifacts`, { auth: guest })).header('x-total-count')).toBe('0')
    // Each deleted manifest is in the audit log.
    const audit = await api.get(`/api/v1/projects/${project}/audit-logs?action=artifact.delete&page_size=100`, { auth: owner })
    expect(audit.status, audit.describe()).toBe(200)
    const resources = audit.json<{ resource: string }[]>().map((e) => e.resource)
    expect(resources).toEqual(expect.arrayContaining([multi.digest, amd64.manifest.digest, arm64.manifest.digest].map((d) => `${repo}@${d}`)))
    // Once each, the index's entry listing the tags that went with it.
    expect(resources.filter((r) => r.startsWith(`${repo}@`))).toHaveLength(3)
    const index = audit.json<{ resource: string; detail: unknown }[]>().find((e) => e.resource === `${repo}@${multi.digest}`)
    expect(index?.detail).toEqual({ tags: ['v1'] })
  })

  it('a tag filter shows the matching tags first, even when they are older than the newest ten', async () => {
    const repo = `${project}/tagorder-${randomId(6)}`
    const repoBase = `/api/v1/projects/${project}/repositories/${encodeURIComponent(repo.slice(project.length + 1))}`
    const client = v2()
    const image = ociImage()
    await client.pushImage(repo, image, 'release-old')
    for (let i = 0; i < 12; i++) expect((await client.putManifest(repo, `build-${i}`, image.manifest)).status).toBe(201)
    const res = await api.get(`${repoBase}/artifacts?tag=${encodeURIComponent('release')}`, { auth: guest })
    const [row] = res.json<any[]>()
    expect(row.tagCount).toBe(13)
    expect(row.tags[0].name).toBe('release-old')
    // Without a filter: newest first.
    const plain = (await api.get(`${repoBase}/artifacts`, { auth: guest })).json<any[]>()[0]
    expect(plain.tags[0].name).toBe('build-11')
    expect(plain.tags.map((t: { name: string }) => t.name)).not.toContain('release-old')
  })

  it('openapi.json: served, OpenAPI 3.1, lists the artifact routes', async () => {
    const res = await api.get('/api/v1/openapi.json')
    expect(res.status).toBe(200)
    const doc = res.json()
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/projects/{project}/repositories/{repository}/artifacts', '/api/v1/search']))
  })
})
