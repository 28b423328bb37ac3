// Listing tags and repositories, with pagination (spec: Content Discovery).
import { beforeAll, describe, expect, it } from 'vitest'
import { expectApiVersion, expectOciError, expectStatus } from '../support/assertions'
import { registryUnderTest } from '../support/context'
import { ociImage, parseNextLink, randomBlob, type RegistryClient } from '../support/oci'

const reg = registryUnderTest()
const client = reg.client()
const ours = reg.flavour === 'ours'

/** Byte-wise (ASCII) order, as Go's sort.Strings. */
const asciiSort = (xs: string[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
/** Case-insensitive lexical order (the other order the spec allows). */
const lexicalSort = (xs: string[]) => [...xs].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase(), 'en') || (a < b ? -1 : 1))

function expectSorted(list: string[], msg: string) {
  const ok = JSON.stringify(list) === JSON.stringify(asciiSort(list)) || JSON.stringify(list) === JSON.stringify(lexicalSort(list))
  expect(ok, `${msg}: ${JSON.stringify(list)} is neither ASCII- nor lexically sorted`).toBe(true)
}

/** Checks a `Link: <...>; rel="next"` header points at `path` with the given n and last. */
function expectNextLink(link: string | null, path: string, n: number, last: string) {
  const next = parseNextLink(link)
  expect(next, `Link rel="next" header, got ${JSON.stringify(link)}`).toBeTruthy()
  const u = new URL(next!, reg.url + '/')
  expect(u.pathname).toBe(path)
  expect(u.searchParams.get('n')).toBe(String(n))
  expect(u.searchParams.get('last')).toBe(last)
}

/** Follows Link headers from `first`, collecting `key` items; asserts every page holds at most n. */
async function collectPages(c: RegistryClient, first: string, key: 'tags' | 'repositories', n: number): Promise<string[]> {
  const out: string[] = []
  let next: string | undefined = first
  for (let i = 0; next && i < 1000; i++) {
    const r = await c.get(next)
    expectStatus(r, 200)
    const items = (r.json()[key] ?? []) as string[]
    expect(items.length, r.describe()).toBeLessThanOrEqual(n)
    out.push(...items)
    next = parseNextLink(r.header('link'))
  }
  return out
}

describe('GET /v2/<name>/tags/list', () => {
  const repo = reg.repo('tags')
  const tags = ['v10', 'v9', 'latest', 'Alpha', 'beta', '1.0', '_x', 'v1.2.3-rc.1', 'ZULU', 'a']
  const sorted = asciiSort(tags)

  beforeAll(async () => {
    const img = ociImage()
    await client.pushImage(repo, img)
    for (const t of tags) expectStatus(await client.putManifest(repo, t, img.manifest), 201)
  })

  it('answers 200 {"name","tags"} with every tag', async () => {
    const r = await client.tags(repo)
    expectStatus(r, 200)
    expectApiVersion(r)
    const body = r.json()
    expect(body.name).toBe(repo)
    expect([...body.tags].sort()).toEqual([...tags].sort())
  })

  // distribution 2.8 neither sorts tags nor honours n/last (both are 1.1 requirements)
  it.skipIf(!ours)('lists the tags sorted (ASCII or case-insensitive lexical order)', async () => {
    expectSorted((await client.tags(repo)).json().tags, 'tags/list')
  })

  it.skipIf(!ours)('n limits the page to exactly n tags and sets Link: <...?n=&last=>; rel="next"', async () => {
    const all = (await client.tags(repo)).json().tags as string[]
    const r = await client.tags(repo, { n: 3 })
    expectStatus(r, 200)
    const page = r.json().tags as string[]
    expect(page).toEqual(all.slice(0, 3))
    expectNextLink(r.header('link'), `/v2/${repo}/tags/list`, 3, page[2])
  })

  it.skipIf(!ours)('last returns the tags after it (exclusive), n of them', async () => {
    const all = (await client.tags(repo)).json().tags as string[]
    const r = await client.tags(repo, { n: 4, last: all[2] })
    expectStatus(r, 200)
    expect(r.json().tags).toEqual(all.slice(3, 7))
  })

  it.skipIf(!ours)('last without n returns every tag after it', async () => {
    const all = (await client.tags(repo)).json().tags as string[]
    const r = await client.tags(repo, { last: all[4] })
    expectStatus(r, 200)
    expect(r.json().tags).toEqual(all.slice(5))
  })

  it.skipIf(!ours)('last may be a value that is not a tag: the tags sorting after it', async () => {
    const all = (await client.tags(repo)).json().tags as string[]
    const r = await client.tags(repo, { last: 'b' })
    expectStatus(r, 200)
    const expected = all.slice(all.findIndex((t) => t > 'b'))
    if (JSON.stringify(all) === JSON.stringify(sorted)) expect(r.json().tags).toEqual(expected)
  })

  it.skipIf(!ours)('following Link from n=2 visits every tag once, in order', async () => {
    const all = (await client.tags(repo)).json().tags as string[]
    const pages = await collectPages(client, `/v2/${repo}/tags/list?n=2`, 'tags', 2)
    expect(pages).toEqual(all)
  })

  it.skipIf(!ours)('the last page (fewer than n, or exactly the rest) has no Link', async () => {
    const all = (await client.tags(repo)).json().tags as string[]
    const r = await client.tags(repo, { n: all.length })
    expectStatus(r, 200)
    expect(r.json().tags).toEqual(all)
    const r2 = await client.tags(repo, { n: 100 })
    expect(r2.json().tags).toEqual(all)
    expect(parseNextLink(r2.header('link'))).toBeUndefined()
    const r3 = await client.tags(repo, { n: 5, last: all[all.length - 1] })
    expectStatus(r3, 200)
    expect(r3.json().tags ?? []).toEqual([])
    expect(parseNextLink(r3.header('link'))).toBeUndefined()
  })

  it.skipIf(!ours)('n=0 answers an empty list and no Link', async () => {
    const r = await client.tags(repo, { n: 0 })
    expectStatus(r, 200)
    expect(r.json().tags).toEqual([])
    expect(parseNextLink(r.header('link'))).toBeUndefined()
  })

  it.skipIf(!ours)('an invalid n (negative, not a number) answers 400', async () => {
    for (const n of ['-1', 'abc']) {
      const r = await client.get(`/v2/${repo}/tags/list?n=${n}`)
      expectOciError(r, 400)
    }
  })

  it('a repository with 130 tags: GET without n, following Link (if the registry pages by default), lists all of them once', async () => {
    const many = reg.repo('tags-many')
    const img = ociImage()
    await client.pushImage(many, img)
    const names = Array.from({ length: 130 }, (_, i) => `t${String(i).padStart(3, '0')}`)
    for (const t of names) expectStatus(await client.putManifest(many, t, img.manifest), 201)
    const listed: string[] = []
    let next: string | undefined = `/v2/${many}/tags/list`
    for (let i = 0; next && i < 200; i++) {
      const r = await client.get(next)
      expectStatus(r, 200)
      listed.push(...(r.json().tags as string[]))
      next = parseNextLink(r.header('link'))
    }
    expect([...listed].sort()).toEqual(names)
    expect(new Set(listed).size).toBe(listed.length)
  })

  it('an unknown repository answers 404 NAME_UNKNOWN', async () => {
    expectOciError(await client.tags(reg.repo('no-such-repo')), 404, 'NAME_UNKNOWN')
  })

  it.skipIf(!ours)('a repository whose tags were all deleted lists an empty array', async () => {
    const r2 = reg.repo('tags-empty')
    const img = ociImage()
    await client.pushImage(r2, img, 'only')
    expectStatus(await client.deleteManifest(r2, 'only'), 202)
    const r = await client.tags(r2)
    expectStatus(r, 200)
    expect(r.json().tags).toEqual([])
  })

  it('a repository with blobs but no manifest answers 200 with no tags, or 404 NAME_UNKNOWN', async () => {
    const r2 = reg.repo('tags-blobs-only')
    await client.pushBlob(r2, randomBlob(10))
    const r = await client.tags(r2)
    expectStatus(r, 200, 404)
    if (r.status === 200) expect(r.json().tags ?? []).toEqual([])
    else expectOciError(r, 404, 'NAME_UNKNOWN')
  })
})

describe('GET /v2/_catalog', () => {
  const prefix = reg.repo('cat')
  const repos = ['a', 'b', 'c', 'd/e', 'f'].map((s) => `${prefix}/${s}`)

  beforeAll(async () => {
    const img = ociImage()
    for (const r of repos) await client.pushImage(r, img, 'latest')
  })

  it('answers 200 {"repositories": [...]} including the pushed repositories, sorted', async () => {
    const all = await collectPages(client, '/v2/_catalog?n=1000', 'repositories', 1000)
    for (const r of repos) expect(all).toContain(r)
    expectSorted(all, '_catalog')
  })

  it('n and last page through the catalog with Link: </v2/_catalog?n=..&last=..>; rel="next"', async () => {
    // Names after `prefix` start with our repositories (nothing else shares the random prefix).
    const r = await client.catalog({ n: 2, last: prefix })
    expectStatus(r, 200)
    expectApiVersion(r)
    expect(r.json().repositories).toEqual(repos.slice(0, 2))
    expectNextLink(r.header('link'), '/v2/_catalog', 2, repos[1])
    const r2 = await client.get(parseNextLink(r.header('link'))!)
    expectStatus(r2, 200)
    expect(r2.json().repositories).toEqual(repos.slice(2, 4))
  })

  it('GET without n, following Link (if the registry pages by default), lists every repository once', async () => {
    const paged = await collectPages(client, '/v2/_catalog', 'repositories', Number.MAX_SAFE_INTEGER)
    for (const r of repos) expect(paged).toContain(r)
    expect(new Set(paged).size).toBe(paged.length)
  })

  it('following Link from n=2 visits every repository once, in order', async () => {
    const all = await collectPages(client, '/v2/_catalog?n=1000', 'repositories', 1000)
    const paged = await collectPages(client, '/v2/_catalog?n=2', 'repositories', 2)
    expect(paged).toEqual(all)
  })

  it('n=0 answers an empty list and no Link', async () => {
    const r = await client.catalog({ n: 0 })
    expectStatus(r, 200)
    expect(r.json().repositories).toEqual([])
    expect(parseNextLink(r.header('link'))).toBeUndefined()
  })

  it('a repository never pushed to does not appear', async () => {
    const all = await collectPages(client, '/v2/_catalog?n=1000', 'repositories', 1000)
    expect(all).not.toContain(`${prefix}/never`)
  })
})
